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

use super::{Action, Plan, Safety};
use crate::change::{
    AttachClassicLoadBalancers, AttachTargetGroups, AuthorizeIngress, ConvertLaunchConfiguration,
    CreateListener, DisablePublicAccess, EnableCrossZone, EnableMultiAz, Manual,
    NewTemplateVersion, RevokeIngress, SetCapacity, SetHealthCheck, SetLoadBalancerSubnets,
    SetSubnets, StartInstanceRefresh, StopInstance, TemplateVersionWithoutPublicIp,
};
use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, DbInstance, Index, Instance, LaunchTemplate,
    LoadBalancer, SecurityGroup, Tags,
};

pub const STACK_NAME_TAG: &str = "aws:cloudformation:stack-name";
pub const LOGICAL_ID_TAG: &str = "aws:cloudformation:logical-id";
pub const BEANSTALK_TAG: &str = "elasticbeanstalk:environment-name";

/// Who owns a resource, by its tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    Stack { name: String, logical_id: String },
    Beanstalk { environment: String },
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

/// The tags of the resource `action` changes, where the inventory has them.
fn target_tags<'i>(action: &Action, region: &str, index: &'i Index) -> Option<&'i Tags> {
    match action {
        Action::RevokeIngress(RevokeIngress { group_id, .. })
        | Action::AuthorizeIngress(AuthorizeIngress { group_id, .. }) => {
            Some(&index.find::<SecurityGroup>(region, group_id)?.tags)
        }
        Action::SetCapacity(SetCapacity { group, .. })
        | Action::SetHealthCheck(SetHealthCheck { group, .. })
        | Action::AttachTargetGroups(AttachTargetGroups { group, .. })
        | Action::AttachClassicLoadBalancers(AttachClassicLoadBalancers { group, .. })
        | Action::SetSubnets(SetSubnets { group, .. })
        | Action::ConvertLaunchConfiguration(ConvertLaunchConfiguration { group, .. })
        | Action::StartInstanceRefresh(StartInstanceRefresh { group, .. }) => {
            Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
        }
        // A new version of the launch template: its owner is the template's (else the
        // group's, which names it).
        Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp {
            group,
            template_id,
            ..
        }) => {
            let template = &index.find::<LaunchTemplate>(region, template_id)?.tags;
            if Owner::of(template).is_some() {
                Some(template)
            } else {
                Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
            }
        }
        Action::EnableMultiAz(EnableMultiAz { db_instance })
        | Action::DisablePublicAccess(DisablePublicAccess { db_instance }) => {
            Some(&index.find::<DbInstance>(region, db_instance)?.tags)
        }
        Action::StopInstance(StopInstance { instance_id }) => {
            Some(&index.find::<Instance>(region, instance_id)?.tags)
        }
        Action::NewTemplateVersion(NewTemplateVersion { template_id, .. }) => {
            Some(&index.find::<LaunchTemplate>(region, template_id)?.tags)
        }
        Action::EnableCrossZone(EnableCrossZone { load_balancer }) => Some(
            &index
                .find::<ClassicLoadBalancer>(region, load_balancer)?
                .tags,
        ),
        // A listener added to a load balancer a stack owns changes what the stack deploys.
        Action::SetLoadBalancerSubnets(SetLoadBalancerSubnets {
            load_balancer_arn, ..
        })
        | Action::CreateListener(CreateListener {
            load_balancer_arn, ..
        }) => Some(&index.by_arn::<LoadBalancer>(load_balancer_arn)?.tags),
        _ => None,
    }
}

/// Whether `action` changes a load balancer whose tags could not be read: whether a stack
/// owns it is not known, so it is not changed here either.
fn owner_unknown(action: &Action, region: &str, index: &Index) -> bool {
    match action {
        Action::EnableCrossZone(EnableCrossZone { load_balancer }) => index
            .find::<ClassicLoadBalancer>(region, load_balancer)
            .is_some_and(|lb| lb.tags_unread),
        Action::SetLoadBalancerSubnets(SetLoadBalancerSubnets {
            load_balancer_arn, ..
        })
        | Action::CreateListener(CreateListener {
            load_balancer_arn, ..
        }) => index
            .by_arn::<LoadBalancer>(load_balancer_arn)
            .is_some_and(|lb| lb.tags_unread),
        _ => false,
    }
}

/// What to change in a template for `action`: the property and its new value.
fn template_change(action: &Action) -> String {
    match action {
        Action::RevokeIngress(RevokeIngress { rule, .. }) => {
            format!("remove `{}` from `SecurityGroupIngress`", rule.text())
        }
        Action::AuthorizeIngress(AuthorizeIngress { rule, .. }) => {
            format!("add `{}` to `SecurityGroupIngress`", rule.text())
        }
        Action::SetCapacity(SetCapacity {
            min_size,
            desired_capacity,
            max_size,
            ..
        }) => {
            format!(
                "set `MinSize: {min_size}` (with `DesiredCapacity` ≥ {desired_capacity}, `MaxSize` ≥ {max_size})"
            )
        }
        Action::SetHealthCheck(SetHealthCheck {
            health_check_type,
            grace_period,
            ..
        }) => {
            format!(
                "set `HealthCheckType: {health_check_type}` and `HealthCheckGracePeriod: {grace_period}`"
            )
        }
        Action::AttachTargetGroups(AttachTargetGroups {
            target_group_arns, ..
        }) => format!("add {} to `TargetGroupARNs`", target_group_arns.join(", ")),
        Action::AttachClassicLoadBalancers(AttachClassicLoadBalancers {
            load_balancer_names,
            ..
        }) => format!(
            "add {} to `LoadBalancerNames`",
            load_balancer_names.join(", ")
        ),
        Action::SetSubnets(SetSubnets { subnet_ids, .. }) => {
            format!("set `VPCZoneIdentifier` to {}", subnet_ids.join(", "))
        }
        Action::ConvertLaunchConfiguration(ConvertLaunchConfiguration { .. }) => {
            "replace `LaunchConfigurationName` with a `LaunchTemplate`".to_owned()
        }
        Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp { .. })
        | Action::NewTemplateVersion(NewTemplateVersion { .. }) => {
            "set `AssociatePublicIpAddress: false` in the launch template's network interface"
                .to_owned()
        }
        Action::EnableMultiAz(EnableMultiAz { .. }) => "set `MultiAZ: true`".to_owned(),
        Action::DisablePublicAccess(DisablePublicAccess { .. }) => {
            "set `PubliclyAccessible: false`".to_owned()
        }
        Action::StartInstanceRefresh(StartInstanceRefresh { .. }) => {
            "deploy the stack (its update replaces the instances)".to_owned()
        }
        Action::StopInstance(StopInstance { .. }) => {
            "remove the instance from the template once its replacement serves".to_owned()
        }
        Action::EnableCrossZone(EnableCrossZone { .. }) => "set `CrossZone: true`".to_owned(),
        Action::SetLoadBalancerSubnets(SetLoadBalancerSubnets { subnet_ids, .. }) => {
            format!("set `Subnets` to {}", subnet_ids.join(", "))
        }
        Action::CreateListener(CreateListener {
            port, forward_to, ..
        }) => match forward_to {
            Some(target_group) => format!(
                "add an `AWS::ElasticLoadBalancingV2::Listener` on port {port} forwarding to {target_group}"
            ),
            None => format!(
                "add an `AWS::ElasticLoadBalancingV2::Listener` on port {port} redirecting to HTTPS"
            ),
        },
        other => other.summary(),
    }
}

/// The environment option for `action` where Beanstalk has one.
fn beanstalk_option(action: &Action) -> &'static str {
    match action {
        Action::SetCapacity(SetCapacity { .. }) => "`aws:autoscaling:asg` `MinSize`",
        Action::RevokeIngress(RevokeIngress { .. })
        | Action::AuthorizeIngress(AuthorizeIngress { .. }) => {
            "`aws:autoscaling:launchconfiguration` `SecurityGroups` (or the group's rules in `.ebextensions`)"
        }
        Action::EnableMultiAz(EnableMultiAz { .. }) => "`aws:rds:dbinstance` `MultiAZDatabase`",
        Action::SetSubnets(SetSubnets { .. }) => "`aws:ec2:vpc` `Subnets`",
        Action::TemplateVersionWithoutPublicIp(TemplateVersionWithoutPublicIp { .. })
        | Action::NewTemplateVersion(NewTemplateVersion { .. }) => {
            "`aws:ec2:vpc` `AssociatePublicIpAddress`"
        }
        Action::SetHealthCheck(SetHealthCheck { .. }) => {
            "`aws:elasticbeanstalk:environment` `LoadBalancerType` with an ELB health check (`aws:autoscaling:asg`)"
        }
        _ => "the environment's configuration",
    }
}

fn instruction(owner: &Owner, action: &Action) -> String {
    match owner {
        Owner::Stack { name, logical_id } => format!(
            "owned by CloudFormation stack `{name}` (logical id `{logical_id}`): {} in its template and deploy it; changed here, the next deploy would undo it and leave drift (`--override-iac` changes it here anyway)",
            template_change(action)
        ),
        Owner::Beanstalk { environment } => format!(
            "managed by Elastic Beanstalk environment `{environment}`: change {} (`eb config` or `option_settings`) for: {}; changed here, the environment would undo it (`--override-iac` changes it here anyway)",
            beanstalk_option(action),
            template_change(action)
        ),
    }
}

/// The plan with every step on an owned resource, and every step waiting for one, made a
/// manual instruction for the owner.
pub fn hand_to_owners(mut plan: Plan, index: &Index) -> Plan {
    let mut handed: BTreeSet<String> = BTreeSet::new();
    for step in &mut plan.steps {
        if step.safety == Safety::Manual {
            continue;
        }
        let owner = target_tags(&step.action, &step.region, index).and_then(Owner::of);
        let instruction = match owner {
            Some(owner) => instruction(&owner, &step.action),
            None if owner_unknown(&step.action, &step.region, index) => format!(
                "its tags could not be read (`elasticloadbalancing:DescribeTags` was refused), so whether a CloudFormation stack owns it is not known: if one does, {} in its template and deploy it; if none does, `--override-iac` changes it here",
                template_change(&step.action)
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
        let mut inventory = crate::snapshot::parse(
            crate::snapshot::example("compliant").unwrap(),
            std::path::Path::new("compliant"),
        )
        .unwrap();
        let arn = inventory.load_balancers[0].arn.clone();
        let plan = |inventory: crate::inventory::Inventory| {
            let action = Action::CreateListener(CreateListener {
                load_balancer_arn: arn.clone(),
                port: 80,
                certificate_arn: None,
                forward_to: None,
            });
            let plan = Plan::of(vec![crate::plan::Step::of(action)]);
            hand_to_owners(plan, &Index::new(inventory)).steps.remove(0)
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
