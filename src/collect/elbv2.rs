//! Elastic Load Balancing v2 collectors: load balancers with their listeners, target groups
//! with their registered targets' health.

use aws_sdk_elasticloadbalancingv2::Client;
use aws_sdk_elasticloadbalancingv2::types::Action;
use futures::{StreamExt, TryStreamExt};

use super::{CallFailure, UnitResult, failed};
use crate::inventory::{
    HealthCheck, Inventory, Listener, ListenerAction, ListenerRule, LoadBalancer, Target,
    TargetGroup,
};

/// AWS's largest page for the ELBv2 describe calls (moto defaults to 50).
const PAGE: i32 = 400;
/// Per-resource follow-up calls (listeners, target health) in flight at once within a unit.
const FOLLOW_UPS: usize = 8;

pub async fn load_balancers(client: Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_load_balancers()
        .page_size(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for lb in page
            .map_err(failed("DescribeLoadBalancers"))?
            .load_balancers()
        {
            let zones = lb.availability_zones();
            out.load_balancers.push(LoadBalancer {
                arn: lb.load_balancer_arn().unwrap_or_default().to_owned(),
                name: lb.load_balancer_name().unwrap_or_default().to_owned(),
                region: region.clone(),
                lb_type: lb
                    .r#type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_default(),
                // AWS always says; a server that keeps what the creation omitted (moto, for
                // Terraform's provider, which sends a scheme only for internal ones) does
                // not: omitted at creation is internet-facing.
                scheme: lb
                    .scheme()
                    .map_or("internet-facing", |s| s.as_str())
                    .to_owned(),
                vpc_id: lb.vpc_id().unwrap_or_default().to_owned(),
                availability_zones: zones
                    .iter()
                    .filter_map(|z| z.zone_name().map(str::to_owned))
                    .collect(),
                subnet_ids: zones
                    .iter()
                    .filter_map(|z| z.subnet_id().map(str::to_owned))
                    .collect(),
                security_group_ids: lb.security_groups().to_vec(),
                dns_name: lb.dns_name().unwrap_or_default().to_owned(),
                canonical_hosted_zone_id: lb
                    .canonical_hosted_zone_id()
                    .unwrap_or_default()
                    .to_owned(),
                state: lb
                    .state()
                    .and_then(|s| s.code())
                    .map(|c| c.as_str().to_owned())
                    .unwrap_or_default(),
                tags: Default::default(),
                tags_unread: false,
                deletion_protection: None,
                cross_zone: None,
            });
        }
    }
    let tagged = tags_of(
        &client,
        &mut out.load_balancers,
        |lb| lb.arn.clone(),
        |lb, tags| lb.tags = tags,
        |lb| lb.tags_unread = true,
    );
    if let Err(failure) = tagged.await {
        // Only who owns them is missing: a warning, the load balancers kept.
        super::warn(&mut out, "elasticloadbalancing", region.clone(), failure);
    }
    let refused = with_attributes(
        &mut out.load_balancers,
        |lb| lb.arn.clone(),
        |arn| load_balancer_attributes(&client, arn),
        |lb, attributes| {
            lb.deletion_protection = Some(attributes.flag("deletion_protection.enabled"));
            lb.cross_zone = Some(
                lb.lb_type == "application" || attributes.flag("load_balancing.cross_zone.enabled"),
            );
        },
    )
    .await;
    if let Some(failure) = refused {
        super::warn(&mut out, "elasticloadbalancing", region.clone(), failure);
    }
    let arns: Vec<String> = out.load_balancers.iter().map(|lb| lb.arn.clone()).collect();
    let listeners: Vec<Vec<Listener>> = futures::stream::iter(arns)
        .map(|arn| listeners_of(&client, &region, arn))
        .buffered(FOLLOW_UPS)
        .try_collect()
        .await?;
    out.listeners = listeners.into_iter().flatten().collect();
    Ok(out)
}

/// Fills the tags of load balancers or target groups, named by ARN (one DescribeTags per
/// 20), as `set` and `unread` say.
async fn tags_of<T>(
    client: &Client,
    items: &mut [T],
    arn: impl Fn(&T) -> String,
    set: impl Fn(&mut T, crate::inventory::Tags),
    unread: impl Fn(&mut T),
) -> Result<(), CallFailure> {
    super::tags_in_batches(
        items,
        arn,
        |arns| {
            let call = client.describe_tags().set_resource_arns(Some(arns));
            async move {
                let answer = call.send().await.map_err(failed("DescribeTags"))?;
                Ok(answer
                    .tag_descriptions()
                    .iter()
                    .map(|d| {
                        let tags = super::tag_map(d.tags(), |t| (t.key(), t.value()));
                        (d.resource_arn().unwrap_or_default().to_owned(), tags)
                    })
                    .collect())
            }
        },
        set,
        unread,
    )
    .await
}

async fn listeners_of(
    client: &Client,
    region: &str,
    load_balancer_arn: String,
) -> Result<Vec<Listener>, CallFailure> {
    let mut listeners = Vec::new();
    let mut pages = client
        .describe_listeners()
        .load_balancer_arn(&load_balancer_arn)
        .page_size(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for listener in page.map_err(failed("DescribeListeners"))?.listeners() {
            listeners.push(Listener {
                arn: listener.listener_arn().unwrap_or_default().to_owned(),
                load_balancer_arn: load_balancer_arn.clone(),
                region: region.to_owned(),
                port: listener.port().unwrap_or(0),
                protocol: listener
                    .protocol()
                    .map(|p| p.as_str().to_owned())
                    .unwrap_or_default(),
                certificate_arns: listener
                    .certificates()
                    .iter()
                    .filter_map(|c| c.certificate_arn().map(str::to_owned))
                    .collect(),
                default_actions: listener
                    .default_actions()
                    .iter()
                    .map(listener_action)
                    .collect(),
                rules: Vec::new(),
            });
        }
    }
    // Only HTTP and HTTPS listeners (an application load balancer's) have rules.
    for listener in listeners
        .iter_mut()
        .filter(|l| matches!(l.protocol.as_str(), "HTTP" | "HTTPS"))
    {
        listener.rules = rules_of(client, &listener.arn).await?;
    }
    Ok(listeners)
}

/// A listener's rules but its default one (whose actions are the listener's default
/// actions), by priority; DescribeRules pages by marker.
async fn rules_of(client: &Client, listener_arn: &str) -> Result<Vec<ListenerRule>, CallFailure> {
    let mut rules = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let page = client
            .describe_rules()
            .listener_arn(listener_arn)
            .page_size(PAGE)
            .set_marker(marker.take())
            .send()
            .await
            .map_err(failed("DescribeRules"))?;
        for rule in page.rules() {
            if rule.is_default().unwrap_or(false) {
                continue;
            }
            rules.push(ListenerRule {
                arn: rule.rule_arn().unwrap_or_default().to_owned(),
                priority: rule.priority().and_then(|p| p.parse().ok()).unwrap_or(0),
                conditions: rule.conditions().iter().map(condition).collect(),
                actions: rule.actions().iter().map(listener_action).collect(),
            });
        }
        match page.next_marker() {
            Some(next) if !next.is_empty() => marker = Some(next.to_owned()),
            _ => break,
        }
    }
    rules.sort_by_key(|rule| rule.priority);
    Ok(rules)
}

/// A rule's condition as `field value…`, from the field's own configuration (or the
/// legacy `Values`).
fn condition(condition: &aws_sdk_elasticloadbalancingv2::types::RuleCondition) -> String {
    let field = condition.field().unwrap_or_default();
    let mut values: Vec<String> = condition.values().to_vec();
    if let Some(c) = condition.host_header_config() {
        values.extend(c.values().iter().cloned());
    }
    if let Some(c) = condition.path_pattern_config() {
        values.extend(c.values().iter().cloned());
    }
    if let Some(c) = condition.http_request_method_config() {
        values.extend(c.values().iter().cloned());
    }
    if let Some(c) = condition.source_ip_config() {
        values.extend(c.values().iter().cloned());
    }
    if let Some(c) = condition.http_header_config() {
        let name = c.http_header_name().unwrap_or_default();
        values.extend(c.values().iter().map(|v| format!("{name}={v}")));
    }
    if let Some(c) = condition.query_string_config() {
        values.extend(c.values().iter().map(|pair| {
            format!(
                "{}={}",
                pair.key().unwrap_or_default(),
                pair.value().unwrap_or_default()
            )
        }));
    }
    ListenerRule::condition(field, values)
}

fn listener_action(action: &Action) -> ListenerAction {
    let weighted = action
        .forward_config()
        .map(|f| f.target_groups())
        .unwrap_or_default();
    // A target group of weight 0 gets no request (unless every one has weight 0).
    let all_zero = weighted.iter().all(|t| t.weight() == Some(0));
    let mut target_group_arns: Vec<String> = weighted
        .iter()
        .filter(|t| all_zero || t.weight() != Some(0))
        .filter_map(|t| t.target_group_arn().map(str::to_owned))
        .collect();
    if let Some(arn) = action.target_group_arn() {
        target_group_arns.push(arn.to_owned());
    }
    target_group_arns.sort();
    target_group_arns.dedup();
    let redirect = action.redirect_config();
    ListenerAction {
        action_type: action
            .r#type()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default(),
        target_group_arns,
        redirect_protocol: redirect.and_then(|r| r.protocol()).map(str::to_owned),
        redirect_port: redirect.and_then(|r| r.port()).map(str::to_owned),
        redirect_host: redirect.and_then(|r| r.host()).map(str::to_owned),
    }
}

/// The target groups `region`'s Auto Scaling groups name and the inventory does not hold,
/// asked for by ARN one at a time (one unknown ARN fails a call naming several): those AWS
/// answers `TargetGroupNotFound` for are recorded missing. Run after the units, so that only
/// the ARNs their collection did not read are asked for: none, in most accounts.
pub async fn named_target_groups(
    client: &Client,
    inventory: &mut Inventory,
    region: &str,
) -> Result<(), CallFailure> {
    let held = inventory
        .target_groups
        .iter()
        .filter(|t| t.region == region)
        .map(|t| t.arn.as_str())
        .collect();
    let wanted =
        super::named_by_groups_not_held(inventory, region, |g| &g.target_group_arns, &held);
    super::record_not_found(
        wanted,
        region,
        &mut inventory.missing_target_groups,
        |arn| async move {
            match client
                .describe_target_groups()
                .target_group_arns(arn)
                .send()
                .await
            {
                Ok(_) => Ok(true),
                Err(error)
                    if error
                        .as_service_error()
                        .is_some_and(|e| e.is_target_group_not_found_exception()) =>
                {
                    Ok(false)
                }
                Err(error) => Err(failed("DescribeTargetGroups")(error)),
            }
        },
    )
    .await
}

pub async fn target_groups(client: Client, ec2: aws_sdk_ec2::Client, region: String) -> UnitResult {
    let mut out = Inventory::default();
    let mut pages = client
        .describe_target_groups()
        .page_size(PAGE)
        .into_paginator()
        .send();
    while let Some(page) = pages.next().await {
        for group in page
            .map_err(failed("DescribeTargetGroups"))?
            .target_groups()
        {
            out.target_groups.push(TargetGroup {
                arn: group.target_group_arn().unwrap_or_default().to_owned(),
                name: group.target_group_name().unwrap_or_default().to_owned(),
                region: region.clone(),
                vpc_id: group.vpc_id().unwrap_or_default().to_owned(),
                port: group.port(),
                protocol: group.protocol().map(|p| p.as_str().to_owned()),
                target_type: group
                    .target_type()
                    .map(|t| t.as_str().to_owned())
                    .unwrap_or_else(|| "instance".to_owned()),
                health_check: HealthCheck {
                    enabled: group.health_check_enabled().unwrap_or(true),
                    protocol: group.health_check_protocol().map(|p| p.as_str().to_owned()),
                    port: group.health_check_port().map(str::to_owned),
                    path: group.health_check_path().map(str::to_owned),
                    interval_seconds: group.health_check_interval_seconds().unwrap_or(30),
                    healthy_threshold: group.healthy_threshold_count().unwrap_or(5),
                    unhealthy_threshold: group.unhealthy_threshold_count().unwrap_or(2),
                },
                // Each once (moto names a load balancer again for each rule forwarding).
                load_balancer_arns: {
                    let mut arns = group.load_balancer_arns().to_vec();
                    arns.sort();
                    arns.dedup();
                    arns
                },
                targets: Vec::new(),
                tags: Default::default(),
                tags_unread: false,
                deregistration_delay: None,
                cross_zone: None,
            });
        }
    }
    let arns: Vec<String> = out.target_groups.iter().map(|g| g.arn.clone()).collect();
    let healths: Vec<Vec<Target>> = futures::stream::iter(arns)
        .map(|arn| targets_of(&client, arn))
        .buffered(FOLLOW_UPS)
        .try_collect()
        .await?;
    for (group, targets) in out.target_groups.iter_mut().zip(healths) {
        group.targets = targets;
    }
    let tagged = tags_of(
        &client,
        &mut out.target_groups,
        |group| group.arn.clone(),
        |group, tags| group.tags = tags,
        |group| group.tags_unread = true,
    );
    if let Err(failure) = tagged.await {
        // Only who owns them is missing: a warning, the target groups kept.
        super::warn(&mut out, "elasticloadbalancing", region.clone(), failure);
    }
    let refused = with_attributes(
        &mut out.target_groups,
        |group| group.arn.clone(),
        |arn| target_group_attributes(&client, arn),
        |group, attributes| {
            group.deregistration_delay = (group.target_type != "lambda").then(|| {
                attributes
                    .get("deregistration_delay.timeout_seconds")
                    .and_then(|seconds| seconds.parse().ok())
                    .unwrap_or(300)
            });
            group.cross_zone = Some(
                attributes
                    .get("load_balancing.cross_zone.enabled")
                    .unwrap_or("use_load_balancer_configuration")
                    .to_owned(),
            );
        },
    )
    .await;
    if let Some(failure) = refused {
        super::warn(&mut out, "elasticloadbalancing", region.clone(), failure);
    }
    if let Err(failure) = address_groups(&ec2, &mut out.target_groups).await {
        // Only the ip targets' security groups are missing (a policy without
        // ec2:DescribeNetworkInterfaces): a warning, the target groups kept.
        super::warn(&mut out, "ec2", region.clone(), failure);
    }
    Ok(out)
}

/// Reads each item's attributes (one call each, a few at once) and gives them to `fill`.
/// The first refusal is returned: the items it left without attributes keep none, so the
/// verdicts that read them are unknown rather than judged on AWS's defaults.
async fn with_attributes<T, Fut>(
    items: &mut [T],
    arn: impl Fn(&T) -> String,
    read: impl Fn(String) -> Fut,
    fill: impl Fn(&mut T, Attributes),
) -> Option<CallFailure>
where
    Fut: std::future::Future<Output = Result<Attributes, CallFailure>>,
{
    let arns: Vec<String> = items.iter().map(arn).collect();
    let answers: Vec<Result<Attributes, CallFailure>> = futures::stream::iter(arns)
        .map(read)
        .buffered(FOLLOW_UPS)
        .collect()
        .await;
    let mut refused = None;
    for (item, answer) in items.iter_mut().zip(answers) {
        match answer {
            Ok(attributes) => fill(item, attributes),
            Err(failure) => refused = refused.or(Some(failure)),
        }
    }
    refused
}

/// A load balancer's or target group's attributes, as AWS lists them (key → value); a key
/// AWS does not list has its documented default.
struct Attributes(Vec<(String, String)>);

impl Attributes {
    fn of<'a>(pairs: impl Iterator<Item = (Option<&'a str>, Option<&'a str>)>) -> Self {
        Attributes(
            pairs
                .filter_map(|(key, value)| Some((key?.to_owned(), value?.to_owned())))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A `true`/`false` attribute; off when not listed (every boolean attribute that
    /// hacheck reads defaults to off).
    fn flag(&self, key: &str) -> bool {
        self.get(key)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

async fn load_balancer_attributes(client: &Client, arn: String) -> Result<Attributes, CallFailure> {
    let answer = client
        .describe_load_balancer_attributes()
        .load_balancer_arn(arn)
        .send()
        .await
        .map_err(failed("DescribeLoadBalancerAttributes"))?;
    Ok(Attributes::of(
        answer.attributes().iter().map(|a| (a.key(), a.value())),
    ))
}

async fn target_group_attributes(client: &Client, arn: String) -> Result<Attributes, CallFailure> {
    let answer = client
        .describe_target_group_attributes()
        .target_group_arn(arn)
        .send()
        .await
        .map_err(failed("DescribeTargetGroupAttributes"))?;
    Ok(Attributes::of(
        answer.attributes().iter().map(|a| (a.key(), a.value())),
    ))
}

/// EC2's largest number of values in one filter.
const FILTER_VALUES: usize = 200;

/// Fills the security groups of every `ip` target from the network interface holding its
/// address in its target group's VPC (one DescribeNetworkInterfaces per 200 addresses; none
/// when no target group has `ip` targets).
async fn address_groups(
    ec2: &aws_sdk_ec2::Client,
    target_groups: &mut [TargetGroup],
) -> Result<(), CallFailure> {
    let mut addresses: Vec<String> = target_groups
        .iter()
        .filter(|g| g.target_type == "ip")
        .flat_map(|g| g.targets.iter().map(|t| t.id.clone()))
        .collect();
    addresses.sort();
    addresses.dedup();
    // (VPC, address) → groups: an address is unique within a VPC only.
    let mut groups_at: std::collections::HashMap<(String, String), Vec<String>> =
        std::collections::HashMap::new();
    for chunk in addresses.chunks(FILTER_VALUES) {
        let mut pages = ec2
            .describe_network_interfaces()
            .filters(
                aws_sdk_ec2::types::Filter::builder()
                    .name("addresses.private-ip-address")
                    .set_values(Some(chunk.to_vec()))
                    .build(),
            )
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            for interface in page
                .map_err(failed("DescribeNetworkInterfaces"))?
                .network_interfaces()
            {
                let vpc = interface.vpc_id().unwrap_or_default().to_owned();
                let groups: Vec<String> = interface
                    .groups()
                    .iter()
                    .filter_map(|g| g.group_id().map(str::to_owned))
                    .collect();
                for address in interface.private_ip_addresses() {
                    if let Some(ip) = address.private_ip_address() {
                        groups_at.insert((vpc.clone(), ip.to_owned()), groups.clone());
                    }
                }
            }
        }
    }
    for group in target_groups.iter_mut().filter(|g| g.target_type == "ip") {
        for target in &mut group.targets {
            if let Some(groups) = groups_at.get(&(group.vpc_id.clone(), target.id.clone())) {
                target.security_group_ids = groups.clone();
            }
        }
    }
    Ok(())
}

async fn targets_of(client: &Client, target_group_arn: String) -> Result<Vec<Target>, CallFailure> {
    let health = client
        .describe_target_health()
        .target_group_arn(target_group_arn)
        .send()
        .await
        .map_err(failed("DescribeTargetHealth"))?;
    Ok(health
        .target_health_descriptions()
        .iter()
        .map(|description| Target {
            id: description
                .target()
                .and_then(|t| t.id())
                .unwrap_or_default()
                .to_owned(),
            port: description.target().and_then(|t| t.port()),
            health: description
                .target_health()
                .and_then(|h| h.state())
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
            security_group_ids: Vec::new(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use aws_sdk_elasticloadbalancingv2::types::{
        Action, ActionTypeEnum, ForwardActionConfig, RedirectActionConfig, TargetGroupTuple,
    };

    fn forward(weights: &[(&str, i32)]) -> Action {
        let mut config = ForwardActionConfig::builder();
        for (arn, weight) in weights {
            config = config.target_groups(
                TargetGroupTuple::builder()
                    .target_group_arn(*arn)
                    .weight(*weight)
                    .build(),
            );
        }
        Action::builder()
            .r#type(ActionTypeEnum::Forward)
            .forward_config(config.build())
            .build()
    }

    #[test]
    fn a_target_group_of_weight_zero_is_not_forwarded_to() {
        let action = super::listener_action(&forward(&[("tg-live", 100), ("tg-idle", 0)]));
        assert_eq!(action.target_group_arns, ["tg-live"]);
        // All at zero: the load balancer still sends somewhere, so all count.
        let action = super::listener_action(&forward(&[("tg-a", 0), ("tg-b", 0)]));
        assert_eq!(action.target_group_arns, ["tg-a", "tg-b"]);
    }

    #[test]
    fn a_redirect_keeps_its_host() {
        let action = Action::builder()
            .r#type(ActionTypeEnum::Redirect)
            .redirect_config(
                RedirectActionConfig::builder()
                    .protocol("HTTPS")
                    .port("443")
                    .host("elsewhere.example.net")
                    .status_code(aws_sdk_elasticloadbalancingv2::types::RedirectActionStatusCodeEnum::Http301)
                    .build(),
            )
            .build();
        let action = super::listener_action(&action);
        assert_eq!(
            action.redirect_host.as_deref(),
            Some("elsewhere.example.net")
        );
    }

    /// A target group a group names is recorded missing only when AWS answers
    /// `TargetGroupNotFound`; any other failure (a role without the permission) records
    /// nothing, so the rule calls it `unknown`, and becomes the inventory's warning.
    #[tokio::test]
    async fn only_not_found_records_a_target_group_missing() {
        use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsError;
        use aws_sdk_elasticloadbalancingv2::types::error::TargetGroupNotFoundException;
        use aws_smithy_mocks::{Rule, mock};
        use aws_smithy_types::error::ErrorMetadata;

        fn answering(rule: &Rule) -> super::Client {
            answering!(aws_sdk_elasticloadbalancingv2, rule)
        }
        let arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/old/0";
        let inventory = || {
            let mut inventory = crate::inventory::Inventory::default();
            let document = serde_json::json!({"name": "web-asg", "arn": "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0:autoScalingGroupName/web-asg",
                "region": "us-east-1", "availability_zones": [], "subnet_ids": [], "min_size": 0, "max_size": 1,
                "desired_capacity": 0, "health_check_type": "ELB", "health_check_grace_period": 300,
                "target_group_arns": [arn], "load_balancer_names": [], "instance_ids": [], "tags": {}});
            inventory
                .auto_scaling_groups
                .push(serde_json::from_value(document).unwrap());
            inventory
        };

        let gone = mock!(super::Client::describe_target_groups).then_error(|| {
            DescribeTargetGroupsError::TargetGroupNotFoundException(
                TargetGroupNotFoundException::builder().build(),
            )
        });
        let mut found = inventory();
        super::named_target_groups(&answering(&gone), &mut found, "us-east-1")
            .await
            .unwrap();
        assert_eq!(
            found.missing_target_groups,
            [crate::inventory::NotFound {
                id: arn.into(),
                region: "us-east-1".into()
            }]
        );

        let refused = mock!(super::Client::describe_target_groups).then_error(|| {
            DescribeTargetGroupsError::generic(
                ErrorMetadata::builder().code("AccessDenied").build(),
            )
        });
        let mut found = inventory();
        let failure = super::named_target_groups(&answering(&refused), &mut found, "us-east-1")
            .await
            .unwrap_err();
        assert_eq!(failure.code, "AccessDenied");
        assert!(found.missing_target_groups.is_empty());
    }
}
