//! Elastic Load Balancing: load balancers of both APIs, listeners, listener rules, target groups.

use super::*;

/// The `[{Key, Value}]` properties of a load balancer's and a target group's attributes: a
/// key left out has AWS's default.
const ATTRIBUTES: &str = "LoadBalancerAttributes";
const GROUP_ATTRIBUTES: &str = "TargetGroupAttributes";

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let region = inv.regions[0].clone();
    match kind {
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let mut subnets = r.list("Subnets", "subnet_ids")?;
            for mapping in &r.items("SubnetMappings", "subnet_ids")? {
                if let Some(subnet) = r.eval(mapping)?.get("SubnetId").and_then(Value::text) {
                    subnets.push(subnet.to_owned());
                }
            }
            let lb_type = r
                .text("Type", "lb_type")?
                .unwrap_or_else(|| "application".into());
            let lb = LoadBalancer {
                arn: r.id(kind)?,
                name: r.name(kind)?,
                region,
                canonical_hosted_zone_id: r
                    .attribute(kind, "CanonicalHostedZoneID")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                lb_type: lb_type.clone(),
                scheme: r
                    .text("Scheme", "scheme")?
                    .unwrap_or_else(|| "internet-facing".into()),
                vpc_id: String::new(),
                availability_zones: Vec::new(),
                subnet_ids: subnets,
                security_group_ids: r.list("SecurityGroups", "security_group_ids")?,
                dns_name: r
                    .attribute(kind, "DNSName")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                state: "active".into(),
                tags: r.tags()?,
                tags_unread: false,
                deletion_protection: Some(
                    r.key_value(
                        ATTRIBUTES,
                        "deletion_protection.enabled",
                        "deletion_protection",
                    )?
                    .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                ),
                cross_zone: Some(
                    lb_type == "application"
                        || r.key_value(
                            ATTRIBUTES,
                            "load_balancing.cross_zone.enabled",
                            "cross_zone",
                        )?
                        .is_some_and(|v| v.eq_ignore_ascii_case("true")),
                ),
            };
            r.zones_follow_subnets();
            push_source(inv, r, &lb);
            inv.load_balancers.push(lb);
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            let mut actions = Vec::new();
            if let Some(entry) = r.properties_entry("DefaultActions") {
                r.at("default_actions", entry);
            }
            for item in &r.items("DefaultActions", "default_actions")? {
                let value = r.eval(item)?;
                if let Some(reason) = value.unknown() {
                    r.unknown("default_actions", reason.to_owned());
                }
                let action = listener_action(&value);
                r.element("default_actions", json(&action), item.pos);
                actions.push(action);
            }
            let mut certificates = Vec::new();
            for item in &r.items("Certificates", "certificate_arns")? {
                if let Some(arn) = r.eval(item)?.get("CertificateArn").and_then(Value::text) {
                    certificates.push(arn.to_owned());
                }
            }
            let listener = Listener {
                arn: r.id(kind)?,
                load_balancer_arn: r
                    .text("LoadBalancerArn", "load_balancer_arn")?
                    .unwrap_or_default(),
                region,
                port: r.int("Port", "port")?.unwrap_or(0),
                protocol: r
                    .text("Protocol", "protocol")?
                    .unwrap_or_else(|| "HTTP".into()),
                certificate_arns: certificates,
                default_actions: actions,
                rules: Vec::new(),
            };
            push_source(inv, r, &listener);
            inv.listeners.push(listener);
        }
        "AWS::ElasticLoadBalancingV2::ListenerRule" => {
            // Joined to its listener once every listener is read.
            let listener = r.text("ListenerArn", "rules")?.unwrap_or_default();
            let mut unknown = None;
            let mut actions = Vec::new();
            for item in &r.items("Actions", "rules")? {
                let value = r.eval(item)?;
                unknown = unknown.or(value.unknown().map(str::to_owned));
                actions.push(listener_action(&value));
            }
            let mut conditions = Vec::new();
            for item in &r.items("Conditions", "rules")? {
                let value = r.eval(item)?;
                unknown = unknown.or(value.unknown().map(str::to_owned));
                conditions.push(rule_condition(&value));
            }
            let rule = ListenerRule {
                arn: r.id(kind)?,
                priority: r.int("Priority", "rules")?.unwrap_or(0).into(),
                conditions,
                actions,
            };
            joins.listener_rules.push((listener, rule, unknown));
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            let mut targets = Vec::new();
            for item in &r.items("Targets", "targets")? {
                let target = r.eval(item)?;
                if let Some(id) = target.get("Id").and_then(Value::text) {
                    targets.push(Target {
                        id: id.to_owned(),
                        port: target
                            .get("Port")
                            .and_then(Value::text)
                            .and_then(|p| p.parse().ok()),
                        health: "initial".into(),
                        security_group_ids: Vec::new(),
                    });
                }
            }
            let target_type = r
                .text("TargetType", "target_type")?
                .unwrap_or_else(|| "instance".into());
            let deregistration_delay = if target_type == "lambda" {
                None
            } else {
                let seconds = r.key_value(
                    GROUP_ATTRIBUTES,
                    "deregistration_delay.timeout_seconds",
                    "deregistration_delay",
                )?;
                Some(seconds.and_then(|s| s.parse().ok()).unwrap_or(300))
            };
            let group = TargetGroup {
                arn: r.id(kind)?,
                name: r.name(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                port: r.int("Port", "port")?,
                protocol: r.text("Protocol", "protocol")?,
                target_type,
                health_check: HealthCheck {
                    enabled: r
                        .flag("HealthCheckEnabled", "health_check")?
                        .unwrap_or(true),
                    protocol: r.text("HealthCheckProtocol", "health_check")?,
                    port: r.text("HealthCheckPort", "health_check")?,
                    path: r.text("HealthCheckPath", "health_check")?,
                    interval_seconds: r
                        .int("HealthCheckIntervalSeconds", "health_check")?
                        .unwrap_or(30),
                    healthy_threshold: r.int("HealthyThresholdCount", "health_check")?.unwrap_or(5),
                    unhealthy_threshold: r
                        .int("UnhealthyThresholdCount", "health_check")?
                        .unwrap_or(2),
                },
                load_balancer_arns: Vec::new(),
                targets,
                tags: r.tags()?,
                tags_unread: false,
                deregistration_delay,
                cross_zone: Some(
                    r.key_value(
                        GROUP_ATTRIBUTES,
                        "load_balancing.cross_zone.enabled",
                        "cross_zone",
                    )?
                    .unwrap_or_else(|| "use_load_balancer_configuration".into()),
                ),
            };
            push_source(inv, r, &group);
            inv.target_groups.push(group);
        }
        "AWS::ElasticLoadBalancing::LoadBalancer" => {
            let mut listeners = Vec::new();
            for item in &r.items("Listeners", "listeners")? {
                let l = r.eval(item)?;
                let text = |k: &str| {
                    l.get(k)
                        .and_then(Value::text)
                        .unwrap_or_default()
                        .to_owned()
                };
                let protocol = text("Protocol").to_uppercase();
                let instance_protocol = match text("InstanceProtocol") {
                    p if p.is_empty() => protocol.clone(),
                    p => p.to_uppercase(),
                };
                listeners.push(ClassicListener {
                    protocol,
                    port: text("LoadBalancerPort").parse().unwrap_or(0),
                    instance_protocol,
                    instance_port: text("InstancePort").parse().unwrap_or(0),
                });
            }
            let health_check = match r.value("HealthCheck", "health_check")? {
                Some(h) => {
                    let number = |k: &str| {
                        h.get(k)
                            .and_then(Value::text)
                            .and_then(|t| t.parse().ok())
                            .unwrap_or(0)
                    };
                    Some(ClassicHealthCheck {
                        target: h
                            .get("Target")
                            .and_then(Value::text)
                            .unwrap_or_default()
                            .to_owned(),
                        interval_seconds: number("Interval"),
                        timeout_seconds: number("Timeout"),
                        healthy_threshold: number("HealthyThreshold"),
                        unhealthy_threshold: number("UnhealthyThreshold"),
                    })
                }
                None => None,
            };
            let name = r.name(kind)?;
            let lb = ClassicLoadBalancer {
                arn: format!(
                    "arn:aws:elasticloadbalancing:{region}:{}:loadbalancer/{name}",
                    inv.account_id
                ),
                name,
                region,
                scheme: r
                    .text("Scheme", "scheme")?
                    .unwrap_or_else(|| "internet-facing".into()),
                vpc_id: String::new(),
                availability_zones: r.list("AvailabilityZones", "availability_zones")?,
                subnet_ids: r.list("Subnets", "subnet_ids")?,
                security_group_ids: match r.list("SecurityGroups", "security_group_ids")? {
                    groups
                        if groups.is_empty()
                            && !r.source.unknowns.contains_key("security_group_ids") =>
                    {
                        vec![r.classic_source_group()]
                    }
                    groups => groups,
                },
                dns_name: r
                    .attribute(kind, "DNSName")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                canonical_hosted_zone_id: r
                    .attribute(kind, "CanonicalHostedZoneNameID")?
                    .text()
                    .unwrap_or_default()
                    .to_owned(),
                listeners,
                health_check,
                instance_ids: r.list("Instances", "instance_ids")?,
                cross_zone: r.flag("CrossZone", "cross_zone")?.unwrap_or(false),
                connection_draining: draining(r)?,
                tags: r.tags()?,
                tags_unread: false,
            };
            r.zones_follow_subnets();
            push_source(inv, r, &lb);
            inv.classic_load_balancers.push(lb);
        }
        _ => {}
    }
    Ok(())
}

/// A rule's condition as the inventory writes it: `field value…`, from the field's own
/// configuration (`HostHeaderConfig`, …) or the legacy `Values`.
fn rule_condition(value: &Value) -> String {
    let values_of = |v: Option<&Value>| -> Vec<String> {
        v.map(Value::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| i.text().map(str::to_owned))
            .collect()
    };
    let field = value.get("Field").and_then(Value::text).unwrap_or_default();
    let mut values = values_of(value.get("Values"));
    for config in [
        "HostHeaderConfig",
        "PathPatternConfig",
        "HttpRequestMethodConfig",
        "SourceIpConfig",
    ] {
        values.extend(values_of(value.get(config).and_then(|c| c.get("Values"))));
    }
    if let Some(header) = value.get("HttpHeaderConfig") {
        let name = header
            .get("HttpHeaderName")
            .and_then(Value::text)
            .unwrap_or_default();
        values.extend(
            values_of(header.get("Values"))
                .into_iter()
                .map(|v| format!("{name}={v}")),
        );
    }
    if let Some(query) = value.get("QueryStringConfig") {
        for pair in query.get("Values").map(Value::items).unwrap_or_default() {
            let text = |k: &str| pair.get(k).and_then(Value::text).unwrap_or_default();
            values.push(format!("{}={}", text("Key"), text("Value")));
        }
    }
    ListenerRule::condition(field, values)
}

fn listener_action(value: &Value) -> ListenerAction {
    let text = |v: Option<&Value>| v.and_then(Value::text).map(str::to_owned);
    let mut target_group_arns: Vec<String> =
        text(value.get("TargetGroupArn")).into_iter().collect();
    if let Some(groups) = value
        .get("ForwardConfig")
        .and_then(|f| f.get("TargetGroups"))
    {
        // A target group of weight 0 gets no request (unless every one has weight 0).
        let zero = |group: &Value| text(group.get("Weight")).is_some_and(|w| w.trim() == "0");
        let all_zero = groups.items().iter().all(zero);
        for group in groups.items() {
            if all_zero || !zero(group) {
                target_group_arns.extend(text(group.get("TargetGroupArn")));
            }
        }
    }
    target_group_arns.sort();
    target_group_arns.dedup();
    let redirect = value.get("RedirectConfig");
    ListenerAction {
        action_type: text(value.get("Type")).unwrap_or_default(),
        target_group_arns,
        redirect_protocol: text(redirect.and_then(|r| r.get("Protocol"))),
        redirect_port: text(redirect.and_then(|r| r.get("Port"))),
        redirect_host: text(redirect.and_then(|r| r.get("Host"))),
    }
}

/// A Classic Load Balancer's `ConnectionDrainingPolicy`, evaluated whole (it may sit under
/// an `!If`): seconds when on, 0 when off or left out (CloudFormation's default); a value
/// waiting for an input is recorded unknown.
fn draining(r: &mut Recorder) -> std::result::Result<Option<i32>, EvalError> {
    let Some(policy) = r.value("ConnectionDrainingPolicy", "connection_draining")? else {
        return Ok(Some(0));
    };
    let mut known = |value: Option<&Value>| match value {
        Some(Value::Unknown(reason)) => {
            r.unknown("connection_draining", reason.clone());
            None
        }
        other => Some(other.and_then(Value::text).map(str::to_owned)),
    };
    let Some(enabled) = known(policy.get("Enabled")) else {
        return Ok(Some(0));
    };
    if !enabled.is_some_and(|e| e.eq_ignore_ascii_case("true")) {
        return Ok(Some(0));
    }
    Ok(Some(
        known(policy.get("Timeout"))
            .flatten()
            .and_then(|t| t.parse().ok())
            .unwrap_or(300),
    ))
}
