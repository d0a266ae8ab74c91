//! One function per action: read the live target, decide (satisfied, drifted, to do), act,
//! and return the step's output (an id or ARN later steps may refer to).

use std::time::{Duration, Instant};

use aws_sdk_ec2::types as ec2t;

use crate::collect::RegionClients;
use crate::inventory::SgRule;
use crate::inventory::normalize_dns;
use crate::plan::Action;

pub enum Done {
    Applied(Option<String>),
    Satisfied(Option<String>),
}

pub enum StepError {
    /// The live target is not what the plan expected.
    Drift(String),
    Failed(String),
}

type StepResult = Result<Done, StepError>;

/// Tag on everything hacheck creates.
const MANAGED_TAG: (&str, &str) = ("hacheck:managed", "true");

fn fail<E: std::fmt::Display>(operation: &'static str) -> impl FnOnce(E) -> StepError {
    move |error| StepError::Failed(format!("{operation}: {error}"))
}

pub(super) fn sdk_fail<E, R>(
    operation: &'static str,
) -> impl FnOnce(aws_sdk_ec2::error::SdkError<E, R>) -> StepError
where
    E: aws_sdk_ec2::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    move |error| {
        let failure = crate::collect::failed(operation)(error);
        StepError::Failed(failure.to_string())
    }
}

pub async fn apply(c: &RegionClients, action: &Action) -> StepResult {
    match action {
        Action::RevokeIngress { group_id, rule } => revoke(c, group_id, rule).await,
        Action::AuthorizeIngress { group_id, rule } => authorize(c, group_id, rule).await,
        Action::SetCapacity {
            group,
            min_size,
            desired_capacity: _,
            max_size,
            before,
        } => {
            let live = asg(c, group).await?;
            let (min, max, desired) = (
                live.min_size().unwrap_or(0),
                live.max_size().unwrap_or(0),
                live.desired_capacity().unwrap_or(0),
            );
            if min >= *min_size && max >= *max_size {
                return Ok(Done::Satisfied(None));
            }
            if min != before[0] || max != before[2] {
                return Err(StepError::Drift(format!(
                    "`{group}` now has min {min} and max {max}; the plan expected min {} and max {}",
                    before[0], before[2]
                )));
            }
            c.autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(group)
                .min_size(*min_size)
                .max_size(*max_size.max(&max))
                .desired_capacity(desired.max(*min_size))
                .send()
                .await
                .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
            Ok(Done::Applied(None))
        }
        Action::SetHealthCheck {
            group,
            health_check_type,
            grace_period,
            before,
        } => {
            let live = asg(c, group).await?;
            let current = live.health_check_type().unwrap_or("EC2");
            if current == health_check_type {
                return Ok(Done::Satisfied(None));
            }
            if current != before {
                return Err(StepError::Drift(format!(
                    "`{group}` now uses {current} health checks; the plan expected {before}"
                )));
            }
            c.autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(group)
                .health_check_type(health_check_type)
                .health_check_grace_period(*grace_period)
                .send()
                .await
                .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
            Ok(Done::Applied(None))
        }
        Action::AttachTargetGroups {
            group,
            target_group_arns,
        } => {
            let live = asg(c, group).await?;
            let missing: Vec<String> = target_group_arns
                .iter()
                .filter(|arn| !live.target_group_arns().contains(arn))
                .cloned()
                .collect();
            if missing.is_empty() {
                return Ok(Done::Satisfied(None));
            }
            c.autoscaling
                .attach_load_balancer_target_groups()
                .auto_scaling_group_name(group)
                .set_target_group_arns(Some(missing))
                .send()
                .await
                .map_err(sdk_fail("AttachLoadBalancerTargetGroups"))?;
            Ok(Done::Applied(None))
        }
        Action::SetSubnets {
            group,
            subnet_ids,
            before,
        } => {
            let live = asg(c, group).await?;
            let mut current: Vec<String> = live
                .vpc_zone_identifier()
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            current.sort();
            if &current == subnet_ids {
                return Ok(Done::Satisfied(None));
            }
            let mut expected = before.clone();
            expected.sort();
            if current != expected {
                return Err(StepError::Drift(format!(
                    "`{group}` now has subnets {}; the plan expected {}",
                    current.join(","),
                    expected.join(",")
                )));
            }
            c.autoscaling
                .update_auto_scaling_group()
                .auto_scaling_group_name(group)
                .vpc_zone_identifier(subnet_ids.join(","))
                .send()
                .await
                .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
            Ok(Done::Applied(None))
        }
        Action::ConvertLaunchConfiguration {
            group,
            launch_configuration,
            template_name,
        } => convert_launch_configuration(c, group, launch_configuration, template_name).await,
        Action::SetLoadBalancerSubnets {
            load_balancer_arn,
            name,
            subnet_ids,
            before,
        } => {
            let found = c
                .elbv2
                .describe_load_balancers()
                .load_balancer_arns(load_balancer_arn)
                .send()
                .await
                .map_err(sdk_fail("DescribeLoadBalancers"))?;
            let live = found.load_balancers().first().ok_or_else(|| {
                StepError::Drift(format!("load balancer `{name}` no longer exists"))
            })?;
            let mut current: Vec<String> = live
                .availability_zones()
                .iter()
                .filter_map(|z| z.subnet_id().map(str::to_owned))
                .collect();
            current.sort();
            let mut wanted = subnet_ids.clone();
            wanted.sort();
            if current == wanted {
                return Ok(Done::Satisfied(None));
            }
            let mut expected = before.clone();
            expected.sort();
            if current != expected {
                return Err(StepError::Drift(format!(
                    "`{name}` now has subnets {}; the plan expected {}",
                    current.join(","),
                    expected.join(",")
                )));
            }
            c.elbv2
                .set_subnets()
                .load_balancer_arn(load_balancer_arn)
                .set_subnets(Some(wanted))
                .send()
                .await
                .map_err(sdk_fail("SetSubnets"))?;
            Ok(Done::Applied(None))
        }
        Action::TemplateVersionWithoutPublicIp {
            group,
            template_id,
            source_version,
        } => version_without_public_ip(c, group, template_id, *source_version).await,
        Action::EnableMultiAz { db_instance } => modify_db(c, db_instance, DbChange::MultiAz).await,
        Action::DisablePublicAccess { db_instance } => {
            modify_db(c, db_instance, DbChange::Private).await
        }
        Action::AddClusterReader {
            cluster,
            instance_id,
            availability_zone,
            instance_class,
            engine,
        } => {
            add_cluster_reader(
                c,
                cluster,
                instance_id,
                availability_zone,
                instance_class,
                engine,
            )
            .await
        }
        Action::CreateTopic { name } => {
            let mut pages = c.sns.list_topics().into_paginator().send();
            while let Some(page) = pages.next().await {
                for topic in page.map_err(sdk_fail("ListTopics"))?.topics() {
                    let arn = topic.topic_arn().unwrap_or_default();
                    if arn.rsplit(':').next() == Some(name.as_str()) {
                        return Ok(Done::Satisfied(Some(arn.to_owned())));
                    }
                }
            }
            let created = c
                .sns
                .create_topic()
                .name(name)
                .tags(
                    aws_sdk_sns::types::Tag::builder()
                        .key(MANAGED_TAG.0)
                        .value(MANAGED_TAG.1)
                        .build()
                        .map_err(fail("Tag"))?,
                )
                .send()
                .await
                .map_err(sdk_fail("CreateTopic"))?;
            Ok(Done::Applied(created.topic_arn().map(str::to_owned)))
        }
        Action::SubscribeEmail { topic_arn, email } => {
            let mut pages = c
                .sns
                .list_subscriptions_by_topic()
                .topic_arn(topic_arn)
                .into_paginator()
                .send();
            while let Some(page) = pages.next().await {
                let page = page.map_err(sdk_fail("ListSubscriptionsByTopic"))?;
                if page
                    .subscriptions()
                    .iter()
                    .any(|s| s.protocol() == Some("email") && s.endpoint() == Some(email.as_str()))
                {
                    return Ok(Done::Satisfied(None));
                }
            }
            c.sns
                .subscribe()
                .topic_arn(topic_arn)
                .protocol("email")
                .endpoint(email)
                .send()
                .await
                .map_err(sdk_fail("Subscribe"))?;
            Ok(Done::Applied(None))
        }
        Action::PutScalingPolicy {
            group,
            name,
            adjustment,
        } => {
            if let Some((arn, live)) = scaling_policy(c, group, name).await?
                && live == Some(*adjustment)
            {
                return Ok(Done::Satisfied(Some(arn)));
            }
            c.autoscaling
                .put_scaling_policy()
                .auto_scaling_group_name(group)
                .policy_name(name)
                .policy_type("SimpleScaling")
                .adjustment_type("ChangeInCapacity")
                .scaling_adjustment(*adjustment)
                .cooldown(300)
                .send()
                .await
                .map_err(sdk_fail("PutScalingPolicy"))?;
            // moto answers PutScalingPolicy without the ARN; read it back.
            let (arn, _) = scaling_policy(c, group, name).await?.ok_or_else(|| {
                StepError::Failed(format!(
                    "scaling policy `{name}` not found after creating it"
                ))
            })?;
            Ok(Done::Applied(Some(arn)))
        }
        Action::PutCpuAlarm {
            group,
            name,
            comparison_operator,
            threshold,
            actions,
        } => put_cpu_alarm(c, group, name, comparison_operator, *threshold, actions).await,
        Action::UpsertAliasRecord { .. }
        | Action::AliasToLoadBalancer { .. }
        | Action::Manual { .. } => Err(StepError::Failed("not a regional action".into())),
        // Boxed: the stack builder's future is large, and tasks run on small stacks.
        stack_action => Box::pin(super::stack::apply(c, stack_action)).await,
    }
}

pub async fn apply_global(route53: &aws_sdk_route53::Client, action: &Action) -> StepResult {
    let Action::UpsertAliasRecord {
        zone_id,
        name,
        dns_name,
        target_zone_id,
    } = action
    else {
        return Err(StepError::Failed("not a Route 53 action".into()));
    };
    use aws_sdk_route53::types::{
        AliasTarget, Change, ChangeAction, ChangeBatch, ResourceRecordSet, RrType,
    };
    let existing = route53
        .list_resource_record_sets()
        .hosted_zone_id(zone_id)
        .start_record_name(name)
        .start_record_type(RrType::A)
        .max_items(1)
        .send()
        .await
        .map_err(sdk_fail("ListResourceRecordSets"))?;
    let current = existing
        .resource_record_sets()
        .iter()
        .find(|r| r.name() == name && r.r#type() == &RrType::A);
    if current
        .and_then(|r| r.alias_target())
        .is_some_and(|a| normalize_dns(a.dns_name()) == normalize_dns(dns_name))
    {
        return Ok(Done::Satisfied(None));
    }
    let build = |e: aws_sdk_route53::error::BuildError| {
        StepError::Failed(format!("building the change: {e}"))
    };
    let record = ResourceRecordSet::builder()
        .name(name)
        .r#type(RrType::A)
        .alias_target(
            AliasTarget::builder()
                .dns_name(dns_name)
                .hosted_zone_id(target_zone_id)
                .evaluate_target_health(true)
                .build()
                .map_err(build)?,
        )
        .build()
        .map_err(build)?;
    let change = Change::builder()
        .action(ChangeAction::Upsert)
        .resource_record_set(record)
        .build()
        .map_err(build)?;
    route53
        .change_resource_record_sets()
        .hosted_zone_id(zone_id)
        .change_batch(
            ChangeBatch::builder()
                .changes(change)
                .comment("hacheck: alias to the load balancer")
                .build()
                .map_err(build)?,
        )
        .send()
        .await
        .map_err(sdk_fail("ChangeResourceRecordSets"))?;
    Ok(Done::Applied(None))
}

fn same_rule(a: &SgRule, b: &SgRule) -> bool {
    (
        &a.protocol,
        a.from_port,
        a.to_port,
        &a.cidr_ipv4,
        &a.cidr_ipv6,
        &a.source_group_id,
        &a.prefix_list_id,
    ) == (
        &b.protocol,
        b.from_port,
        b.to_port,
        &b.cidr_ipv4,
        &b.cidr_ipv6,
        &b.source_group_id,
        &b.prefix_list_id,
    )
}

async fn live_ingress(c: &RegionClients, group_id: &str) -> Result<Vec<SgRule>, StepError> {
    let answer = c
        .ec2
        .describe_security_groups()
        .group_ids(group_id)
        .send()
        .await
        .map_err(|error| {
            let failure = crate::collect::failed("DescribeSecurityGroups")(error);
            if failure.code.starts_with("InvalidGroup") {
                StepError::Drift(format!("security group `{group_id}` no longer exists"))
            } else {
                StepError::Failed(failure.to_string())
            }
        })?;
    let group = answer
        .security_groups()
        .first()
        .ok_or_else(|| StepError::Drift(format!("security group `{group_id}` no longer exists")))?;
    Ok(group
        .ip_permissions()
        .iter()
        .flat_map(crate::collect::split_permission)
        .collect())
}

fn permission(rule: &SgRule) -> ec2t::IpPermission {
    let protocol = if rule.protocol == "all" {
        "-1"
    } else {
        rule.protocol.as_str()
    };
    let mut builder = ec2t::IpPermission::builder().ip_protocol(protocol);
    if rule.protocol != "all" {
        builder = builder.from_port(rule.from_port).to_port(rule.to_port);
    }
    if let Some(cidr) = &rule.cidr_ipv4 {
        builder = builder.ip_ranges(
            ec2t::IpRange::builder()
                .cidr_ip(cidr)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(cidr) = &rule.cidr_ipv6 {
        builder = builder.ipv6_ranges(
            ec2t::Ipv6Range::builder()
                .cidr_ipv6(cidr)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(group) = &rule.source_group_id {
        builder = builder.user_id_group_pairs(
            ec2t::UserIdGroupPair::builder()
                .group_id(group)
                .description(&rule.description)
                .build(),
        );
    }
    if let Some(list) = &rule.prefix_list_id {
        builder =
            builder.prefix_list_ids(ec2t::PrefixListId::builder().prefix_list_id(list).build());
    }
    builder.build()
}

async fn revoke(c: &RegionClients, group_id: &str, rule: &SgRule) -> StepResult {
    if !live_ingress(c, group_id)
        .await?
        .iter()
        .any(|r| same_rule(r, rule))
    {
        return Ok(Done::Satisfied(None));
    }
    // Descriptions are not part of a rule's identity for AWS; send the rule without one.
    let bare = SgRule {
        description: String::new(),
        ..rule.clone()
    };
    c.ec2
        .revoke_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission(&bare))
        .send()
        .await
        .map_err(sdk_fail("RevokeSecurityGroupIngress"))?;
    Ok(Done::Applied(None))
}

async fn authorize(c: &RegionClients, group_id: &str, rule: &SgRule) -> StepResult {
    if live_ingress(c, group_id)
        .await?
        .iter()
        .any(|r| same_rule(r, rule))
    {
        return Ok(Done::Satisfied(None));
    }
    c.ec2
        .authorize_security_group_ingress()
        .group_id(group_id)
        .ip_permissions(permission(rule))
        .send()
        .await
        .map_err(sdk_fail("AuthorizeSecurityGroupIngress"))?;
    Ok(Done::Applied(None))
}

async fn asg(
    c: &RegionClients,
    name: &str,
) -> Result<aws_sdk_autoscaling::types::AutoScalingGroup, StepError> {
    let answer = c
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribeAutoScalingGroups"))?;
    answer
        .auto_scaling_groups()
        .first()
        .cloned()
        .ok_or_else(|| StepError::Drift(format!("Auto Scaling group `{name}` no longer exists")))
}

async fn point_group_at_template(
    c: &RegionClients,
    group: &str,
    template_id: &str,
) -> Result<(), StepError> {
    c.autoscaling
        .update_auto_scaling_group()
        .auto_scaling_group_name(group)
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_id(template_id)
                .version("$Latest")
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("UpdateAutoScalingGroup"))?;
    Ok(())
}

async fn convert_launch_configuration(
    c: &RegionClients,
    group: &str,
    configuration: &str,
    template_name: &str,
) -> StepResult {
    let live = asg(c, group).await?;
    if let Some(template) = live.launch_template() {
        return Ok(Done::Satisfied(
            template.launch_template_id().map(str::to_owned),
        ));
    }
    if live.launch_configuration_name() != Some(configuration) {
        return Err(StepError::Drift(format!(
            "`{group}` now uses launch configuration {:?}; the plan expected `{configuration}`",
            live.launch_configuration_name()
        )));
    }
    let answer = c
        .autoscaling
        .describe_launch_configurations()
        .launch_configuration_names(configuration)
        .send()
        .await
        .map_err(sdk_fail("DescribeLaunchConfigurations"))?;
    let config = answer.launch_configurations().first().ok_or_else(|| {
        StepError::Drift(format!(
            "launch configuration `{configuration}` no longer exists"
        ))
    })?;
    // An interrupted earlier apply may have created the template already.
    let spec = super::stack::TemplateSpec {
        name: template_name,
        image_id: config.image_id().unwrap_or_default(),
        instance_type: config.instance_type().unwrap_or("t3.micro"),
        security_group_ids: config.security_groups(),
        user_data: config.user_data().map(str::to_owned),
    };
    let (template_id, _) = super::stack::ensure_launch_template(c, &spec).await?;
    point_group_at_template(c, group, &template_id).await?;
    Ok(Done::Applied(Some(template_id)))
}

async fn version_without_public_ip(
    c: &RegionClients,
    group: &str,
    template_id: &str,
    source_version: i64,
) -> StepResult {
    let live = asg(c, group).await?;
    let reference = live.launch_template().or_else(|| {
        live.mixed_instances_policy()
            .and_then(|p| p.launch_template())
            .and_then(|t| t.launch_template_specification())
    });
    if reference.and_then(|r| r.launch_template_id()) != Some(template_id) {
        return Err(StepError::Drift(format!(
            "`{group}` no longer launches from template `{template_id}`"
        )));
    }
    let version = reference
        .and_then(|r| r.version())
        .unwrap_or("$Default")
        .to_owned();
    let answer = c
        .ec2
        .describe_launch_template_versions()
        .launch_template_id(template_id)
        .versions(&version)
        .send()
        .await
        .map_err(sdk_fail("DescribeLaunchTemplateVersions"))?;
    let current = answer
        .launch_template_versions()
        .first()
        .ok_or_else(|| StepError::Drift(format!("version {version} of `{template_id}` is gone")))?;
    let interfaces = current
        .launch_template_data()
        .map(|d| d.network_interfaces())
        .unwrap_or_default();
    if interfaces
        .first()
        .and_then(|i| i.associate_public_ip_address())
        != Some(true)
    {
        return Ok(Done::Satisfied(None));
    }
    let groups: Vec<String> = interfaces
        .first()
        .map(|i| i.groups().to_vec())
        .unwrap_or_default();
    let created = c
        .ec2
        .create_launch_template_version()
        .launch_template_id(template_id)
        .source_version(source_version.to_string())
        .version_description("hacheck: no public IP")
        .launch_template_data(
            ec2t::RequestLaunchTemplateData::builder()
                .network_interfaces(
                    ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
                        .device_index(0)
                        .associate_public_ip_address(false)
                        .set_groups(Some(groups))
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("CreateLaunchTemplateVersion"))?;
    point_group_at_template(c, group, template_id).await?;
    Ok(Done::Applied(
        created
            .launch_template_version()
            .and_then(|v| v.version_number())
            .map(|n| n.to_string()),
    ))
}

enum DbChange {
    MultiAz,
    Private,
}

async fn modify_db(c: &RegionClients, id: &str, change: DbChange) -> StepResult {
    let read = || async {
        let answer = c
            .rds
            .describe_db_instances()
            .db_instance_identifier(id)
            .send()
            .await
            .map_err(|error| {
                let failure = crate::collect::failed("DescribeDBInstances")(error);
                if failure.code == "DBInstanceNotFound" {
                    StepError::Drift(format!("DB instance `{id}` no longer exists"))
                } else {
                    StepError::Failed(failure.to_string())
                }
            })?;
        answer
            .db_instances()
            .first()
            .cloned()
            .ok_or_else(|| StepError::Drift(format!("DB instance `{id}` no longer exists")))
    };
    let settled = |db: &aws_sdk_rds::types::DbInstance| match change {
        DbChange::MultiAz => db.multi_az() == Some(true),
        DbChange::Private => db.publicly_accessible() == Some(false),
    };
    if settled(&read().await?) {
        return Ok(Done::Satisfied(None));
    }
    let request = c
        .rds
        .modify_db_instance()
        .db_instance_identifier(id)
        .apply_immediately(true);
    let request = match change {
        DbChange::MultiAz => request.multi_az(true),
        DbChange::Private => request.publicly_accessible(false),
    };
    request.send().await.map_err(sdk_fail("ModifyDBInstance"))?;
    // Real RDS takes minutes (Multi-AZ builds a standby); moto changes at once.
    let deadline = Instant::now() + Duration::from_secs(super::DB_WAIT_SECONDS);
    loop {
        let db = read().await?;
        if settled(&db) && db.db_instance_status() == Some("available") {
            return Ok(Done::Applied(None));
        }
        if Instant::now() > deadline {
            return Err(StepError::Failed(format!(
                "DB instance `{id}` did not settle within {} s",
                super::DB_WAIT_SECONDS
            )));
        }
        tokio::time::sleep(Duration::from_secs(15)).await;
    }
}

/// The DB instance `id`, or `None` when there is no such instance.
async fn db_instance(
    c: &RegionClients,
    id: &str,
) -> Result<Option<aws_sdk_rds::types::DbInstance>, StepError> {
    match c
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
    {
        Ok(answer) => Ok(answer.db_instances().first().cloned()),
        Err(error) => {
            let failure = crate::collect::failed("DescribeDBInstances")(error);
            if failure.code == "DBInstanceNotFound" {
                Ok(None)
            } else {
                Err(StepError::Failed(failure.to_string()))
            }
        }
    }
}

/// Re-reads the cluster: satisfied when its instances already span two zones; otherwise
/// creates the reader (or, resuming, finds it created) and waits until it is available.
async fn add_cluster_reader(
    c: &RegionClients,
    cluster: &str,
    instance_id: &str,
    zone: &str,
    instance_class: &str,
    engine: &str,
) -> StepResult {
    let answer = c
        .rds
        .describe_db_clusters()
        .db_cluster_identifier(cluster)
        .send()
        .await
        .map_err(|error| {
            let failure = crate::collect::failed("DescribeDBClusters")(error);
            if failure.code == "DBClusterNotFoundFault" {
                StepError::Drift(format!("DB cluster `{cluster}` no longer exists"))
            } else {
                StepError::Failed(failure.to_string())
            }
        })?;
    let found = answer
        .db_clusters()
        .first()
        .ok_or_else(|| StepError::Drift(format!("DB cluster `{cluster}` no longer exists")))?;
    let mut zones = std::collections::BTreeSet::new();
    let mut has_reader = false;
    for member in found.db_cluster_members() {
        let id = member.db_instance_identifier().unwrap_or_default();
        has_reader |= id == instance_id;
        if let Some(az) = db_instance(c, id)
            .await?
            .and_then(|db| db.availability_zone().map(str::to_owned))
        {
            zones.insert(az);
        }
    }
    if zones.len() >= 2 && !has_reader {
        return Ok(Done::Satisfied(None));
    }
    if !has_reader && db_instance(c, instance_id).await?.is_none() {
        c.rds
            .create_db_instance()
            .db_instance_identifier(instance_id)
            .db_cluster_identifier(cluster)
            .engine(engine)
            .db_instance_class(instance_class)
            .availability_zone(zone)
            .publicly_accessible(false)
            .tags(
                aws_sdk_rds::types::Tag::builder()
                    .key("hacheck:managed")
                    .value("true")
                    .build(),
            )
            .send()
            .await
            .map_err(sdk_fail("CreateDBInstance"))?;
    }
    // A new instance takes minutes on real RDS; moto makes it available at once.
    let deadline = Instant::now() + Duration::from_secs(super::DB_WAIT_SECONDS);
    loop {
        let reader = db_instance(c, instance_id).await?;
        if reader.as_ref().and_then(|db| db.db_instance_status()) == Some("available") {
            return Ok(Done::Applied(Some(instance_id.to_owned())));
        }
        if Instant::now() > deadline {
            return Err(StepError::Failed(format!(
                "reader `{instance_id}` of DB cluster `{cluster}` was not available within {} s",
                super::DB_WAIT_SECONDS
            )));
        }
        tokio::time::sleep(Duration::from_secs(15)).await;
    }
}

/// (ARN, simple adjustment) of the group's policy named `name`.
async fn scaling_policy(
    c: &RegionClients,
    group: &str,
    name: &str,
) -> Result<Option<(String, Option<i32>)>, StepError> {
    let answer = c
        .autoscaling
        .describe_policies()
        .auto_scaling_group_name(group)
        .policy_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribePolicies"))?;
    Ok(answer
        .scaling_policies()
        .iter()
        .find(|p| p.policy_name() == Some(name))
        .map(|p| {
            (
                p.policy_arn().unwrap_or_default().to_owned(),
                p.scaling_adjustment(),
            )
        }))
}

async fn put_cpu_alarm(
    c: &RegionClients,
    group: &str,
    name: &str,
    operator: &str,
    threshold: f64,
    actions: &[String],
) -> StepResult {
    use aws_sdk_cloudwatch::types::{ComparisonOperator, Dimension, Statistic, Tag};
    let answer = c
        .cloudwatch
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .map_err(sdk_fail("DescribeAlarms"))?;
    if let Some(alarm) = answer.metric_alarms().first() {
        let mut live: Vec<&String> = alarm.alarm_actions().iter().collect();
        live.sort();
        let mut wanted: Vec<&String> = actions.iter().collect();
        wanted.sort();
        let same = alarm.threshold() == Some(threshold)
            && alarm.comparison_operator().map(|o| o.as_str()) == Some(operator)
            && alarm
                .dimensions()
                .iter()
                .any(|d| d.name() == Some("AutoScalingGroupName") && d.value() == Some(group))
            && live == wanted;
        if same {
            return Ok(Done::Satisfied(alarm.alarm_arn().map(str::to_owned)));
        }
    }
    c.cloudwatch
        .put_metric_alarm()
        .alarm_name(name)
        .alarm_description(format!("hacheck: average CPU of {group}"))
        .namespace("AWS/EC2")
        .metric_name("CPUUtilization")
        .statistic(Statistic::Average)
        .period(300)
        .evaluation_periods(2)
        .threshold(threshold)
        .comparison_operator(ComparisonOperator::from(operator))
        .dimensions(
            Dimension::builder()
                .name("AutoScalingGroupName")
                .value(group)
                .build(),
        )
        .actions_enabled(true)
        .set_alarm_actions(Some(actions.to_vec()))
        .tags(
            Tag::builder()
                .key(MANAGED_TAG.0)
                .value(MANAGED_TAG.1)
                .build(),
        )
        .send()
        .await
        .map_err(sdk_fail("PutMetricAlarm"))?;
    Ok(Done::Applied(None))
}
