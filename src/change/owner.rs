//! Who owns a resource: a CloudFormation stack or an Elastic Beanstalk environment (by its
//! tags), or a Terraform configuration (by its state), whose next deploy would undo a
//! change made beside it.

use crate::inventory::Tags;

pub const STACK_NAME_TAG: &str = "aws:cloudformation:stack-name";
pub const LOGICAL_ID_TAG: &str = "aws:cloudformation:logical-id";
pub const BEANSTALK_TAG: &str = "elasticbeanstalk:environment-name";

/// Who owns a resource, by its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Stack {
        name: String,
        logical_id: String,
    },
    Beanstalk {
        environment: String,
    },
    /// The resource at `address` of a Terraform state; `attributes` to change there.
    Terraform {
        address: String,
        attributes: Vec<String>,
    },
}

impl Owner {
    pub fn of(tags: &Tags) -> Option<Owner> {
        // Beanstalk creates its resources through a stack: its environment is the owner.
        if let Some(environment) = tags.get(BEANSTALK_TAG) {
            return Some(Owner::Beanstalk {
                environment: environment.clone(),
            });
        }
        Some(Owner::Stack {
            name: tags.get(STACK_NAME_TAG)?.clone(),
            logical_id: tags.get(LOGICAL_ID_TAG).cloned().unwrap_or_default(),
        })
    }
}

/// Owners read beside the inventory (a Terraform state): who owns what `action` changes in
/// `region`, if they know.
pub trait OwnerRecords {
    fn owner_of(&self, action: &super::Action, region: &str) -> Option<Owner>;
}
