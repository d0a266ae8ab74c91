//! CloudFormation's words for what an edit says in the inventory's: the property that
//! holds a field of a resource, and the type and logical-id suffix of what a plan declares.

use crate::change::NotWritten;
use crate::change::iac::SUBSCRIPTION;

/// The property of `kind` that holds inventory field `field`, for the fields edits write.
pub(super) fn property(kind: &str, field: &str) -> Result<&'static str, NotWritten> {
    let name = match (kind, field) {
        ("db_instance", "multi_az") => "MultiAZ",
        ("db_instance", "availability_zone") => "AvailabilityZone",
        ("db_instance", "publicly_accessible") => "PubliclyAccessible",
        ("db_instance", "backup_retention_period") => "BackupRetentionPeriod",
        ("db_instance", "deletion_protection") => "DeletionProtection",
        ("classic_load_balancer", "cross_zone") => "CrossZone",
        ("auto_scaling_group", "min_size") => "MinSize",
        ("auto_scaling_group", "desired_capacity") => "DesiredCapacity",
        ("auto_scaling_group", "max_size") => "MaxSize",
        ("auto_scaling_group", "health_check_type") => "HealthCheckType",
        ("auto_scaling_group", "health_check_grace_period") => "HealthCheckGracePeriod",
        ("auto_scaling_group", "target_group_arns") => "TargetGroupARNs",
        ("auto_scaling_group", "subnet_ids") => "VPCZoneIdentifier",
        ("auto_scaling_group", "instance_maintenance_policy") => "InstanceMaintenancePolicy",
        ("instance_maintenance_policy", "min_healthy_percentage") => "MinHealthyPercentage",
        ("instance_maintenance_policy", "max_healthy_percentage") => "MaxHealthyPercentage",
        ("metric_alarm", "namespace") => "Namespace",
        ("metric_alarm", "metric_name") => "MetricName",
        ("metric_alarm", "statistic") => "Statistic",
        ("metric_alarm", "period") => "Period",
        ("metric_alarm", "evaluation_periods") => "EvaluationPeriods",
        ("metric_alarm", "threshold") => "Threshold",
        ("metric_alarm", "comparison_operator") => "ComparisonOperator",
        ("metric_alarm", "dimensions") => "Dimensions",
        ("metric_alarm", "actions_enabled") => "ActionsEnabled",
        ("metric_alarm", "alarm_actions") => "AlarmActions",
        ("scaling_policy", "auto_scaling_group") => "AutoScalingGroupName",
        ("scaling_policy", "policy_type") => "PolicyType",
        ("scaling_policy", "adjustment_type") => "AdjustmentType",
        ("scaling_policy", "scaling_adjustment") => "ScalingAdjustment",
        ("sns_topic", "name") => "TopicName",
        ("event_subscription", "name") => "SubscriptionName",
        ("event_subscription", "sns_topic_arn") => "SnsTopicArn",
        ("event_subscription", "source_type") => "SourceType",
        ("event_subscription", "source_ids") => "SourceIds",
        ("event_subscription", "event_categories") => "EventCategories",
        ("event_subscription", "enabled") => "Enabled",
        (SUBSCRIPTION, "topic_arn") => "TopicArn",
        (SUBSCRIPTION, "protocol") => "Protocol",
        (SUBSCRIPTION, "endpoint") => "Endpoint",
        ("security_group", "name") => "GroupName",
        ("security_group", "description") => "GroupDescription",
        ("security_group", "vpc_id") => "VpcId",
        ("instance", "image_id") => "ImageId",
        ("instance", "instance_type") => "InstanceType",
        (_, "tags") => "Tags",
        _ => {
            return Err(NotWritten::NotYet(format!(
                "`{kind}.{field}` is not written into templates yet"
            )));
        }
    };
    Ok(name)
}

/// The resource type of a kind a plan declares, and the word its logical id ends with
/// (`WebSecurityGroup`).
pub(super) fn declared_type(kind: &str) -> Result<(&'static str, &'static str), NotWritten> {
    Ok(match kind {
        "security_group" => ("AWS::EC2::SecurityGroup", "SecurityGroup"),
        "instance" => ("AWS::EC2::Instance", "Instance"),
        "sns_topic" => ("AWS::SNS::Topic", ""),
        SUBSCRIPTION => ("AWS::SNS::Subscription", "Subscription"),
        "scaling_policy" => ("AWS::AutoScaling::ScalingPolicy", ""),
        "metric_alarm" => ("AWS::CloudWatch::Alarm", ""),
        "event_subscription" => ("AWS::RDS::EventSubscription", "Events"),
        _ => {
            return Err(NotWritten::NotYet(format!(
                "a new `{kind}` is not written into templates yet"
            )));
        }
    })
}

/// The key of a map's entries in a list property: an alarm's dimensions are `Name`s, tags
/// `Key`s.
pub(super) fn map_key(field: &str) -> &'static str {
    match field {
        "dimensions" => "Name",
        _ => "Key",
    }
}
