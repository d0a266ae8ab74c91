//! One or two actions of each family, on the compliant example: what a step says of itself
//! (key, change, IAM permissions), what it does to a predicted inventory (what the rules
//! judge after the plan), and its edits of code as data (what both writers apply).

use super::*;
use crate::inventory::Inventory;

const REGION: &str = "us-east-1";

/// The compliant example after `action`, as the predictor sees it.
fn predicted(action: &Action) -> Inventory {
    let mut inventory = crate::snapshot::example_inventory("compliant");
    action.kind().predict(&mut inventory, REGION, "ref:step");
    inventory
}

fn changes(action: &Action) -> Vec<(String, String, String)> {
    action
        .changes()
        .into_iter()
        .map(|c| (c.field, c.before, c.after))
        .collect()
}

#[test]
fn capacity_sets_the_three_sizes_of_the_group_it_names() {
    let action = Action::SetCapacity(SetCapacity {
        group: "shop-asg".into(),
        min_size: 3,
        desired_capacity: 4,
        max_size: 6,
        before: [2, 2, 6],
    });
    assert_eq!(action.key(), "set-capacity:shop-asg");
    assert!(
        action
            .permissions()
            .contains(&"autoscaling:UpdateAutoScalingGroup")
    );
    let group = predicted(&action).auto_scaling_groups.remove(0);
    assert_eq!(
        (group.min_size, group.desired_capacity, group.max_size),
        (3, 4, 6)
    );
}

#[test]
fn security_groups_lose_exactly_the_rule_revoked() {
    let inventory = crate::snapshot::example_inventory("compliant");
    let group = inventory
        .security_groups
        .iter()
        .find(|g| g.id == "sg-0bastion")
        .unwrap();
    let rule = group.ingress[0].clone();
    let action = Action::RevokeIngress(RevokeIngress {
        group_id: "sg-0bastion".into(),
        rule: rule.clone(),
    });
    assert!(
        action
            .permissions()
            .contains(&"ec2:RevokeSecurityGroupIngress")
    );
    assert_eq!(changes(&action)[0].2, "(none)");
    let after = predicted(&action);
    let group = after
        .security_groups
        .iter()
        .find(|g| g.id == "sg-0bastion")
        .unwrap();
    assert!(group.ingress.iter().all(|r| r != &rule));
    // Another group's rules stay.
    assert_eq!(after.security_groups.len(), inventory.security_groups.len());
}

#[test]
fn databases_get_a_standby_and_the_code_edit_says_the_field() {
    let mut inventory = crate::snapshot::example_inventory("compliant");
    inventory.db_instances[0].multi_az = false;
    let action = Action::EnableMultiAz(EnableMultiAz {
        db_instance: "shop-db".into(),
    });
    assert_eq!(action.key(), "multi-az:shop-db");
    assert_eq!(
        changes(&action),
        [("multi_az".to_owned(), "false".to_owned(), "true".to_owned())]
    );
    action.kind().predict(&mut inventory, REGION, "ref:step");
    assert!(inventory.db_instances[0].multi_az);
    // Another region's database of that name is not this one.
    let mut elsewhere = crate::snapshot::example_inventory("compliant");
    elsewhere.db_instances[0].multi_az = false;
    action
        .kind()
        .predict(&mut elsewhere, "eu-west-1", "ref:step");
    assert!(!elsewhere.db_instances[0].multi_az);
}

#[test]
fn monitoring_enables_the_alarm_it_names_and_writes_actions_enabled() {
    let arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:shop-cpu-high";
    let action = Action::EnableAlarmActions(EnableAlarmActions {
        alarm_name: "shop-cpu-high".into(),
        alarm_arn: arn.into(),
    });
    assert_eq!(action.key(), "alarm-actions:shop-cpu-high");
    assert_eq!(
        action.permissions(),
        ["cloudwatch:DescribeAlarms", "cloudwatch:EnableAlarmActions"]
    );
    let mut inventory = crate::snapshot::example_inventory("compliant");
    for alarm in &mut inventory.metric_alarms {
        alarm.actions_enabled = false;
    }
    action.kind().predict(&mut inventory, REGION, "ref:step");
    let enabled: Vec<(&str, bool)> = inventory
        .metric_alarms
        .iter()
        .map(|a| (a.name.as_str(), a.actions_enabled))
        .collect();
    assert_eq!(
        enabled,
        [
            ("shop-cpu-high", true),
            ("shop-cpu-low", false),
            ("shop-tg-unhealthy-targets", false)
        ]
    );
    let edits = action.kind().iac_edits();
    let Some([IacEdit::Set { field, value, .. }]) = edits.as_deref() else {
        panic!("one field set");
    };
    assert_eq!((*field, value), ("actions_enabled", &IacValue::Bool(true)));
}

#[test]
fn load_balancers_drain_the_classic_one_they_name() {
    let action = Action::EnableConnectionDraining(EnableConnectionDraining {
        load_balancer: "legacy-elb".into(),
        seconds: 300,
        before: 0,
    });
    assert_eq!(action.key(), "connection-draining:legacy-elb");
    assert_eq!(
        changes(&action),
        [(
            "connection_draining".to_owned(),
            "0".to_owned(),
            "300".to_owned()
        )]
    );
    // The compliant example has no Classic Load Balancer: nothing to change, nothing made.
    let after = predicted(&action);
    assert!(after.classic_load_balancers.is_empty());
    assert!(
        action
            .kind()
            .template_change()
            .contains("ConnectionDrainingPolicy")
    );
}
