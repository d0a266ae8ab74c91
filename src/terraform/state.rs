//! What a Terraform state manages (`--terraform-state FILE`, the JSON of `terraform show
//! -json` without a plan file): a live step on one of its resources would be undone by the
//! next `terraform apply`, so `fix` hands it to the configuration instead, naming the
//! address and the attribute to change.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::TerraformError;
use crate::change::{Action, Owner, OwnerRecords};

/// The inventory kind a Terraform resource type is read as, for the types a fix changes.
fn inventory_kind(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "aws_autoscaling_group" => "auto_scaling_group",
        "aws_db_instance" | "aws_rds_cluster_instance" => "db_instance",
        "aws_rds_cluster" => "db_cluster",
        "aws_security_group" => "security_group",
        "aws_elb" => "classic_load_balancer",
        "aws_lb" | "aws_alb" => "load_balancer",
        "aws_lb_target_group" | "aws_alb_target_group" => "target_group",
        "aws_lb_listener" | "aws_alb_listener" => "listener",
        "aws_launch_template" => "launch_template",
        "aws_launch_configuration" => "launch_configuration",
        "aws_cloudwatch_metric_alarm" => "metric_alarm",
        "aws_autoscaling_policy" => "scaling_policy",
        "aws_sns_topic" => "sns_topic",
        "aws_instance" => "instance",
        "aws_subnet" => "subnet",
        "aws_vpc" => "vpc",
        "aws_route_table" => "route_table",
        "aws_route53_record" => "record_set",
        _ => return None,
    })
}

/// One resource a state holds: the region its ARN names (if any), and its address.
type Held = (Option<String>, String);

/// The resources a state manages, by (inventory kind, id, ARN or name).
#[derive(Debug, Default)]
pub struct Managed {
    /// (kind, id/ARN/name) → the region its ARN names (none for a resource without one),
    /// and its address: a name alone may be another region's resource.
    addresses: HashMap<(String, String), Vec<Held>>,
}

impl Managed {
    pub fn read(path: &Path) -> Result<Managed, TerraformError> {
        let text = std::fs::read_to_string(path).map_err(|source| TerraformError::Read {
            path: path.to_owned(),
            source,
        })?;
        let json: Value = serde_json::from_str(&text).map_err(|e| TerraformError::NotJson {
            path: path.to_owned(),
            line: e.line(),
            column: e.column(),
        })?;
        let not = |message: &str| TerraformError::NotAPlan {
            path: path.to_owned(),
            message: message.to_owned(),
        };
        if json.get("planned_values").is_some() {
            return Err(not(
                "a plan, not a state: give `terraform show -json` without a plan file",
            ));
        }
        let Some(root) = json.pointer("/values/root_module") else {
            return Err(not(
                "no `values.root_module`: not the JSON of `terraform show -json` of a state",
            ));
        };
        let mut managed = Managed::default();
        managed.collect(root);
        Ok(managed)
    }

    fn collect(&mut self, module: &Value) {
        for resource in module["resources"].as_array().into_iter().flatten() {
            if resource["mode"] != "managed" {
                continue;
            }
            let (Some(kind), Some(address)) = (
                resource["type"].as_str().and_then(inventory_kind),
                resource["address"].as_str(),
            ) else {
                continue;
            };
            let region = resource["values"]["arn"]
                .as_str()
                .and_then(|arn| arn.split(':').nth(3))
                .filter(|r| !r.is_empty())
                .map(str::to_owned);
            for key in ["id", "arn", "name", "identifier", "alarm_name"] {
                if let Some(value) = resource["values"][key].as_str().filter(|v| !v.is_empty()) {
                    self.addresses
                        .entry((kind.to_owned(), value.to_owned()))
                        .or_default()
                        .push((region.clone(), address.to_owned()));
                }
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            self.collect(child);
        }
    }

    /// The address of the resource of `kind` in `region` known by `id` (its id, ARN or
    /// name), if the state manages it (one whose ARN names no region is taken as any).
    pub fn address_of(&self, kind: &str, id: &str, region: &str) -> Option<&str> {
        self.addresses
            .get(&(kind.to_owned(), id.to_owned()))?
            .iter()
            .find(|(r, _)| r.as_deref().is_none_or(|r| r == region))
            .map(|(_, address)| address.as_str())
    }
}

impl OwnerRecords for Managed {
    /// Who owns what `action` changes, if this state manages it: the first resource it
    /// edits that the state holds, with the attributes the action sets there.
    fn owner_of(&self, action: &Action, region: &str) -> Option<Owner> {
        use crate::change::IacEdit;
        let edits = action.kind().iac_edits()?;
        let mut found: Option<(String, Vec<String>)> = None;
        for edit in &edits {
            let (resource, field) = match edit {
                IacEdit::Set {
                    resource, field, ..
                }
                | IacEdit::Unset { resource, field }
                | IacEdit::Append {
                    resource, field, ..
                } => (resource, Some(*field)),
                IacEdit::AddIngress { group, .. } | IacEdit::RemoveIngress { group, .. } => {
                    (group, None)
                }
                IacEdit::PrivateLaunches { template, .. } => (template, None),
                // A resource of that name the state holds is mended, not declared anew.
                IacEdit::Declare { kind, name, .. } => {
                    if let Some(address) = self.address_of(kind, name, region) {
                        found.get_or_insert_with(|| (address.to_owned(), Vec::new()));
                    }
                    continue;
                }
                IacEdit::AliasRecord { .. } => continue,
            };
            let Some(address) = self.address_of(resource.kind, &resource.id, region) else {
                continue;
            };
            let entry = found.get_or_insert_with(|| (address.to_owned(), Vec::new()));
            if entry.0 != address {
                continue;
            }
            if let Some(attribute) =
                field.and_then(|f| super::edit::attribute(resource.kind, f).ok())
            {
                entry.1.push(format!("`{attribute}`"));
            }
        }
        found.map(|(address, attributes)| crate::change::Owner::Terraform {
            address,
            attributes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::change::{Action, EnableMultiAz, Owner};

    #[test]
    fn a_step_on_a_resource_the_state_manages_names_its_address_and_attributes() {
        let mut managed = Managed::default();
        managed.collect(&serde_json::json!({"resources": [
            {"mode": "managed", "type": "aws_db_instance", "address": "aws_db_instance.db",
             "values": {"id": "db-ABC", "identifier": "shop-db", "arn": "arn:aws:rds:us-east-1:123456789012:db:shop-db"}},
            {"mode": "managed", "type": "aws_launch_template", "address": "aws_launch_template.app",
             "values": {"id": "lt-1", "name": "shop-db"}}
        ]}));
        let action = Action::EnableMultiAz(EnableMultiAz {
            db_instance: "shop-db".into(),
        });
        let owner = managed.owner_of(&action, "us-east-1");
        assert_eq!(
            owner,
            Some(Owner::Terraform {
                address: "aws_db_instance.db".into(),
                attributes: vec!["`multi_az`".into(), "`availability_zone`".into()],
            })
        );
        // A name alone is not enough: the launch template called alike is another resource,
        // and so is a database of that name in another region.
        assert_eq!(
            managed.address_of("launch_template", "shop-db", "us-east-1"),
            Some("aws_launch_template.app")
        );
        assert_eq!(
            managed.address_of("auto_scaling_group", "shop-db", "us-east-1"),
            None
        );
        assert_eq!(managed.owner_of(&action, "eu-west-1"), None);
    }
}
