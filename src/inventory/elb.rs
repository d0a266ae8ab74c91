//! Elastic Load Balancing: load balancers of both APIs, listeners, target groups.

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    pub arn: String,
    pub name: String,
    pub region: String,
    /// `application`, `network`, `gateway`.
    pub lb_type: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    pub vpc_id: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub dns_name: String,
    pub canonical_hosted_zone_id: String,
    pub state: String,
    /// Its tags (who owns it: a CloudFormation stack's are `aws:cloudformation:…`).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Its tags could not be read (`DescribeTags` refused): who owns it is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tags_unread: bool,
    /// Deletion protection (attribute `deletion_protection.enabled`, off unless turned on);
    /// none (`()`) when its attributes could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion_protection: Option<bool>,
    /// Cross-zone load balancing (attribute `load_balancing.cross_zone.enabled`): always on
    /// for an Application Load Balancer, off unless turned on for Network and Gateway ones;
    /// none (`()`) when its attributes could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_zone: Option<bool>,
}

/// A Classic Load Balancer (API `elasticloadbalancing`, 2012-06-01). Its listeners, health
/// check and registered instances are part of it; Auto Scaling groups attach it by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicLoadBalancer {
    /// `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/<name>`, as IAM names
    /// it (the API gives none).
    pub arn: String,
    pub name: String,
    pub region: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub availability_zones: Vec<String>,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    pub dns_name: String,
    #[serde(default)]
    pub canonical_hosted_zone_id: String,
    #[serde(default)]
    pub listeners: Vec<ClassicListener>,
    #[serde(default)]
    pub health_check: Option<ClassicHealthCheck>,
    /// Instances registered with it (a group's included).
    #[serde(default)]
    pub instance_ids: Vec<String>,
    /// Cross-zone load balancing (off unless turned on, for the API).
    #[serde(default)]
    pub cross_zone: bool,
    /// How long an instance that leaves it (deregistered, unhealthy) keeps serving its
    /// requests in flight, in seconds (`ConnectionDraining`): 0 when draining is off (the
    /// API's and CloudFormation's default), none when its attributes were not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_draining: Option<i32>,
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Its tags could not be read (`DescribeTags` refused): who owns it is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tags_unread: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicListener {
    /// `HTTP`, `HTTPS`, `TCP` or `SSL`.
    pub protocol: String,
    pub port: i32,
    pub instance_protocol: String,
    pub instance_port: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassicHealthCheck {
    /// `HTTP:80/health`, `TCP:8080`, …
    pub target: String,
    pub interval_seconds: i32,
    pub timeout_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listener {
    pub arn: String,
    pub load_balancer_arn: String,
    pub region: String,
    pub port: i32,
    pub protocol: String,
    #[serde(default)]
    pub certificate_arns: Vec<String>,
    #[serde(default)]
    pub default_actions: Vec<ListenerAction>,
    /// Its rules but the default one, by priority: what a request matching a rule's
    /// conditions gets instead of the default actions (an application load balancer's
    /// host and path routing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ListenerRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerRule {
    pub arn: String,
    /// 1 to 50,000: the lowest whose conditions match decides.
    pub priority: i64,
    /// Each `field value…`: `host-header shop.example.com`, `path-pattern /api/*`.
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub actions: Vec<ListenerAction>,
}

impl ListenerRule {
    /// A condition as [`ListenerRule::conditions`] writes it: `field value…`, each value
    /// once (AWS's legacy `Values` repeat the field's own configuration).
    pub fn condition(field: &str, mut values: Vec<String>) -> String {
        values.dedup();
        format!("{field} {}", values.join(" ")).trim().to_owned()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListenerAction {
    /// `forward`, `redirect`, `fixed-response`, `authenticate-oidc`, `authenticate-cognito`.
    pub action_type: String,
    /// Target groups of a forward action (single or weighted).
    #[serde(default)]
    pub target_group_arns: Vec<String>,
    #[serde(default)]
    pub redirect_protocol: Option<String>,
    #[serde(default)]
    pub redirect_port: Option<String>,
    /// The host a redirect sends to; `None` or `#{host}`: the same host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetGroup {
    pub arn: String,
    pub name: String,
    pub region: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub port: Option<i32>,
    #[serde(default)]
    pub protocol: Option<String>,
    pub target_type: String,
    pub health_check: HealthCheck,
    #[serde(default)]
    pub load_balancer_arns: Vec<String>,
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Its tags (who owns it: a CloudFormation stack's are `aws:cloudformation:…`).
    #[serde(default, skip_serializing_if = "Tags::is_empty")]
    pub tags: Tags,
    /// Its tags could not be read (`DescribeTags` refused): who owns it is not known.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub tags_unread: bool,
    /// Seconds a deregistering target keeps serving the requests it has (attribute
    /// `deregistration_delay.timeout_seconds`, 300 unless set; none for a Lambda
    /// function's); none (`()`) when its attributes could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deregistration_delay: Option<i32>,
    /// Cross-zone load balancing of this group (attribute
    /// `load_balancing.cross_zone.enabled`): `true`, `false` or
    /// `use_load_balancer_configuration` (the default: its load balancer's); `None` when
    /// its attributes could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_zone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    pub enabled: bool,
    #[serde(default)]
    pub protocol: Option<String>,
    #[serde(default)]
    pub port: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    pub interval_seconds: i32,
    pub healthy_threshold: i32,
    pub unhealthy_threshold: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub id: String,
    #[serde(default)]
    pub port: Option<i32>,
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    pub health: String,
    /// For an `ip` target (a container service's task, say): the security groups of the
    /// network interface that holds its address in the target group's VPC, which admit
    /// the load balancer's traffic and are admitted by the application's database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_ids: Vec<String>,
}

/// The CloudWatch namespace of the metrics of an ELBv2 load balancer of type `lb_type`
/// (`application`, `network`, `gateway`); `None` for a type AWS adds later.
pub fn metric_namespace(lb_type: &str) -> Option<&'static str> {
    match lb_type {
        "application" => Some("AWS/ApplicationELB"),
        "network" => Some("AWS/NetworkELB"),
        "gateway" => Some("AWS/GatewayELB"),
        _ => None,
    }
}

/// How CloudWatch names an ELBv2 load balancer or target group in its metrics' dimensions,
/// from its ARN: what follows `loadbalancer/` (`app/shop-alb/0123…`), or the target group's
/// resource part (`targetgroup/shop-tg/0123…`); anything else (a `ref:` not resolved yet)
/// as it is.
pub fn metric_dimension(arn: &str) -> String {
    if let Some((_, rest)) = arn.split_once(":loadbalancer/") {
        rest.to_owned()
    } else if let Some((_, rest)) = arn.split_once(":targetgroup/") {
        format!("targetgroup/{rest}")
    } else {
        arn.to_owned()
    }
}
