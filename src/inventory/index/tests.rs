use super::*;

fn group(region: &str, name: &str) -> AutoScalingGroup {
    AutoScalingGroup {
        name: name.into(),
        arn: format!(
            "arn:aws:autoscaling:{region}:1:autoScalingGroup:x:autoScalingGroupName/{name}"
        ),
        region: region.into(),
        availability_zones: vec![],
        subnet_ids: vec![],
        min_size: 1,
        max_size: 1,
        desired_capacity: 1,
        health_check_type: "EC2".into(),
        health_check_grace_period: 0,
        target_group_arns: vec![],
        load_balancer_names: vec![],
        launch_template: None,
        launch_configuration_name: None,
        instance_ids: vec![],
        tags: Tags::new(),
        ..AutoScalingGroup::default()
    }
}

fn alarm(region: &str, name: &str, group: &str) -> MetricAlarm {
    MetricAlarm {
        name: name.into(),
        arn: format!("arn:aws:cloudwatch:{region}:1:alarm:{name}"),
        region: region.into(),
        namespace: Some("AWS/EC2".into()),
        metric_name: Some("CPUUtilization".into()),
        statistic: Some("Average".into()),
        period: Some(60),
        evaluation_periods: 1,
        threshold: Some(75.0),
        comparison_operator: "GreaterThanThreshold".into(),
        dimensions: [("AutoScalingGroupName".to_owned(), group.to_owned())].into(),
        actions_enabled: true,
        alarm_actions: vec![],
        ok_actions: vec![],
        insufficient_data_actions: vec![],
    }
}

#[test]
fn the_same_name_in_two_regions_is_two_resources() {
    let mut inventory = Inventory::new("1", vec!["us-east-1".into(), "us-west-2".into()]);
    inventory.auto_scaling_groups = vec![group("us-east-1", "web"), group("us-west-2", "web")];
    inventory.metric_alarms = vec![alarm("us-east-1", "high", "web")];
    let index = Index::new(inventory);
    let east = index.find::<AutoScalingGroup>("us-east-1", "web").unwrap();
    let west = index.find::<AutoScalingGroup>("us-west-2", "web").unwrap();
    assert_eq!(index.alarms_on(east).count(), 1);
    assert_eq!(
        index.alarms_on(west).count(),
        0,
        "us-east-1's alarm is not us-west-2's"
    );
    assert_eq!(
        index.positions_of_id(AutoScalingGroup::SLOT, "web").len(),
        2
    );
    assert_eq!(
        index
            .by_arn::<AutoScalingGroup>(&west.arn)
            .map(|g| &g.region),
        Some(&"us-west-2".to_owned())
    );
}

#[test]
fn every_kind_has_its_slot() {
    let mut seen = vec![];
    macro_rules! visit {
        ($ty:ty) => {
            assert_eq!(
                slot_of_kind(<$ty as Resource>::KIND),
                Some(<$ty as Collection>::SLOT)
            );
            seen.push(<$ty as Collection>::SLOT);
        };
    }
    each_collection!(visit);
    seen.sort();
    assert_eq!(seen, (0..SLOTS).collect::<Vec<_>>());
    assert_eq!(Inventory::default().resource_counts().len(), SLOTS);
    // The policy view reads collections by slot from `resource_counts`' order.
    let mut by_slot: Vec<(usize, &str)> = Vec::new();
    macro_rules! named {
        ($ty:ty) => {
            by_slot.push((<$ty as Collection>::SLOT, <$ty as Resource>::KIND));
        };
    }
    each_collection!(named);
    by_slot.sort();
    let kinds: Vec<&str> = by_slot.into_iter().map(|(_, kind)| kind).collect();
    let counted: Vec<String> = Inventory::default()
        .resource_counts()
        .into_iter()
        .map(|(name, _)| name.to_owned())
        .collect();
    for (kind, collection) in kinds.iter().zip(&counted) {
        let plural = match kind.strip_suffix("cy") {
            Some(stem) => format!("{stem}cies"),
            None => format!("{kind}s"),
        };
        assert_eq!(
            *collection, plural,
            "slot order differs from for_each_collection!"
        );
    }
}
