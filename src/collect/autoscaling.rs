//! Auto Scaling collectors: groups, scaling policies, launch configurations.

use aws_sdk_autoscaling::Client;
use aws_sdk_autoscaling::types::{
    AutoScalingGroup as Group, LaunchTemplateSpecification, LifecycleState,
};

use super::{UnitResult, failed};
use crate::inventory::{
    AutoScalingGroup, Inventory, LaunchConfiguration, LaunchTemplateRef, MaintenancePolicy,
    ScalingPolicy, StepAdjustment, TargetTracking,
};

/// AWS's maximum page for DescribeAutoScalingGroups; moto fails with HTTP 500 above it.
const GROUP_PAGE: i32 = 100;
/// AWS's maximum page for DescribePolicies.
const POLICY_PAGE: i32 = 50;
/// AWS's maximum page for DescribeLaunchConfigurations.
const CONFIGURATION_PAGE: i32 = 100;

pub async fn groups(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_auto_scaling_groups()
        .max_records(GROUP_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for group in page
            .map_err(failed("DescribeAutoScalingGroups"))?
            .auto_scaling_groups()
        {
            // A mixed-instances policy carries the group's launch template instead.
            let mixed = group
                .mixed_instances_policy()
                .and_then(|p| p.launch_template());
            let attached = attachments(group);
            let template = group
                .launch_template()
                .or_else(|| mixed.and_then(|t| t.launch_template_specification()));
            let overrides = mixed.map(|t| t.overrides()).unwrap_or_default();
            out.auto_scaling_groups.push(AutoScalingGroup {
                name: group
                    .auto_scaling_group_name()
                    .unwrap_or_default()
                    .to_owned(),
                arn: group
                    .auto_scaling_group_arn()
                    .unwrap_or_default()
                    .to_owned(),
                region: region.clone(),
                availability_zones: group.availability_zones().to_vec(),
                subnet_ids: group
                    .vpc_zone_identifier()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect(),
                min_size: group.min_size().unwrap_or(0),
                max_size: group.max_size().unwrap_or(0),
                desired_capacity: group.desired_capacity().unwrap_or(0),
                health_check_type: group.health_check_type().unwrap_or("EC2").to_owned(),
                health_check_grace_period: group.health_check_grace_period().unwrap_or(0),
                target_group_arns: attached.target_group_arns,
                load_balancer_names: attached.load_balancer_names,
                launch_template: template.map(template_ref),
                launch_configuration_name: group.launch_configuration_name().map(str::to_owned),
                instance_ids: group
                    .instances()
                    .iter()
                    .filter_map(|i| i.instance_id().map(str::to_owned))
                    .collect(),
                tags: super::tag_map(group.tags(), |t| (t.key(), t.value())),
                suspended_processes: group
                    .suspended_processes()
                    .iter()
                    .filter_map(|p| p.process_name().map(str::to_owned))
                    .collect(),
                desired_capacity_type: group.desired_capacity_type().map(str::to_owned),
                weighted_overrides: overrides.iter().any(|o| o.weighted_capacity().is_some()),
                override_launch_templates: overrides
                    .iter()
                    .filter_map(|o| o.launch_template_specification())
                    .map(template_ref)
                    .collect(),
                override_instance_types: overrides
                    .iter()
                    .filter_map(|o| o.instance_type().map(str::to_owned))
                    .collect(),
                attribute_based_types: overrides
                    .iter()
                    .any(|o| o.instance_requirements().is_some()),
                override_image_ids: overrides
                    .iter()
                    .filter_map(|o| o.image_id().map(str::to_owned))
                    .collect(),
                other_traffic_sources: attached.other_traffic_sources,
                out_of_service: out_of_service(group),
                standby: group
                    .instances()
                    .iter()
                    .filter(|i| i.lifecycle_state() == Some(&LifecycleState::Standby))
                    .filter_map(|i| i.instance_id().map(str::to_owned))
                    .collect(),
                instance_maintenance_policy: Some(maintenance_policy(group)),
            });
        }
    }
    Ok(out)
}

/// The group's instance maintenance policy; empty when it has none.
pub(crate) fn maintenance_policy(group: &Group) -> MaintenancePolicy {
    let policy = group.instance_maintenance_policy();
    MaintenancePolicy::from_bounds(
        policy.and_then(|p| p.min_healthy_percentage()),
        policy.and_then(|p| p.max_healthy_percentage()),
    )
}

fn template_ref(spec: &LaunchTemplateSpecification) -> LaunchTemplateRef {
    LaunchTemplateRef {
        id: spec.launch_template_id().unwrap_or_default().to_owned(),
        name: spec.launch_template_name().unwrap_or_default().to_owned(),
        version: spec.version().unwrap_or("$Default").to_owned(),
    }
}

/// Members that serve nothing now: not `InService`, or `Unhealthy` (about to be replaced).
fn out_of_service(group: &Group) -> Vec<String> {
    group
        .instances()
        .iter()
        .filter(|i| {
            i.lifecycle_state() != Some(&LifecycleState::InService)
                || i.health_status() == Some("Unhealthy")
        })
        .filter_map(|i| i.instance_id().map(str::to_owned))
        .collect()
}

/// What `group` is attached to, through AttachLoadBalancerTargetGroups, AttachLoadBalancers
/// or AttachTrafficSources (which lists them only among its traffic sources): its target
/// groups, Classic Load Balancers and other traffic sources, the rest of it empty.
pub(crate) fn attachments(group: &Group) -> AutoScalingGroup {
    let mut attached = AutoScalingGroup {
        target_group_arns: group.target_group_arns().to_vec(),
        load_balancer_names: group.load_balancer_names().to_vec(),
        ..AutoScalingGroup::default()
    };
    for source in group.traffic_sources() {
        attached.add_traffic_source(source.r#type(), source.identifier().unwrap_or_default());
    }
    attached
}

pub async fn policies(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_policies()
        .max_records(POLICY_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for policy in page.map_err(failed("DescribePolicies"))?.scaling_policies() {
            out.scaling_policies.push(ScalingPolicy {
                name: policy.policy_name().unwrap_or_default().to_owned(),
                arn: policy.policy_arn().unwrap_or_default().to_owned(),
                region: region.clone(),
                auto_scaling_group: policy
                    .auto_scaling_group_name()
                    .unwrap_or_default()
                    .to_owned(),
                policy_type: policy.policy_type().unwrap_or("SimpleScaling").to_owned(),
                disabled: policy.enabled() == Some(false),
                adjustment_type: policy.adjustment_type().map(str::to_owned),
                scaling_adjustment: policy.scaling_adjustment(),
                step_adjustments: policy
                    .step_adjustments()
                    .iter()
                    .map(|step| StepAdjustment {
                        lower_bound: step.metric_interval_lower_bound(),
                        upper_bound: step.metric_interval_upper_bound(),
                        scaling_adjustment: step.scaling_adjustment().unwrap_or(0),
                    })
                    .collect(),
                target_tracking: policy.target_tracking_configuration().map(|tracking| {
                    TargetTracking {
                        predefined_metric: tracking
                            .predefined_metric_specification()
                            .and_then(|m| m.predefined_metric_type())
                            .map(|t| t.as_str().to_owned()),
                        target_value: tracking.target_value().unwrap_or(0.0),
                        disable_scale_in: tracking.disable_scale_in().unwrap_or(false),
                    }
                }),
            });
        }
    }
    Ok(out)
}

pub async fn launch_configurations(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_launch_configurations()
        .max_records(CONFIGURATION_PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        let page = page.map_err(failed("DescribeLaunchConfigurations"))?;
        for config in page.launch_configurations() {
            out.launch_configurations.push(LaunchConfiguration {
                name: config
                    .launch_configuration_name()
                    .unwrap_or_default()
                    .to_owned(),
                arn: config
                    .launch_configuration_arn()
                    .unwrap_or_default()
                    .to_owned(),
                region: region.clone(),
                image_id: config.image_id().unwrap_or_default().to_owned(),
                instance_type: config.instance_type().unwrap_or_default().to_owned(),
                associate_public_ip: config.associate_public_ip_address(),
                security_group_ids: config.security_groups().to_vec(),
                has_user_data: config.user_data().is_some_and(|u| !u.is_empty()),
                joins_ecs_cluster: config
                    .user_data()
                    .is_some_and(crate::inventory::user_data_joins_ecs_cluster),
                key_name: config.key_name().map(str::to_owned),
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_autoscaling::types::TrafficSourceIdentifier;

    fn source(kind: &str, id: &str) -> TrafficSourceIdentifier {
        TrafficSourceIdentifier::builder()
            .r#type(kind)
            .identifier(id)
            .build()
    }

    #[test]
    fn load_balancers_attached_as_traffic_sources_join_those_attached_by_name() {
        let group = Group::builder()
            .target_group_arns("arn:tg/a")
            .load_balancer_names("classic")
            .traffic_sources(source("elbv2", "arn:tg/a"))
            .traffic_sources(source("elbv2", "arn:tg/b"))
            .traffic_sources(source("elb", "other-classic"))
            .traffic_sources(source("vpc-lattice", "arn:lattice/tg"))
            .build();
        let attached = attachments(&group);
        assert_eq!(attached.target_group_arns, ["arn:tg/a", "arn:tg/b"]);
        assert_eq!(attached.load_balancer_names, ["classic", "other-classic"]);
        assert_eq!(
            attached.other_traffic_sources,
            ["vpc-lattice:arn:lattice/tg"]
        );
    }

    #[test]
    fn only_healthy_members_in_service_serve() {
        let member = |id: &str, state: LifecycleState, health: &str| {
            aws_sdk_autoscaling::types::Instance::builder()
                .instance_id(id)
                .lifecycle_state(state)
                .health_status(health)
                .build()
        };
        let group = Group::builder()
            .instances(member("i-serving", LifecycleState::InService, "Healthy"))
            .instances(member("i-standby", LifecycleState::Standby, "Healthy"))
            .instances(member("i-failing", LifecycleState::InService, "Unhealthy"))
            .instances(member("i-warm", LifecycleState::WarmedRunning, "Healthy"))
            .build();
        assert_eq!(out_of_service(&group), ["i-standby", "i-failing", "i-warm"]);
    }
}
