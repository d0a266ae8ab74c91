//! Auto Scaling: launch configurations, groups, scaling policies.

use super::*;

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, _joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let region = inv.regions[0].clone();
    match kind {
        "AWS::AutoScaling::LaunchConfiguration" => {
            let name = r.name(kind)?;
            let config = LaunchConfiguration {
                arn: format!(
                    "arn:aws:autoscaling:{region}:{}:launchConfiguration:{}:launchConfigurationName/{name}",
                    inv.account_id, r.logical
                ),
                name,
                region,
                image_id: r.text("ImageId", "image_id")?.unwrap_or_default(),
                instance_type: r.text("InstanceType", "instance_type")?.unwrap_or_default(),
                associate_public_ip: r.flag("AssociatePublicIpAddress", "associate_public_ip")?,
                security_group_ids: r.list("SecurityGroups", "security_group_ids")?,
                has_user_data: r.value("UserData", "has_user_data")?.is_some()
                    || r.source.unknowns.contains_key("has_user_data"),
                joins_ecs_cluster: r.mentions("UserData", "ECS_CLUSTER"),
                // Whether a key pair exists is known only in the account (HA035).
                key_name: None,
            };
            push_source(inv, r, &config);
            inv.launch_configurations.push(config);
        }
        "AWS::AutoScaling::AutoScalingGroup" => {
            let name = r.name(kind)?;
            let template_path = if r.properties_entry("LaunchTemplate").is_some() {
                "LaunchTemplate"
            } else {
                "MixedInstancesPolicy.LaunchTemplate.LaunchTemplateSpecification"
            };
            let launch_template = match r.value(template_path, "launch_template")? {
                Some(spec) => {
                    if let Some(reason) = spec.unknown() {
                        r.unknown("launch_template", reason.to_owned());
                    }
                    Some(launch_template_ref(&spec))
                }
                None => None,
            };
            let mut override_launch_templates = Vec::new();
            let mut override_instance_types = Vec::new();
            let mut attribute_based_types = false;
            let mut weighted_overrides = false;
            for item in r.items(
                "MixedInstancesPolicy.LaunchTemplate.Overrides",
                "override_launch_templates",
            )? {
                let item = r.eval(&item)?;
                weighted_overrides |= item.get("WeightedCapacity").is_some();
                attribute_based_types |= item.get("InstanceRequirements").is_some();
                match item.get("InstanceType") {
                    Some(Value::Unknown(reason)) => {
                        r.unknown("override_instance_types", reason.clone());
                    }
                    Some(value) => override_instance_types.extend(value.text().map(str::to_owned)),
                    None => {}
                }
                if let Some(spec) = item.get("LaunchTemplateSpecification") {
                    if let Some(reason) = spec.unknown() {
                        r.unknown("override_launch_templates", reason.to_owned());
                    }
                    override_launch_templates.push(launch_template_ref(spec));
                }
            }
            // An override list waiting for an input leaves the types unknown too.
            if let Some(reason) = r.source.unknowns.get("override_launch_templates").cloned() {
                r.unknown("override_instance_types", reason);
            }
            let target_group_arns = r.list("TargetGroupARNs", "target_group_arns")?;
            let load_balancer_names = r.list("LoadBalancerNames", "load_balancer_names")?;
            let mut traffic_sources = Vec::new();
            for item in r.items("TrafficSources", "target_group_arns")? {
                let item = r.eval(&item)?;
                let kind = item.get("Type").and_then(Value::text).map(str::to_owned);
                // A source waiting for an input leaves what the group is attached to unknown.
                if let Some(reason) = item.unknown() {
                    let field = AutoScalingGroup::traffic_source_field(kind.as_deref());
                    r.unknown(field, reason.to_owned());
                    continue;
                }
                match item.get("Identifier").and_then(Value::text) {
                    Some(id) if !id.is_empty() => traffic_sources.push((kind, id.to_owned())),
                    _ => {}
                }
            }
            let min_size = r.int("MinSize", "min_size")?.unwrap_or(0);
            let mut group = AutoScalingGroup {
                arn: format!(
                    "arn:aws:autoscaling:{region}:{}:autoScalingGroup:{}:autoScalingGroupName/{name}",
                    inv.account_id, r.logical
                ),
                name,
                region,
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                subnet_ids: r.list("VPCZoneIdentifier", "subnet_ids")?,
                min_size,
                max_size: r.int("MaxSize", "max_size")?.unwrap_or(min_size),
                desired_capacity: r
                    .int("DesiredCapacity", "desired_capacity")?
                    .unwrap_or(min_size),
                health_check_type: r
                    .text("HealthCheckType", "health_check_type")?
                    .unwrap_or_else(|| "EC2".into()),
                health_check_grace_period: r
                    .int("HealthCheckGracePeriod", "health_check_grace_period")?
                    .unwrap_or(0),
                target_group_arns,
                load_balancer_names,
                launch_template,
                launch_configuration_name: r
                    .text("LaunchConfigurationName", "launch_configuration_name")?,
                instance_ids: Vec::new(),
                tags: r.tags()?,
                // A template suspends no process (a stack update's policy may, for a while).
                suspended_processes: Vec::new(),
                desired_capacity_type: r.text("DesiredCapacityType", "desired_capacity_type")?,
                weighted_overrides,
                override_launch_templates,
                override_instance_types,
                override_image_ids: Vec::new(),
                attribute_based_types,
                other_traffic_sources: Vec::new(),
                // A template's group has no members yet.
                out_of_service: Vec::new(),
                standby: Vec::new(),
                instance_maintenance_policy: Some(MaintenancePolicy::from_bounds(
                    r.int(
                        "InstanceMaintenancePolicy.MinHealthyPercentage",
                        "instance_maintenance_policy",
                    )?,
                    r.int(
                        "InstanceMaintenancePolicy.MaxHealthyPercentage",
                        "instance_maintenance_policy",
                    )?,
                )),
            };
            for (kind, id) in &traffic_sources {
                group.add_traffic_source(kind.as_deref(), id);
            }
            r.zones_follow_subnets();
            push_source(inv, r, &group);
            inv.auto_scaling_groups.push(group);
        }
        "AWS::AutoScaling::ScalingPolicy" => {
            let mut steps = Vec::new();
            for item in &r.items("StepAdjustments", "step_adjustments")? {
                let step = r.eval(item)?;
                let number = |key: &str| {
                    step.get(key)
                        .and_then(Value::text)
                        .and_then(|t| t.parse::<f64>().ok())
                };
                steps.push(StepAdjustment {
                    lower_bound: number("MetricIntervalLowerBound"),
                    upper_bound: number("MetricIntervalUpperBound"),
                    scaling_adjustment: number("ScalingAdjustment").unwrap_or(0.0) as i32,
                });
            }
            let target_tracking = r
                .value("TargetTrackingConfiguration", "target_tracking")?
                .map(|config| TargetTracking {
                    predefined_metric: config
                        .get("PredefinedMetricSpecification")
                        .and_then(|m| m.get("PredefinedMetricType"))
                        .and_then(Value::text)
                        .map(str::to_owned),
                    target_value: config
                        .get("TargetValue")
                        .and_then(Value::text)
                        .and_then(|t| t.parse().ok())
                        .unwrap_or(0.0),
                    disable_scale_in: config
                        .get("DisableScaleIn")
                        .and_then(Value::text)
                        .is_some_and(|t| t.eq_ignore_ascii_case("true")),
                });
            let policy = ScalingPolicy {
                name: r.logical.to_owned(),
                arn: r.id(kind)?,
                region,
                auto_scaling_group: r
                    .text("AutoScalingGroupName", "auto_scaling_group")?
                    .unwrap_or_default(),
                policy_type: r
                    .text("PolicyType", "policy_type")?
                    .unwrap_or_else(|| "SimpleScaling".into()),
                adjustment_type: r.text("AdjustmentType", "adjustment_type")?,
                scaling_adjustment: r.int("ScalingAdjustment", "scaling_adjustment")?,
                step_adjustments: steps,
                target_tracking,
                // CloudFormation's scaling policies have no `Enabled`: always on.
                disabled: false,
            };
            push_source(inv, r, &policy);
            inv.scaling_policies.push(policy);
        }
        _ => {}
    }
    Ok(())
}

/// A `LaunchTemplateSpecification` (the group's, or an override's) as written; an unknown
/// id or name is left empty (the caller records why).
fn launch_template_ref(spec: &Value) -> LaunchTemplateRef {
    let text = |key: &str| spec.get(key).and_then(Value::text).map(str::to_owned);
    LaunchTemplateRef {
        id: text("LaunchTemplateId").unwrap_or_default(),
        name: text("LaunchTemplateName").unwrap_or_default(),
        version: text("Version").unwrap_or_else(|| "$Default".into()),
    }
}
