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

/// The tag on everything a plan creates, so that a reader (and the predictor) knows it is
/// hacheck's.
pub const MANAGED_TAG: (&str, &str) = ("hacheck:managed", "true");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Removes one inbound rule from a security group.
    RevokeIngress {
        group_id: String,
        rule: SgRule,
    },
    /// Adds one inbound rule (its peer may be a `ref:`).
    AuthorizeIngress {
        group_id: String,
        rule: SgRule,
    },
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
    /// Registers a group's instances with Classic Load Balancers, by name.
    AttachClassicLoadBalancers {
        group: String,
        load_balancer_names: Vec<String>,
    },
    /// Turns cross-zone load balancing on for a Classic Load Balancer.
    EnableCrossZone {
        load_balancer: String,
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
    EnableMultiAz {
        db_instance: String,
    },
    /// Adds a reader instance in another zone to a DB cluster whose instances share one
    /// zone, so that a zone failure promotes it instead of stopping the database.
    AddClusterReader {
        cluster: String,
        instance_id: String,
        availability_zone: String,
        instance_class: String,
        engine: String,
    },
    /// Makes a DB instance not publicly accessible.
    DisablePublicAccess {
        db_instance: String,
    },
    /// Creates an SNS topic (idempotent by name); outputs its ARN.
    CreateTopic {
        name: String,
    },
    /// Subscribes an email address to a topic (which may be a `ref:`).
    SubscribeEmail {
        topic_arn: String,
        email: String,
    },
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
        /// What a person following the instruction changes, where it can be stated: the
        /// predictor judges it like an action, so advice that would cut a path users have
        /// is refused rather than printed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        following: Vec<Advice>,
    },

    // The stack builder's actions (`hacheck fix --spec`): each finds its resource by name
    // first, so a half-built stack is completed rather than duplicated.
    CreateVpc {
        name: String,
        cidr: String,
    },
    CreateSubnet {
        name: String,
        vpc_id: String,
        cidr: String,
        zone: String,
    },
    /// Creates an internet gateway and attaches it to the VPC.
    CreateInternetGateway {
        name: String,
        vpc_id: String,
    },
    /// Allocates an Elastic IP and creates a NAT gateway in a public subnet.
    CreateNatGateway {
        name: String,
        subnet_id: String,
    },
    /// A route table whose default route goes to `default_target` (igw-… or nat-…),
    /// associated with `subnet_ids`.
    CreateRouteTable {
        name: String,
        vpc_id: String,
        default_target: String,
        subnet_ids: Vec<String>,
    },
    CreateSecurityGroup {
        name: String,
        vpc_id: String,
        description: String,
    },
    /// A bastion host with a public IP, tagged `hacheck:role=bastion`.
    RunBastion {
        name: String,
        image_id: String,
        instance_type: String,
        subnet_id: String,
        security_group_id: String,
    },
    /// Stops an instance (its volumes and data are kept). Unsafe.
    StopInstance {
        instance_id: String,
    },
    /// Creates an AMI from an instance; outputs its id.
    CreateImage {
        name: String,
        instance_id: String,
    },
    CreateLaunchTemplate {
        name: String,
        image_id: String,
        instance_type: String,
        security_group_id: String,
        user_data: Option<String>,
    },
    /// A new launch-template version with another AMI, made the default.
    NewTemplateVersion {
        template_id: String,
        image_id: String,
        before: String,
    },
    /// Replaces a group's instances in rolling fashion, keeping `min_healthy_percentage`;
    /// with `max_healthy_percentage` above 100 it launches each replacement before it
    /// terminates the instance it replaces, so capacity never drops.
    StartInstanceRefresh {
        group: String,
        min_healthy_percentage: i32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_healthy_percentage: Option<i32>,
    },
    CreateTargetGroup {
        name: String,
        vpc_id: String,
        port: i32,
        health_check_path: String,
    },
    CreateLoadBalancer {
        name: String,
        subnet_ids: Vec<String>,
        security_group_id: String,
    },
    /// Puts a load balancer in these subnets (one per zone): it gains nodes in their zones.
    SetLoadBalancerSubnets {
        load_balancer_arn: String,
        name: String,
        subnet_ids: Vec<String>,
        before: Vec<String>,
    },
    /// A listener forwarding to a target group, or (without one) redirecting to HTTPS.
    CreateListener {
        load_balancer_arn: String,
        port: i32,
        certificate_arn: Option<String>,
        forward_to: Option<String>,
    },
    CreateAutoScalingGroup {
        name: String,
        launch_template_id: String,
        subnet_ids: Vec<String>,
        min_size: i32,
        desired_capacity: i32,
        max_size: i32,
        target_group_arn: String,
    },
    CreateDbSubnetGroup {
        name: String,
        subnet_ids: Vec<String>,
    },
    /// A new DB instance; an existing one is never recreated.
    CreateDbInstance {
        id: String,
        engine: String,
        instance_class: String,
        allocated_storage: i32,
        subnet_group: String,
        security_group_id: String,
        multi_az: bool,
        master_username: String,
    },
    /// An alias record to a load balancer, whose DNS name is read when applied.
    AliasToLoadBalancer {
        zone_id: String,
        name: String,
        load_balancer_arn: String,
    },
}

/// A change a manual step asks a person to make, stated so that the plan predictor can
/// judge it. Never applied by hacheck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Advice {
    /// The listener's default action becomes a forward to the target group.
    ForwardListener {
        listener_arn: String,
        target_group_arn: String,
    },
    /// The listener's default action becomes a redirect to HTTPS on 443.
    RedirectListenerToHttps { listener_arn: String },
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

/// What follows `marker` in an ARN (`app/web/0123/80` of a listener), else the whole ARN.
fn arn_tail<'a>(arn: &'a str, marker: &str) -> &'a str {
    arn.split_once(marker).map_or(arn, |(_, tail)| tail)
}

impl Action {
    /// Stable id of the step this action becomes; equal ids are the same change.
    pub fn key(&self) -> String {
        match self {
            Action::RevokeIngress { group_id, rule } => {
                format!("revoke-ingress:{group_id}:{}", rule.text())
            }
            Action::AuthorizeIngress { group_id, rule } => {
                format!("authorize-ingress:{group_id}:{}", rule.text())
            }
            Action::SetCapacity { group, .. } => format!("set-capacity:{group}"),
            Action::SetHealthCheck { group, .. } => format!("set-health-check:{group}"),
            Action::AttachTargetGroups { group, .. } => format!("attach-target-groups:{group}"),
            Action::AttachClassicLoadBalancers { group, .. } => {
                format!("attach-classic-load-balancers:{group}")
            }
            Action::EnableCrossZone { load_balancer } => format!("cross-zone:{load_balancer}"),
            Action::SetSubnets { group, .. } => format!("set-subnets:{group}"),
            Action::SetLoadBalancerSubnets { name, .. } => format!("load-balancer-subnets:{name}"),
            Action::ConvertLaunchConfiguration { group, .. } => format!("launch-template:{group}"),
            Action::TemplateVersionWithoutPublicIp { group, .. } => {
                format!("launch-template:{group}")
            }
            Action::EnableMultiAz { db_instance } => format!("multi-az:{db_instance}"),
            Action::AddClusterReader { cluster, .. } => format!("cluster-reader:{cluster}"),
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
                ..
            } => format!("manual:{resource}:{instruction}"),
            Action::CreateVpc { name, .. } => format!("vpc:{name}"),
            Action::CreateSubnet { name, .. } => format!("subnet:{name}"),
            Action::CreateInternetGateway { name, .. } => format!("internet-gateway:{name}"),
            Action::CreateNatGateway { name, .. } => format!("nat-gateway:{name}"),
            Action::CreateRouteTable { name, .. } => format!("route-table:{name}"),
            Action::CreateSecurityGroup { name, .. } => format!("security-group:{name}"),
            Action::RunBastion { name, .. } => format!("bastion:{name}"),
            Action::StopInstance { instance_id } => format!("stop:{instance_id}"),
            Action::CreateImage { name, .. } => format!("image:{name}"),
            Action::CreateLaunchTemplate { name, .. } => format!("new-launch-template:{name}"),
            Action::NewTemplateVersion {
                template_id,
                image_id,
                ..
            } => format!("template-version:{template_id}:{image_id}"),
            Action::StartInstanceRefresh { group, .. } => format!("instance-refresh:{group}"),
            Action::CreateTargetGroup { name, .. } => format!("target-group:{name}"),
            Action::CreateLoadBalancer { name, .. } => format!("load-balancer:{name}"),
            Action::CreateListener {
                load_balancer_arn,
                port,
                ..
            } => format!("listener:{load_balancer_arn}:{port}"),
            Action::CreateAutoScalingGroup { name, .. } => format!("auto-scaling-group:{name}"),
            Action::CreateDbSubnetGroup { name, .. } => format!("db-subnet-group:{name}"),
            Action::CreateDbInstance { id, .. } => format!("db-instance:{id}"),
            Action::AliasToLoadBalancer { zone_id, name, .. } => format!("alias:{zone_id}:{name}"),
        }
    }

    pub fn safety(&self) -> Safety {
        match self {
            Action::SetSubnets { .. }
            | Action::EnableMultiAz { .. }
            | Action::StopInstance { .. } => Safety::Unsafe,
            Action::StartInstanceRefresh {
                min_healthy_percentage,
                max_healthy_percentage,
                ..
            } if *min_healthy_percentage < 100
                || max_healthy_percentage.is_none_or(|max| max <= 100) =>
            {
                Safety::Unsafe
            }
            Action::Manual { .. } => Safety::Manual,
            _ => Safety::Safe,
        }
    }
    /// What the step adds to the bill, when it does: said beside the step, so that nobody
    /// applies a NAT gateway or a standby database without knowing.
    pub fn cost(&self) -> Option<&'static str> {
        match self {
            Action::CreateNatGateway { .. } => {
                Some("billed hourly and per GB it carries (a NAT gateway and its Elastic IP)")
            }
            Action::EnableMultiAz { .. } => {
                Some("about doubles the database's instance and storage cost (a standby)")
            }
            Action::AddClusterReader { .. } | Action::CreateDbInstance { .. } => {
                Some("billed hourly (a DB instance)")
            }
            Action::RunBastion { .. } => Some("billed hourly (an EC2 instance)"),
            Action::CreateLoadBalancer { .. } => {
                Some("billed hourly and per capacity unit (a load balancer)")
            }
            Action::CreateAutoScalingGroup { .. } => Some("its instances are billed hourly"),
            _ => None,
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
            Action::CreateVpc { .. }
            | Action::CreateSubnet { .. }
            | Action::CreateInternetGateway { .. }
            | Action::CreateNatGateway { .. }
            | Action::CreateRouteTable { .. }
            | Action::CreateSecurityGroup { .. }
            | Action::RunBastion { .. }
            | Action::CreateImage { .. }
            | Action::CreateLaunchTemplate { .. }
            | Action::NewTemplateVersion { .. }
            | Action::CreateTargetGroup { .. }
            | Action::CreateLoadBalancer { .. }
            | Action::CreateListener { .. }
            | Action::CreateAutoScalingGroup { .. }
            | Action::CreateDbSubnetGroup { .. }
            | Action::CreateDbInstance { .. }
            | Action::AddClusterReader { .. } => '+',
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
            | Action::AttachClassicLoadBalancers { group, .. }
            | Action::SetSubnets { group, .. }
            | Action::ConvertLaunchConfiguration { group, .. }
            | Action::TemplateVersionWithoutPublicIp { group, .. } => group.clone(),
            Action::SetLoadBalancerSubnets { name, .. } => name.clone(),
            Action::EnableCrossZone { load_balancer } => load_balancer.clone(),
            Action::EnableMultiAz { db_instance } | Action::DisablePublicAccess { db_instance } => {
                db_instance.clone()
            }
            Action::AddClusterReader { cluster, .. } => cluster.clone(),
            Action::CreateTopic { name } => name.clone(),
            Action::SubscribeEmail { topic_arn, .. } => topic_arn.clone(),
            Action::PutScalingPolicy { name, .. } | Action::PutCpuAlarm { name, .. } => {
                name.clone()
            }
            Action::UpsertAliasRecord { name, .. } => name.clone(),
            Action::Manual { resource, .. } => resource.clone(),
            Action::CreateVpc { name, .. }
            | Action::CreateSubnet { name, .. }
            | Action::CreateInternetGateway { name, .. }
            | Action::CreateNatGateway { name, .. }
            | Action::CreateRouteTable { name, .. }
            | Action::CreateSecurityGroup { name, .. }
            | Action::RunBastion { name, .. }
            | Action::CreateImage { name, .. }
            | Action::CreateLaunchTemplate { name, .. }
            | Action::CreateTargetGroup { name, .. }
            | Action::CreateLoadBalancer { name, .. }
            | Action::CreateAutoScalingGroup { name, .. }
            | Action::CreateDbSubnetGroup { name, .. }
            | Action::AliasToLoadBalancer { name, .. } => name.clone(),
            Action::StopInstance { instance_id } => instance_id.clone(),
            Action::NewTemplateVersion { template_id, .. } => template_id.clone(),
            Action::StartInstanceRefresh { group, .. } => group.clone(),
            Action::CreateListener { port, .. } => format!("listener :{port}"),
            Action::CreateDbInstance { id, .. } => id.clone(),
        }
    }

    /// A short description: "revoke ingress rule", "set capacity", ….
    pub fn summary(&self) -> String {
        match self {
            Action::RevokeIngress { rule, .. } => {
                format!("security group: revoke {}", rule.text())
            }
            Action::AuthorizeIngress { rule, .. } => {
                format!("security group: authorize {}", rule.text())
            }
            Action::SetCapacity { .. } => "auto scaling group: capacity".into(),
            Action::SetHealthCheck { .. } => "auto scaling group: health check".into(),
            Action::AttachTargetGroups { .. } => "auto scaling group: attach target groups".into(),
            Action::AttachClassicLoadBalancers { .. } => {
                "auto scaling group: attach Classic Load Balancers".into()
            }
            Action::EnableCrossZone { .. } => {
                "classic load balancer: cross-zone load balancing".into()
            }
            Action::SetSubnets { .. } => {
                "auto scaling group: subnets (instances are replaced)".into()
            }
            Action::SetLoadBalancerSubnets { .. } => "load balancer: subnets (zones)".into(),
            Action::ConvertLaunchConfiguration { .. } => {
                "auto scaling group: launch template from launch configuration".into()
            }
            Action::TemplateVersionWithoutPublicIp { .. } => {
                "launch template: new version without public IP".into()
            }
            Action::EnableMultiAz { .. } => "db instance: Multi-AZ".into(),
            Action::AddClusterReader { .. } => "db cluster: reader in another zone".into(),
            Action::DisablePublicAccess { .. } => "db instance: public access".into(),
            Action::CreateTopic { .. } => "sns topic".into(),
            Action::SubscribeEmail { .. } => "sns subscription".into(),
            Action::PutScalingPolicy { .. } => "scaling policy".into(),
            Action::PutCpuAlarm { .. } => "cloudwatch alarm".into(),
            Action::UpsertAliasRecord { .. } => "route 53 alias record".into(),
            Action::Manual { instruction, .. } => format!("manual step: {instruction}"),
            Action::CreateVpc { .. } => "vpc".into(),
            Action::CreateSubnet { .. } => "subnet".into(),
            Action::CreateInternetGateway { .. } => "internet gateway".into(),
            Action::CreateNatGateway { .. } => "nat gateway (with an elastic ip)".into(),
            Action::CreateRouteTable { .. } => "route table".into(),
            Action::CreateSecurityGroup { .. } => "security group".into(),
            Action::RunBastion { .. } => "bastion host".into(),
            Action::StopInstance { .. } => "instance: stop (kept, not terminated)".into(),
            Action::CreateImage { .. } => "ami from the instance".into(),
            Action::CreateLaunchTemplate { .. } => "launch template".into(),
            Action::NewTemplateVersion { .. } => {
                "launch template: new version with the new AMI".into()
            }
            Action::StartInstanceRefresh { .. } => {
                "auto scaling group: rolling replacement (instance refresh)".into()
            }
            Action::CreateTargetGroup { .. } => "target group".into(),
            Action::CreateLoadBalancer { .. } => "internet-facing application load balancer".into(),
            Action::CreateListener { .. } => "load balancer listener".into(),
            Action::CreateAutoScalingGroup { .. } => "auto scaling group".into(),
            Action::CreateDbSubnetGroup { .. } => "db subnet group".into(),
            Action::CreateDbInstance { .. } => "db instance".into(),
            Action::AliasToLoadBalancer { .. } => "route 53 alias record".into(),
        }
    }

    /// Field changes, before → after.
    pub fn changes(&self) -> Vec<Change> {
        match self {
            Action::RevokeIngress { rule, .. } => {
                vec![change("ingress", rule.text(), "(none)")]
            }
            Action::AuthorizeIngress { rule, .. } => {
                vec![change("ingress", "(none)", rule.text())]
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
            Action::AttachClassicLoadBalancers {
                load_balancer_names,
                ..
            } => vec![change(
                "load_balancer_names",
                "",
                load_balancer_names.join(", "),
            )],
            Action::EnableCrossZone { .. } => vec![change("cross_zone", "off", "on")],
            Action::SetSubnets {
                subnet_ids, before, ..
            }
            | Action::SetLoadBalancerSubnets {
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
            Action::AddClusterReader {
                instance_id,
                availability_zone,
                instance_class,
                ..
            } => vec![change(
                "reader",
                "(none)",
                format!("{instance_id} ({instance_class}) in {availability_zone}"),
            )],
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
            // What following it changes, as the predictor judged it.
            Action::Manual { following, .. } => following
                .iter()
                .map(|advice| match advice {
                    Advice::ForwardListener {
                        listener_arn,
                        target_group_arn,
                    } => change(
                        &format!(
                            "following it: listener {}",
                            arn_tail(listener_arn, "listener/")
                        ),
                        "",
                        format!("forward to {}", arn_tail(target_group_arn, "targetgroup/")),
                    ),
                    Advice::RedirectListenerToHttps { listener_arn } => change(
                        &format!(
                            "following it: listener {}",
                            arn_tail(listener_arn, "listener/")
                        ),
                        "",
                        "redirect to HTTPS :443",
                    ),
                })
                .collect(),
            Action::CreateVpc { cidr, .. } => vec![change("cidr", "", cidr)],
            Action::CreateSubnet {
                cidr, zone, vpc_id, ..
            } => vec![change("cidr", "", format!("{cidr} in {zone} of {vpc_id}"))],
            Action::CreateInternetGateway { vpc_id, .. } => vec![change("attached to", "", vpc_id)],
            Action::CreateNatGateway { subnet_id, .. } => vec![change("subnet", "", subnet_id)],
            Action::CreateRouteTable {
                default_target,
                subnet_ids,
                ..
            } => vec![
                change("0.0.0.0/0", "", default_target),
                change("subnets", "", subnet_ids.join(", ")),
            ],
            Action::CreateSecurityGroup {
                vpc_id,
                description,
                ..
            } => vec![
                change("vpc", "", vpc_id),
                change("description", "", description),
            ],
            Action::RunBastion {
                image_id,
                instance_type,
                subnet_id,
                ..
            } => {
                vec![change(
                    "instance",
                    "",
                    format!("{instance_type} from {image_id} in {subnet_id}, public IP"),
                )]
            }
            Action::StopInstance { .. } => vec![change("state", "running", "stopped")],
            Action::CreateImage { instance_id, .. } => vec![change("from", "", instance_id)],
            Action::CreateLaunchTemplate {
                image_id,
                instance_type,
                security_group_id,
                user_data,
                ..
            } => vec![
                change("image", "", image_id),
                change("instance_type", "", instance_type),
                change("network", "", format!("{security_group_id}, no public IP")),
                change(
                    "user_data",
                    "",
                    if user_data.is_some() {
                        "start-up script"
                    } else {
                        "(none)"
                    },
                ),
            ],
            Action::NewTemplateVersion {
                image_id, before, ..
            } => vec![change("image", before, image_id)],
            Action::StartInstanceRefresh {
                min_healthy_percentage,
                max_healthy_percentage,
                ..
            } => {
                vec![change(
                    "instances",
                    "",
                    match max_healthy_percentage {
                        Some(max) if *max > 100 && *min_healthy_percentage >= 100 => format!(
                            "replaced, each new one launched before the old one goes (up to {max}% of the group)"
                        ),
                        _ => format!(
                            "replaced, at least {min_healthy_percentage}% healthy throughout"
                        ),
                    },
                )]
            }
            Action::CreateTargetGroup {
                port,
                health_check_path,
                ..
            } => vec![change(
                "target",
                "",
                format!("HTTP {port}, health check {health_check_path}"),
            )],
            Action::CreateLoadBalancer {
                subnet_ids,
                security_group_id,
                ..
            } => vec![
                change("subnets", "", subnet_ids.join(", ")),
                change("security_group", "", security_group_id),
            ],
            Action::CreateListener {
                port,
                certificate_arn,
                forward_to,
                ..
            } => vec![change(
                "listener",
                "",
                match (forward_to, certificate_arn) {
                    (Some(tg), Some(_)) => format!("HTTPS {port} → {tg}"),
                    (Some(tg), None) => format!("HTTP {port} → {tg}"),
                    (None, _) => format!("HTTP {port} → redirect to HTTPS 443"),
                },
            )],
            Action::CreateAutoScalingGroup {
                launch_template_id,
                subnet_ids,
                min_size,
                desired_capacity,
                max_size,
                target_group_arn,
                ..
            } => vec![
                change("launch_template", "", launch_template_id),
                change("subnets", "", subnet_ids.join(", ")),
                change(
                    "capacity",
                    "",
                    format!("min {min_size}, desired {desired_capacity}, max {max_size}"),
                ),
                change(
                    "target_group",
                    "",
                    format!("{target_group_arn} (ELB health checks)"),
                ),
            ],
            Action::CreateDbSubnetGroup { subnet_ids, .. } => {
                vec![change("subnets", "", subnet_ids.join(", "))]
            }
            Action::CreateDbInstance {
                engine,
                instance_class,
                multi_az,
                ..
            } => vec![
                change("engine", "", format!("{engine} on {instance_class}")),
                change("multi_az", "", multi_az),
                change("publicly_accessible", "", false),
            ],
            Action::AliasToLoadBalancer {
                load_balancer_arn, ..
            } => vec![change("alias", "", load_balancer_arn)],
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
            Action::AttachClassicLoadBalancers { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:AttachLoadBalancers",
            ],
            Action::EnableCrossZone { .. } => &[
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:ModifyLoadBalancerAttributes",
            ],
            Action::SetLoadBalancerSubnets { .. } => &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:SetSubnets",
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
            Action::AddClusterReader { .. } => &[
                "rds:DescribeDBClusters",
                "rds:DescribeDBInstances",
                "rds:CreateDBInstance",
                "rds:AddTagsToResource",
            ],
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
            Action::CreateVpc { .. } => &["ec2:DescribeVpcs", "ec2:CreateVpc", "ec2:CreateTags"],
            Action::CreateSubnet { .. } => {
                &["ec2:DescribeSubnets", "ec2:CreateSubnet", "ec2:CreateTags"]
            }
            Action::CreateInternetGateway { .. } => &[
                "ec2:DescribeInternetGateways",
                "ec2:CreateInternetGateway",
                "ec2:AttachInternetGateway",
            ],
            Action::CreateNatGateway { .. } => &[
                "ec2:DescribeNatGateways",
                "ec2:AllocateAddress",
                "ec2:CreateNatGateway",
            ],
            Action::CreateRouteTable { .. } => &[
                "ec2:DescribeRouteTables",
                "ec2:CreateRouteTable",
                "ec2:CreateRoute",
                "ec2:AssociateRouteTable",
            ],
            Action::CreateSecurityGroup { .. } => {
                &["ec2:DescribeSecurityGroups", "ec2:CreateSecurityGroup"]
            }
            Action::RunBastion { .. } => &[
                "ec2:DescribeInstances",
                "ec2:RunInstances",
                "ec2:CreateTags",
            ],
            Action::StopInstance { .. } => &["ec2:DescribeInstances", "ec2:StopInstances"],
            Action::CreateImage { .. } => &["ec2:DescribeImages", "ec2:CreateImage"],
            Action::CreateLaunchTemplate { .. } => {
                &["ec2:DescribeLaunchTemplates", "ec2:CreateLaunchTemplate"]
            }
            Action::NewTemplateVersion { .. } => &[
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:CreateLaunchTemplateVersion",
                "ec2:ModifyLaunchTemplate",
            ],
            Action::StartInstanceRefresh { .. } => &[
                "autoscaling:DescribeInstanceRefreshes",
                "autoscaling:StartInstanceRefresh",
            ],
            Action::CreateTargetGroup { .. } => &[
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:CreateTargetGroup",
            ],
            Action::CreateLoadBalancer { .. } => &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:CreateLoadBalancer",
            ],
            Action::CreateListener { .. } => &[
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:CreateListener",
            ],
            Action::CreateAutoScalingGroup { .. } => &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:CreateAutoScalingGroup",
                "iam:CreateServiceLinkedRole",
            ],
            Action::CreateDbSubnetGroup { .. } => {
                &["rds:DescribeDBSubnetGroups", "rds:CreateDBSubnetGroup"]
            }
            Action::CreateDbInstance { .. } => &[
                "rds:DescribeDBInstances",
                "rds:CreateDBInstance",
                "secretsmanager:CreateSecret",
            ],
            Action::AliasToLoadBalancer { .. } => &[
                "elasticloadbalancing:DescribeLoadBalancers",
                "route53:ListResourceRecordSets",
                "route53:ChangeResourceRecordSets",
            ],
        }
    }

    /// Step ids this action's `ref:` strings point at.
    /// The `ref:` a later action names what this one creates by.
    pub fn reference(&self) -> String {
        format!("{REF_PREFIX}{}", self.key())
    }

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
