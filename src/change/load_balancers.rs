//! Load balancers, their listeners and target groups, and what groups attach to them.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::predicted::{add_missing, build, group_mut, target_group_mut, zone_of};
use super::{ActionType, Change, Declared, IacEdit, IacValue, change};
use crate::inventory::{
    AutoScalingGroup, ClassicLoadBalancer, Index, Inventory, LoadBalancer, Resource, Tags,
    TargetGroup,
};

/// Attaches target groups to an Auto Scaling group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachTargetGroups {
    pub group: String,
    pub target_group_arns: Vec<String>,
}

impl ActionType for AttachTargetGroups {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        let IacValue::List(items) =
            IacValue::resources(Some(TargetGroup::KIND), &self.target_group_arns)
        else {
            unreachable!("resources() makes a list")
        };
        Some(vec![IacEdit::Append {
            resource: Declared::new(AutoScalingGroup::KIND, &self.group),
            field: "target_group_arns",
            items,
        }])
    }

    fn key(&self) -> String {
        let AttachTargetGroups { group, .. } = self;
        format!("attach-target-groups:{group}")
    }
    fn target(&self) -> String {
        let AttachTargetGroups { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: attach target groups".into()
    }
    fn changes(&self) -> Vec<Change> {
        let AttachTargetGroups {
            target_group_arns, ..
        } = self;
        vec![change("target_groups", "", target_group_arns.join(", "))]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:AttachLoadBalancerTargetGroups",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let AttachTargetGroups {
            group,
            target_group_arns,
        } = self;
        if let Some(g) = group_mut(inv, region, group) {
            add_missing(&mut g.target_group_arns, target_group_arns);
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let AttachTargetGroups { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let AttachTargetGroups {
            target_group_arns, ..
        } = self;
        format!("add {} to `TargetGroupARNs`", target_group_arns.join(", "))
    }
}

/// Registers a group's instances with Classic Load Balancers, by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttachClassicLoadBalancers {
    pub group: String,
    pub load_balancer_names: Vec<String>,
}

impl ActionType for AttachClassicLoadBalancers {
    fn key(&self) -> String {
        let AttachClassicLoadBalancers { group, .. } = self;
        format!("attach-classic-load-balancers:{group}")
    }
    fn target(&self) -> String {
        let AttachClassicLoadBalancers { group, .. } = self;
        group.clone()
    }
    fn summary(&self) -> String {
        "auto scaling group: attach Classic Load Balancers".into()
    }
    fn changes(&self) -> Vec<Change> {
        let AttachClassicLoadBalancers {
            load_balancer_names,
            ..
        } = self;
        vec![change(
            "load_balancer_names",
            "",
            load_balancer_names.join(", "),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:AttachLoadBalancers",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let AttachClassicLoadBalancers {
            group,
            load_balancer_names,
        } = self;
        if let Some(g) = group_mut(inv, region, group) {
            add_missing(&mut g.load_balancer_names, load_balancer_names);
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let AttachClassicLoadBalancers { group, .. } = self;
        Some(&index.find::<AutoScalingGroup>(region, group)?.tags)
    }
    fn template_change(&self) -> String {
        let AttachClassicLoadBalancers {
            load_balancer_names,
            ..
        } = self;
        format!(
            "add {} to `LoadBalancerNames`",
            load_balancer_names.join(", ")
        )
    }
}

/// `arn:…:targetgroup/<name>/<id>`: its name, as findings name it.
fn target_group_name(arn: &str) -> String {
    arn.split('/').nth(1).unwrap_or(arn).to_owned()
}

/// Whether the tags of the target group `arn`, which say who owns it, could not be read.
fn target_group_tags_unread(index: &Index, arn: &str) -> bool {
    index
        .by_arn::<TargetGroup>(arn)
        .is_some_and(|group| group.tags_unread)
}

/// Sets how long a target group lets a deregistering target finish its requests.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetDeregistrationDelay {
    pub target_group_arn: String,
    pub seconds: i32,
}

impl ActionType for SetDeregistrationDelay {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(TargetGroup::KIND, &self.target_group_arn),
            field: "deregistration_delay",
            value: IacValue::Text(self.seconds.to_string()),
        }])
    }

    fn key(&self) -> String {
        format!("deregistration-delay:{}", self.target())
    }
    fn target(&self) -> String {
        target_group_name(&self.target_group_arn)
    }
    fn summary(&self) -> String {
        "target group: deregistration delay".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("deregistration_delay", 0, self.seconds)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(group) = target_group_mut(inv, region, &self.target_group_arn) {
            group.deregistration_delay = Some(self.seconds);
        }
    }
    fn owner_tags<'i>(&self, _region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(&index.by_arn::<TargetGroup>(&self.target_group_arn)?.tags)
    }
    fn tags_unread(&self, _region: &str, index: &Index) -> bool {
        target_group_tags_unread(index, &self.target_group_arn)
    }
    fn template_change(&self) -> String {
        format!(
            "add `{{Key: deregistration_delay.timeout_seconds, Value: \"{}\"}}` to `TargetGroupAttributes`",
            self.seconds
        )
    }
}

/// Turns deletion protection on for an Application, Network or Gateway Load Balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableDeletionProtection {
    pub load_balancer_arn: String,
}

impl ActionType for EnableDeletionProtection {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(LoadBalancer::KIND, &self.load_balancer_arn),
            field: "deletion_protection",
            value: IacValue::Bool(true),
        }])
    }

    fn key(&self) -> String {
        format!("deletion-protection:{}", self.target())
    }
    fn target(&self) -> String {
        // `arn:…:loadbalancer/<app|net|gwy>/<name>/<id>`: its name, as findings name it.
        let arn = &self.load_balancer_arn;
        arn.split('/').nth(2).unwrap_or(arn).to_owned()
    }
    fn summary(&self) -> String {
        "load balancer: deletion protection".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("deletion_protection", "off", "on")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(lb) = inv
            .load_balancers
            .iter_mut()
            .find(|l| l.region == region && l.arn == self.load_balancer_arn)
        {
            lb.deletion_protection = Some(true);
        }
    }
    fn owner_tags<'i>(&self, _region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(&index.by_arn::<LoadBalancer>(&self.load_balancer_arn)?.tags)
    }
    fn tags_unread(&self, _region: &str, index: &Index) -> bool {
        index
            .by_arn::<LoadBalancer>(&self.load_balancer_arn)
            .is_some_and(|lb| lb.tags_unread)
    }
    fn template_change(&self) -> String {
        "add `{Key: deletion_protection.enabled, Value: \"true\"}` to `LoadBalancerAttributes`"
            .to_owned()
    }
}

/// Turns cross-zone load balancing on for a target group, whatever its load balancer's (a
/// Network Load Balancer's is off unless turned on).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableTargetGroupCrossZone {
    pub target_group_arn: String,
}

impl ActionType for EnableTargetGroupCrossZone {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(TargetGroup::KIND, &self.target_group_arn),
            field: "cross_zone",
            value: IacValue::text("true"),
        }])
    }

    fn key(&self) -> String {
        format!("tg-cross-zone:{}", self.target())
    }
    fn target(&self) -> String {
        target_group_name(&self.target_group_arn)
    }
    fn summary(&self) -> String {
        "target group: cross-zone load balancing".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("cross_zone", "off", "true")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:ModifyTargetGroupAttributes",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(group) = target_group_mut(inv, region, &self.target_group_arn) {
            group.cross_zone = Some("true".into());
        }
    }
    fn owner_tags<'i>(&self, _region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(&index.by_arn::<TargetGroup>(&self.target_group_arn)?.tags)
    }
    fn tags_unread(&self, _region: &str, index: &Index) -> bool {
        target_group_tags_unread(index, &self.target_group_arn)
    }
    fn template_change(&self) -> String {
        "add `{Key: load_balancing.cross_zone.enabled, Value: \"true\"}` to `TargetGroupAttributes`"
            .to_owned()
    }
}

/// Turns cross-zone load balancing on for a Classic Load Balancer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableCrossZone {
    pub load_balancer: String,
}

impl ActionType for EnableCrossZone {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(ClassicLoadBalancer::KIND, &self.load_balancer),
            field: "cross_zone",
            value: IacValue::Bool(true),
        }])
    }

    fn key(&self) -> String {
        let EnableCrossZone { load_balancer } = self;
        format!("cross-zone:{load_balancer}")
    }
    fn target(&self) -> String {
        let EnableCrossZone { load_balancer } = self;
        load_balancer.clone()
    }
    fn summary(&self) -> String {
        "classic load balancer: cross-zone load balancing".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("cross_zone", "off", "on")]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let EnableCrossZone { load_balancer } = self;
        if let Some(lb) = inv
            .classic_load_balancers
            .iter_mut()
            .find(|l| l.region == region && &l.name == load_balancer)
        {
            lb.cross_zone = true;
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        let EnableCrossZone { load_balancer } = self;
        Some(
            &index
                .find::<ClassicLoadBalancer>(region, load_balancer)?
                .tags,
        )
    }
    fn tags_unread(&self, region: &str, index: &Index) -> bool {
        let EnableCrossZone { load_balancer } = self;
        index
            .find::<ClassicLoadBalancer>(region, load_balancer)
            .is_some_and(|lb| lb.tags_unread)
    }
    fn template_change(&self) -> String {
        "set `CrossZone: true`".to_owned()
    }
}

/// Puts a load balancer in these subnets (one per zone): it gains nodes in their zones.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetLoadBalancerSubnets {
    pub load_balancer_arn: String,
    pub name: String,
    pub subnet_ids: Vec<String>,
    pub before: Vec<String>,
}

impl ActionType for SetLoadBalancerSubnets {
    fn key(&self) -> String {
        let SetLoadBalancerSubnets { name, .. } = self;
        format!("load-balancer-subnets:{name}")
    }
    fn target(&self) -> String {
        let SetLoadBalancerSubnets { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "load balancer: subnets (zones)".into()
    }
    fn changes(&self) -> Vec<Change> {
        let SetLoadBalancerSubnets {
            subnet_ids, before, ..
        } = self;
        vec![change("subnets", before.join(", "), subnet_ids.join(", "))]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:SetSubnets",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        let SetLoadBalancerSubnets {
            load_balancer_arn,
            subnet_ids,
            ..
        } = self;
        let mut zones: Vec<String> = subnet_ids
            .iter()
            .filter_map(|s| zone_of(inv, region, s))
            .collect();
        zones.sort();
        zones.dedup();
        if let Some(lb) = inv
            .load_balancers
            .iter_mut()
            .find(|lb| &lb.arn == load_balancer_arn)
        {
            lb.subnet_ids = subnet_ids.clone();
            lb.availability_zones = zones;
        }
    }
    fn owner_tags<'i>(&self, _region: &str, index: &'i Index) -> Option<&'i Tags> {
        let SetLoadBalancerSubnets {
            load_balancer_arn, ..
        } = self;
        Some(&index.by_arn::<LoadBalancer>(load_balancer_arn)?.tags)
    }
    fn tags_unread(&self, _region: &str, index: &Index) -> bool {
        let SetLoadBalancerSubnets {
            load_balancer_arn, ..
        } = self;
        index
            .by_arn::<LoadBalancer>(load_balancer_arn)
            .is_some_and(|lb| lb.tags_unread)
    }
    fn template_change(&self) -> String {
        let SetLoadBalancerSubnets { subnet_ids, .. } = self;
        format!("set `Subnets` to {}", subnet_ids.join(", "))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateTargetGroup {
    pub name: String,
    pub vpc_id: String,
    pub port: i32,
    pub health_check_path: String,
}

impl ActionType for CreateTargetGroup {
    fn key(&self) -> String {
        let CreateTargetGroup { name, .. } = self;
        format!("target-group:{name}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateTargetGroup { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "target group".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateTargetGroup {
            port,
            health_check_path,
            ..
        } = self;
        vec![change(
            "target",
            "",
            format!("HTTP {port}, health check {health_check_path}"),
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:CreateTargetGroup",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateTargetGroup {
            name,
            vpc_id,
            port,
            health_check_path,
        } = self;
        inv.target_groups.extend(build(json!({
            "arn": created, "name": name, "region": region, "vpc_id": vpc_id, "port": port,
            "protocol": "HTTP", "target_type": "instance",
            "health_check": { "enabled": true, "protocol": "HTTP", "path": health_check_path,
                              "interval_seconds": 30, "healthy_threshold": 5,
                              "unhealthy_threshold": 2 },
        })))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLoadBalancer {
    pub name: String,
    pub subnet_ids: Vec<String>,
    pub security_group_id: String,
}

impl ActionType for CreateLoadBalancer {
    fn key(&self) -> String {
        let CreateLoadBalancer { name, .. } = self;
        format!("load-balancer:{name}")
    }
    fn cost(&self) -> Option<&'static str> {
        Some("billed hourly and per capacity unit (a load balancer)")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateLoadBalancer { name, .. } = self;
        name.clone()
    }
    fn summary(&self) -> String {
        "internet-facing application load balancer".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateLoadBalancer {
            subnet_ids,
            security_group_id,
            ..
        } = self;
        vec![
            change("subnets", "", subnet_ids.join(", ")),
            change("security_group", "", security_group_id),
            change("deletion_protection", "", "on"),
        ]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancers",
            "elasticloadbalancing:CreateLoadBalancer",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ]
    }
}

/// A listener forwarding to a target group, or (without one) redirecting to HTTPS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateListener {
    pub load_balancer_arn: String,
    pub port: i32,
    pub certificate_arn: Option<String>,
    pub forward_to: Option<String>,
}

impl ActionType for CreateListener {
    fn key(&self) -> String {
        let CreateListener {
            load_balancer_arn,
            port,
            ..
        } = self;
        format!("listener:{load_balancer_arn}:{port}")
    }
    fn symbol(&self) -> char {
        '+'
    }
    fn target(&self) -> String {
        let CreateListener { port, .. } = self;
        format!("listener :{port}")
    }
    fn summary(&self) -> String {
        "load balancer listener".into()
    }
    fn changes(&self) -> Vec<Change> {
        let CreateListener {
            port,
            certificate_arn,
            forward_to,
            ..
        } = self;
        vec![change(
            "listener",
            "",
            match (forward_to, certificate_arn) {
                (Some(tg), Some(_)) => format!("HTTPS {port} → {tg}"),
                (Some(tg), None) => format!("HTTP {port} → {tg}"),
                (None, _) => format!("HTTP {port} → redirect to HTTPS 443"),
            },
        )]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:CreateListener",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, created: &str) {
        let CreateListener {
            load_balancer_arn,
            port,
            certificate_arn,
            forward_to,
        } = self;
        let action = match forward_to {
            Some(target_group) => {
                json!({ "action_type": "forward", "target_group_arns": [target_group] })
            }
            None => json!({ "action_type": "redirect", "redirect_protocol": "HTTPS",
                                "redirect_port": "443" }),
        };
        inv.listeners.extend(build(json!({
            "arn": created, "load_balancer_arn": load_balancer_arn, "region": region,
            "port": port, "protocol": if certificate_arn.is_some() { "HTTPS" } else { "HTTP" },
            "certificate_arns": certificate_arn.iter().collect::<Vec<_>>(),
            "default_actions": [action],
        })));
        if let Some(target_group) = forward_to
            && let Some(tg) = inv
                .target_groups
                .iter_mut()
                .find(|t| &t.arn == target_group)
            && !tg.load_balancer_arns.contains(load_balancer_arn)
        {
            tg.load_balancer_arns.push(load_balancer_arn.clone());
        }
    }
    // A listener added to a load balancer a stack owns changes what the stack deploys.
    fn owner_tags<'i>(&self, _region: &str, index: &'i Index) -> Option<&'i Tags> {
        let CreateListener {
            load_balancer_arn, ..
        } = self;
        Some(&index.by_arn::<LoadBalancer>(load_balancer_arn)?.tags)
    }
    fn tags_unread(&self, _region: &str, index: &Index) -> bool {
        let CreateListener {
            load_balancer_arn, ..
        } = self;
        index
            .by_arn::<LoadBalancer>(load_balancer_arn)
            .is_some_and(|lb| lb.tags_unread)
    }
    fn template_change(&self) -> String {
        let CreateListener {
            port, forward_to, ..
        } = self;
        match forward_to {
            Some(target_group) => format!(
                "add an `AWS::ElasticLoadBalancingV2::Listener` on port {port} forwarding to {target_group}"
            ),
            None => format!(
                "add an `AWS::ElasticLoadBalancingV2::Listener` on port {port} redirecting to HTTPS"
            ),
        }
    }
}

/// Turns connection draining on for a Classic Load Balancer: a leaving instance finishes
/// its requests in flight for up to `seconds`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnableConnectionDraining {
    pub load_balancer: String,
    pub seconds: i32,
    /// What it drains for now (0: off), for the plan's reader.
    pub before: i32,
}

impl ActionType for EnableConnectionDraining {
    fn iac_edits(&self) -> Option<Vec<IacEdit>> {
        Some(vec![IacEdit::Set {
            resource: Declared::new(ClassicLoadBalancer::KIND, &self.load_balancer),
            field: "connection_draining",
            value: IacValue::Number(f64::from(self.seconds)),
        }])
    }

    fn key(&self) -> String {
        format!("connection-draining:{}", self.load_balancer)
    }
    fn target(&self) -> String {
        self.load_balancer.clone()
    }
    fn summary(&self) -> String {
        "classic load balancer: connection draining".into()
    }
    fn changes(&self) -> Vec<Change> {
        vec![change("connection_draining", self.before, self.seconds)]
    }
    fn permissions(&self) -> &'static [&'static str] {
        &[
            "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:ModifyLoadBalancerAttributes",
        ]
    }
    fn predict(&self, inv: &mut Inventory, region: &str, _created: &str) {
        if let Some(lb) = inv
            .classic_load_balancers
            .iter_mut()
            .find(|l| l.region == region && l.name == self.load_balancer)
        {
            lb.connection_draining = Some(self.seconds);
        }
    }
    fn owner_tags<'i>(&self, region: &str, index: &'i Index) -> Option<&'i Tags> {
        Some(
            &index
                .find::<ClassicLoadBalancer>(region, &self.load_balancer)?
                .tags,
        )
    }
    fn tags_unread(&self, region: &str, index: &Index) -> bool {
        index
            .find::<ClassicLoadBalancer>(region, &self.load_balancer)
            .is_some_and(|lb| lb.tags_unread)
    }
    fn template_change(&self) -> String {
        format!(
            "set `ConnectionDrainingPolicy: {{Enabled: true, Timeout: {}}}`",
            self.seconds
        )
    }
}
