//! The closed set of changes `hacheck fix` can make, as plain data.
//!
//! Each action says what it changes (before → after), which IAM permissions it needs,
//! whether it is safe, unsafe (moves or restarts things; needs `--unsafe`) or manual
//! (printed, never applied), and which resource it targets. How an action is checked
//! against live state and applied lives in `crate::execute`; nothing here calls AWS.
//!
//! Strings of the form `ref:<step id>` stand for the id or ARN that an earlier step of the
//! same plan creates; the executor resolves them when it applies the step.

use serde::{Deserialize, Serialize};

use crate::inventory::SgRule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    /// Changes placement or restarts something; applied only with `--unsafe`.
    Unsafe,
    /// Printed as an instruction; hacheck never applies it.
    Manual,
}

/// The prefix of a reference to another step's output.
pub const REF_PREFIX: &str = "ref:";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Removes one inbound rule from a security group.
    RevokeIngress { group_id: String, rule: SgRule },
    /// Adds one inbound rule (its peer may be a `ref:`).
    AuthorizeIngress { group_id: String, rule: SgRule },
    /// Sets an Auto Scaling group's minimum (raising desired and maximum when below it).
    SetCapacity {
        group: String,
        min_size: i32,
        desired_capacity: i32,
        max_size: i32,
        before: [i32; 3],
    },
    /// Switches a group to load-balancer health checks.
    SetHealthCheck {
        group: String,
        health_check_type: String,
        grace_period: i32,
        before: String,
    },
    /// Attaches target groups to an Auto Scaling group.
    AttachTargetGroups {
        group: String,
        target_group_arns: Vec<String>,
    },
    /// Replaces a group's subnets (instances move: unsafe).
    SetSubnets {
        group: String,
        subnet_ids: Vec<String>,
        before: Vec<String>,
    },
    /// Creates a launch template from the group's launch configuration (same AMI, type,
    /// groups and user data, no public IP) and points the group at it.
    ConvertLaunchConfiguration {
        group: String,
        launch_configuration: String,
        template_name: String,
    },
    /// Creates a launch-template version without public IPs from the group's version and
    /// points the group at `$Latest`. Running instances keep theirs until replaced.
    TemplateVersionWithoutPublicIp {
        group: String,
        template_id: String,
        source_version: i64,
    },
    /// Turns on Multi-AZ (a standby in another zone; I/O load while it is built).
    EnableMultiAz { db_instance: String },
    /// Makes a DB instance not publicly accessible.
    DisablePublicAccess { db_instance: String },
    /// Creates an SNS topic (idempotent by name); outputs its ARN.
    CreateTopic { name: String },
    /// Subscribes an email address to a topic (which may be a `ref:`).
    SubscribeEmail { topic_arn: String, email: String },
    /// Creates or updates a simple scaling policy; outputs its ARN.
    PutScalingPolicy {
        group: String,
        name: String,
        adjustment: i32,
    },
    /// Creates or updates an alarm on the group's average CPU.
    PutCpuAlarm {
        group: String,
        name: String,
        comparison_operator: String,
        threshold: f64,
        actions: Vec<String>,
    },
    /// Points a record at a load balancer with a Route 53 alias (UPSERT).
    UpsertAliasRecord {
        zone_id: String,
        name: String,
        dns_name: String,
        target_zone_id: String,
    },
    /// A change hacheck does not make itself.
    Manual {
        resource: String,
        instruction: String,
    },
}

/// A line of "what changes" for the plan output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

fn change(field: &str, before: impl ToString, after: impl ToString) -> Change {
    Change {
        field: field.to_owned(),
        before: before.to_string(),
        after: after.to_string(),
    }
}

/// `tcp 22 from 0.0.0.0/0`.
pub fn describe_rule(rule: &SgRule) -> String {
    let ports = if rule.protocol == "all" {
        "all ports".to_owned()
    } else if rule.from_port == rule.to_port {
        rule.from_port.to_string()
    } else {
        format!("{}-{}", rule.from_port, rule.to_port)
    };
    let peer = rule
        .cidr_ipv4
        .as_deref()
        .or(rule.cidr_ipv6.as_deref())
        .or(rule.source_group_id.as_deref())
        .or(rule.prefix_list_id.as_deref())
        .unwrap_or("?");
    format!("{} {ports} from {peer}", rule.protocol)
}

impl Action {
    /// Stable id of the step this action becomes; equal ids are the same change.
    pub fn key(&self) -> String {
        match self {
            Action::RevokeIngress { group_id, rule } => {
                format!("revoke-ingress:{group_id}:{}", describe_rule(rule))
            }
            Action::AuthorizeIngress { group_id, rule } => {
                format!("authorize-ingress:{group_id}:{}", describe_rule(rule))
            }
            Action::SetCapacity { group, .. } => format!("set-capacity:{group}"),
            Action::SetHealthCheck { group, .. } => format!("set-health-check:{group}"),
            Action::AttachTargetGroups { group, .. } => format!("attach-target-groups:{group}"),
            Action::SetSubnets { group, .. } => format!("set-subnets:{group}"),
            Action::ConvertLaunchConfiguration { group, .. } => format!("launch-template:{group}"),
            Action::TemplateVersionWithoutPublicIp { group, .. } => {
                format!("launch-template:{group}")
            }
            Action::EnableMultiAz { db_instance } => format!("multi-az:{db_instance}"),
            Action::DisablePublicAccess { db_instance } => format!("private:{db_instance}"),
            Action::CreateTopic { name } => format!("topic:{name}"),
            Action::SubscribeEmail { topic_arn, email } => format!("subscribe:{topic_arn}:{email}"),
            Action::PutScalingPolicy { group, name, .. } => {
                format!("scaling-policy:{group}:{name}")
            }
            Action::PutCpuAlarm { name, .. } => format!("alarm:{name}"),
            Action::UpsertAliasRecord { zone_id, name, .. } => format!("alias:{zone_id}:{name}"),
            Action::Manual {
                resource,
                instruction,
            } => format!("manual:{resource}:{instruction}"),
        }
    }

    pub fn safety(&self) -> Safety {
        match self {
            Action::SetSubnets { .. } | Action::EnableMultiAz { .. } => Safety::Unsafe,
            Action::Manual { .. } => Safety::Manual,
            _ => Safety::Safe,
        }
    }

    /// `+` creates, `~` updates, `-` removes (terraform's symbols).
    pub fn symbol(&self) -> char {
        match self {
            Action::RevokeIngress { .. } => '-',
            Action::AuthorizeIngress { .. }
            | Action::CreateTopic { .. }
            | Action::SubscribeEmail { .. }
            | Action::PutScalingPolicy { .. }
            | Action::PutCpuAlarm { .. }
            | Action::ConvertLaunchConfiguration { .. }
            | Action::TemplateVersionWithoutPublicIp { .. } => '+',
            Action::Manual { .. } => '!',
            _ => '~',
        }
    }

    /// The resource the action changes, as people name it.
    pub fn target(&self) -> String {
        match self {
            Action::RevokeIngress { group_id, .. } | Action::AuthorizeIngress { group_id, .. } => {
                group_id.clone()
            }
            Action::SetCapacity { group, .. }
            | Action::SetHealthCheck { group, .. }
            | Action::AttachTargetGroups { group, .. }
            | Action::SetSubnets { group, .. }
            | Action::ConvertLaunchConfiguration { group, .. }
            | Action::TemplateVersionWithoutPublicIp { group, .. } => group.clone(),
            Action::EnableMultiAz { db_instance } | Action::DisablePublicAccess { db_instance } => {
                db_instance.clone()
            }
            Action::CreateTopic { name } => name.clone(),
            Action::SubscribeEmail { topic_arn, .. } => topic_arn.clone(),
            Action::PutScalingPolicy { name, .. } | Action::PutCpuAlarm { name, .. } => {
                name.clone()
            }
            Action::UpsertAliasRecord { name, .. } => name.clone(),
            Action::Manual { resource, .. } => resource.clone(),
        }
    }

    /// A short description: "revoke ingress rule", "set capacity", ….
    pub fn summary(&self) -> String {
        match self {
            Action::RevokeIngress { rule, .. } => {
                format!("security group: revoke {}", describe_rule(rule))
            }
            Action::AuthorizeIngress { rule, .. } => {
                format!("security group: authorize {}", describe_rule(rule))
            }
            Action::SetCapacity { .. } => "auto scaling group: capacity".into(),
            Action::SetHealthCheck { .. } => "auto scaling group: health check".into(),
            Action::AttachTargetGroups { .. } => "auto scaling group: attach target groups".into(),
            Action::SetSubnets { .. } => {
                "auto scaling group: subnets (instances are replaced)".into()
            }
            Action::ConvertLaunchConfiguration { .. } => {
                "auto scaling group: launch template from launch configuration".into()
            }
            Action::TemplateVersionWithoutPublicIp { .. } => {
                "launch template: new version without public IP".into()
            }
            Action::EnableMultiAz { .. } => "db instance: Multi-AZ".into(),
            Action::DisablePublicAccess { .. } => "db instance: public access".into(),
            Action::CreateTopic { .. } => "sns topic".into(),
            Action::SubscribeEmail { .. } => "sns subscription".into(),
            Action::PutScalingPolicy { .. } => "scaling policy".into(),
            Action::PutCpuAlarm { .. } => "cloudwatch alarm".into(),
            Action::UpsertAliasRecord { .. } => "route 53 alias record".into(),
            Action::Manual { instruction, .. } => format!("manual step: {instruction}"),
        }
    }

    /// Field changes, before → after.
    pub fn changes(&self) -> Vec<Change> {
        match self {
            Action::RevokeIngress { rule, .. } => {
                vec![change("ingress", describe_rule(rule), "(none)")]
            }
            Action::AuthorizeIngress { rule, .. } => {
                vec![change("ingress", "(none)", describe_rule(rule))]
            }
            Action::SetCapacity {
                min_size,
                desired_capacity,
                max_size,
                before,
                ..
            } => vec![
                change("min_size", before[0], min_size),
                change("desired_capacity", before[1], desired_capacity),
                change("max_size", before[2], max_size),
            ],
            Action::SetHealthCheck {
                health_check_type,
                grace_period,
                before,
                ..
            } => vec![
                change("health_check_type", before, health_check_type),
                change("health_check_grace_period", "", grace_period),
            ],
            Action::AttachTargetGroups {
                target_group_arns, ..
            } => vec![change("target_groups", "", target_group_arns.join(", "))],
            Action::SetSubnets {
                subnet_ids, before, ..
            } => vec![change("subnets", before.join(", "), subnet_ids.join(", "))],
            Action::ConvertLaunchConfiguration {
                launch_configuration,
                template_name,
                ..
            } => vec![
                change("launch_configuration", launch_configuration, "(none)"),
                change(
                    "launch_template",
                    "(none)",
                    format!("{template_name} (no public IP, same AMI and user data)"),
                ),
            ],
            Action::TemplateVersionWithoutPublicIp {
                template_id,
                source_version,
                ..
            } => vec![change(
                "associate_public_ip",
                format!("true ({template_id} v{source_version})"),
                "false ($Latest)",
            )],
            Action::EnableMultiAz { .. } => vec![change("multi_az", false, true)],
            Action::DisablePublicAccess { .. } => vec![change("publicly_accessible", true, false)],
            Action::CreateTopic { name } => vec![change("name", "", name)],
            Action::SubscribeEmail { email, .. } => vec![change("email", "", email)],
            Action::PutScalingPolicy {
                group, adjustment, ..
            } => vec![change(
                "adjustment",
                "",
                format!("{adjustment:+} instance(s) of {group}"),
            )],
            Action::PutCpuAlarm {
                group,
                comparison_operator,
                threshold,
                actions,
                ..
            } => vec![
                change(
                    "metric",
                    "",
                    format!("AWS/EC2 CPUUtilization Average of {group}"),
                ),
                change(
                    "condition",
                    "",
                    format!("{comparison_operator} {threshold}"),
                ),
                change("actions", "", actions.join(", ")),
            ],
            Action::UpsertAliasRecord { dns_name, .. } => vec![change("alias", "", dns_name)],
            Action::Manual { .. } => Vec::new(),
        }
    }

    /// IAM permissions the executor needs for this action (read-backs included).
    pub fn permissions(&self) -> &'static [&'static str] {
        match self {
            Action::RevokeIngress { .. } => &[
                "ec2:DescribeSecurityGroups",
                "ec2:RevokeSecurityGroupIngress",
            ],
            Action::AuthorizeIngress { .. } => &[
                "ec2:DescribeSecurityGroups",
                "ec2:AuthorizeSecurityGroupIngress",
            ],
            Action::SetCapacity { .. }
            | Action::SetHealthCheck { .. }
            | Action::SetSubnets { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:UpdateAutoScalingGroup",
            ],
            Action::AttachTargetGroups { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:AttachLoadBalancerTargetGroups",
            ],
            Action::ConvertLaunchConfiguration { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeLaunchConfigurations",
                "ec2:CreateLaunchTemplate",
                "ec2:DescribeLaunchTemplates",
                "autoscaling:UpdateAutoScalingGroup",
                "iam:PassRole",
            ],
            Action::TemplateVersionWithoutPublicIp { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:CreateLaunchTemplateVersion",
                "autoscaling:UpdateAutoScalingGroup",
            ],
            Action::EnableMultiAz { .. } | Action::DisablePublicAccess { .. } => {
                &["rds:DescribeDBInstances", "rds:ModifyDBInstance"]
            }
            Action::CreateTopic { .. } => &["sns:ListTopics", "sns:CreateTopic", "sns:TagResource"],
            Action::SubscribeEmail { .. } => &["sns:ListSubscriptionsByTopic", "sns:Subscribe"],
            Action::PutScalingPolicy { .. } => &[
                "autoscaling:DescribePolicies",
                "autoscaling:PutScalingPolicy",
            ],
            Action::PutCpuAlarm { .. } => {
                &["cloudwatch:DescribeAlarms", "cloudwatch:PutMetricAlarm"]
            }
            Action::UpsertAliasRecord { .. } => &[
                "route53:ListResourceRecordSets",
                "route53:ChangeResourceRecordSets",
            ],
            Action::Manual { .. } => &[],
        }
    }

    /// Step ids this action's `ref:` strings point at.
    pub fn references(&self) -> Vec<String> {
        let text = serde_json::to_string(self).expect("action serialises");
        let mut found: Vec<String> = text
            .split('"')
            .filter_map(|s| s.strip_prefix(REF_PREFIX))
            .map(str::to_owned)
            .collect();
        found.sort();
        found.dedup();
        found
    }
}
