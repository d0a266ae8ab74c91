//! Steps on resources another tool owns become instructions for that tool.
//!
//! A resource a CloudFormation stack created carries the tags `aws:cloudformation:stack-name`
//! and `aws:cloudformation:logical-id`; one Elastic Beanstalk manages carries
//! `elasticbeanstalk:environment-name`. Changing such a resource directly is undone by the
//! next deploy and leaves drift, so the step is not applied: it names the stack, the logical
//! id and the property to change in the template (or the environment's option), unless the
//! user overrides it (`fix --override-iac`). Steps that wait for one handed over wait with it.
//!
//! Read from the inventory's tags: EC2 resources, launch templates, Auto Scaling groups, RDS
//! instances and load balancers (both APIs) carry them. Route 53 records have none, so an
//! alias record is upserted as planned: README says so.

use std::collections::BTreeSet;

use super::Plan;
use crate::change::{Action, Manual, Owner, OwnerRecords, Safety};
use crate::inventory::Index;

fn instruction(owner: &Owner, action: &Action) -> String {
    match owner {
        Owner::Stack { name, logical_id } => format!(
            "owned by CloudFormation stack `{name}` (logical id `{logical_id}`): {} in its template and deploy it; changed here, the next deploy would undo it and leave drift (`--override-iac` changes it here anyway)",
            action.kind().template_change()
        ),
        Owner::Terraform {
            address,
            attributes,
        } => format!(
            "managed by Terraform (`{address}`): {} in its configuration and apply it (`hacheck fix --terraform-plan` writes what it can of it); changed here, the next `terraform apply` would undo it and leave drift (`--override-iac` changes it here anyway)",
            if attributes.is_empty() {
                action.kind().template_change()
            } else {
                format!("change {} ({})", attributes.join(", "), action.summary())
            }
        ),
        Owner::Beanstalk { environment } => format!(
            "managed by Elastic Beanstalk environment `{environment}`: change {} (`eb config` or `option_settings`) for: {}; changed here, the environment would undo it (`--override-iac` changes it here anyway)",
            action.kind().beanstalk_option(),
            action.kind().template_change()
        ),
    }
}

/// The plan with every step on an owned resource (by its tags, or by a Terraform state
/// given), and every step waiting for one, made a manual instruction for the owner.
pub fn hand_to_owners(mut plan: Plan, index: &Index, records: Option<&dyn OwnerRecords>) -> Plan {
    let mut handed: BTreeSet<String> = BTreeSet::new();
    for step in &mut plan.steps {
        if step.safety == Safety::Manual {
            continue;
        }
        let owner = step
            .action
            .kind()
            .owner_tags(&step.region, index)
            .and_then(Owner::of)
            .or_else(|| records.and_then(|records| records.owner_of(&step.action, &step.region)));
        let instruction = match owner {
            Some(owner) => instruction(&owner, &step.action),
            None if step.action.kind().tags_unread(&step.region, index) => format!(
                "its tags could not be read (`elasticloadbalancing:DescribeTags` was refused), so whether a CloudFormation stack owns it is not known: if one does, {} in its template and deploy it; if none does, `--override-iac` changes it here",
                step.action.kind().template_change()
            ),
            None => continue,
        };
        step.action = Action::Manual(Manual {
            resource: step.action.target(),
            instruction,
            following: Vec::new(),
        });
        step.safety = Safety::Manual;
        handed.insert(step.id.clone());
    }
    // A step after one handed over would run without it.
    loop {
        let mut more = false;
        for step in &mut plan.steps {
            if step.safety == Safety::Manual || !step.depends_on.iter().any(|d| handed.contains(d))
            {
                continue;
            }
            let waits: Vec<&String> = step
                .depends_on
                .iter()
                .filter(|d| handed.contains(*d))
                .collect();
            let instruction = format!(
                "{}, after {} (handed to its owner)",
                step.action.summary(),
                waits
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            step.action = Action::Manual(Manual {
                resource: step.action.target(),
                instruction,
                following: Vec::new(),
            });
            step.safety = Safety::Manual;
            handed.insert(step.id.clone());
            more = true;
        }
        if !more {
            break;
        }
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::owner::{BEANSTALK_TAG, LOGICAL_ID_TAG, STACK_NAME_TAG};
    use crate::change::{CreateListener, SetCapacity};
    use crate::inventory::Tags;

    #[test]
    fn beanstalk_is_the_owner_of_its_stack_resources() {
        let mut tags = Tags::new();
        tags.insert(STACK_NAME_TAG.into(), "awseb-e-123-stack".into());
        tags.insert(LOGICAL_ID_TAG.into(), "AWSEBAutoScalingGroup".into());
        assert_eq!(
            Owner::of(&tags),
            Some(Owner::Stack {
                name: "awseb-e-123-stack".into(),
                logical_id: "AWSEBAutoScalingGroup".into()
            })
        );
        tags.insert(BEANSTALK_TAG.into(), "shop-prod".into());
        assert_eq!(
            Owner::of(&tags),
            Some(Owner::Beanstalk {
                environment: "shop-prod".into()
            })
        );
        let text = instruction(
            &Owner::of(&tags).unwrap(),
            &Action::SetCapacity(SetCapacity {
                group: "g".into(),
                min_size: 2,
                desired_capacity: 2,
                max_size: 4,
                before: [1, 1, 4],
            }),
        );
        assert!(text.contains("`aws:autoscaling:asg` `MinSize`"), "{text}");
        assert_eq!(Owner::of(&Tags::new()), None);
    }

    /// A load balancer whose tags were refused may be a stack's: its step is handed over,
    /// not applied; one whose tags were read and name no owner is changed here.
    #[test]
    fn a_load_balancer_whose_tags_were_not_read_is_not_changed_here() {
        let mut inventory = crate::snapshot::example_inventory("compliant");
        let arn = inventory.load_balancers[0].arn.clone();
        let plan = |inventory: crate::inventory::Inventory| {
            let action = Action::CreateListener(CreateListener {
                load_balancer_arn: arn.clone(),
                port: 80,
                certificate_arn: None,
                forward_to: None,
            });
            let plan = Plan::of(vec![crate::plan::Step::of(action)]);
            hand_to_owners(plan, &Index::new(inventory), None)
                .steps
                .remove(0)
        };
        assert_ne!(plan(inventory.clone()).safety, Safety::Manual);
        inventory.load_balancers[0].tags_unread = true;
        let step = plan(inventory);
        assert_eq!(step.safety, Safety::Manual);
        assert!(
            step.action.summary().contains("its tags could not be read"),
            "{}",
            step.action.summary()
        );
    }
}
