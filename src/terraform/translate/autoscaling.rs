//! The Auto Scaling resources (groups, scaling policies) as the CloudFormation resources AWS
//! makes of them.

use super::resources::{Properties, Read, has_expression, object};
use super::{Here, Translator, seq};
use crate::template::yaml::Spanned;
use crate::terraform::plan::Node as PlanNode;

impl<'p> Translator<'p> {
    pub(super) fn group(&self, here: Here<'p>, node: PlanNode<'p>) -> Properties<'static> {
        let pos = self.pos(here.instance, None);
        let get = |name: &str| self.get(here, node, name);
        let template_spec = |block: PlanNode<'p>, id: &str, name: &str| {
            object(
                vec![
                    ("LaunchTemplateId", self.text(here, block, id)),
                    ("LaunchTemplateName", self.text(here, block, name)),
                    (
                        "Version",
                        self.text(here, block, "version")
                            .or_else(|| self.get(here, block, "version")),
                    ),
                ],
                pos,
            )
        };
        let launch_template = self
            .plan
            .blocks(node, "launch_template")
            .into_iter()
            .next()
            .map(|block| template_spec(block, "id", "name"));
        let mixed = self
            .plan
            .blocks(node, "mixed_instances_policy")
            .into_iter()
            .next()
            .map(|policy| {
                let template = self
                    .plan
                    .blocks(policy, "launch_template")
                    .into_iter()
                    .next();
                let specification = template
                    .and_then(|t| {
                        self.plan
                            .blocks(t, "launch_template_specification")
                            .into_iter()
                            .next()
                    })
                    .map(|spec| template_spec(spec, "launch_template_id", "launch_template_name"));
                let overrides: Vec<Spanned> = template
                    .map(|t| self.plan.blocks(t, "override"))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|o| {
                        let nested = self
                            .plan
                            .blocks(o, "launch_template_specification")
                            .into_iter()
                            .next()
                            .map(|spec| {
                                template_spec(spec, "launch_template_id", "launch_template_name")
                            });
                        object(
                            vec![
                                ("InstanceType", self.text(here, o, "instance_type")),
                                // Which types qualify is AWS's to find: that it selects by
                                // attributes is what the converter reads.
                                (
                                    "InstanceRequirements",
                                    (!self.plan.blocks(o, "instance_requirements").is_empty())
                                        .then(|| object(Vec::new(), pos)),
                                ),
                                ("WeightedCapacity", self.text(here, o, "weighted_capacity")),
                                ("LaunchTemplateSpecification", nested),
                            ],
                            pos,
                        )
                    })
                    .collect();
                object(
                    vec![(
                        "LaunchTemplate",
                        Some(object(
                            vec![
                                ("LaunchTemplateSpecification", specification),
                                (
                                    "Overrides",
                                    (!overrides.is_empty()).then(|| seq(overrides, pos)),
                                ),
                            ],
                            pos,
                        )),
                    )],
                    pos,
                )
            });
        let sources = self.objects(
            here,
            node,
            "traffic_source",
            &[
                ("Identifier", "identifier", Read::Arn),
                ("Type", "type", Read::Text),
            ],
        );
        let maintenance = self
            .objects(
                here,
                node,
                "instance_maintenance_policy",
                &[
                    (
                        "MinHealthyPercentage",
                        "min_healthy_percentage",
                        Read::Value,
                    ),
                    (
                        "MaxHealthyPercentage",
                        "max_healthy_percentage",
                        Read::Value,
                    ),
                ],
            )
            .into_iter()
            .next();
        vec![
            ("AutoScalingGroupName", self.text(here, node, "name")),
            ("MinSize", get("min_size")),
            ("MaxSize", get("max_size")),
            ("DesiredCapacity", get("desired_capacity")),
            (
                "DesiredCapacityType",
                self.text(here, node, "desired_capacity_type"),
            ),
            (
                "HealthCheckType",
                self.text(here, node, "health_check_type"),
            ),
            ("HealthCheckGracePeriod", get("health_check_grace_period")),
            (
                "VPCZoneIdentifier",
                self.list(here, node, "vpc_zone_identifier", false),
            ),
            (
                "AvailabilityZones",
                self.list(here, node, "availability_zones", false)
                    .filter(|_| has_expression(node, "availability_zones")),
            ),
            (
                "TargetGroupARNs",
                self.list(here, node, "target_group_arns", true),
            ),
            (
                "LoadBalancerNames",
                self.list(here, node, "load_balancers", false),
            ),
            ("LaunchTemplate", launch_template),
            (
                "LaunchConfigurationName",
                self.text(here, node, "launch_configuration"),
            ),
            ("MixedInstancesPolicy", mixed),
            ("InstanceMaintenancePolicy", maintenance),
            (
                "TrafficSources",
                (!sources.is_empty()).then(|| seq(sources, pos)),
            ),
        ]
    }

    pub(super) fn scaling_policy(&self, here: Here<'p>, node: PlanNode<'p>) -> Properties<'static> {
        let pos = self.pos(here.instance, None);
        let steps = self.objects(
            here,
            node,
            "step_adjustment",
            &[
                (
                    "MetricIntervalLowerBound",
                    "metric_interval_lower_bound",
                    Read::Text,
                ),
                (
                    "MetricIntervalUpperBound",
                    "metric_interval_upper_bound",
                    Read::Text,
                ),
                ("ScalingAdjustment", "scaling_adjustment", Read::Value),
            ],
        );
        let tracking = self
            .plan
            .blocks(node, "target_tracking_configuration")
            .into_iter()
            .next()
            .map(|t| {
                let predefined = self.first_object(
                    here,
                    t,
                    "predefined_metric_specification",
                    &[
                        ("PredefinedMetricType", "predefined_metric_type", Read::Text),
                        ("ResourceLabel", "resource_label", Read::Text),
                    ],
                );
                object(
                    vec![
                        ("PredefinedMetricSpecification", predefined),
                        ("TargetValue", self.get(here, t, "target_value")),
                        ("DisableScaleIn", self.get(here, t, "disable_scale_in")),
                    ],
                    pos,
                )
            });
        vec![
            (
                "AutoScalingGroupName",
                self.get(here, node, "autoscaling_group_name"),
            ),
            ("PolicyType", self.text(here, node, "policy_type")),
            ("AdjustmentType", self.text(here, node, "adjustment_type")),
            (
                "ScalingAdjustment",
                self.get(here, node, "scaling_adjustment"),
            ),
            (
                "StepAdjustments",
                (!steps.is_empty()).then(|| seq(steps, pos)),
            ),
            ("TargetTrackingConfiguration", tracking),
        ]
    }
}
