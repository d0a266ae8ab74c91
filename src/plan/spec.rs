//! The stack spec: a TOML description of the whole highly available topology, which
//! `hacheck fix --spec FILE` plans to build (only what is missing or different).
//!
//! See `examples/stack.toml` for a commented example. Validation happens when the file is
//! read; every error names the field at fault.

use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read stack spec `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("stack spec `{path}`: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// What is wrong in a stack spec: the field, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{field}`{why}")]
pub struct SpecProblem {
    pub field: &'static str,
    /// Follows the field's name: ` = … must be …`, ` needs …`, `: …`.
    pub why: String,
}

fn problem(field: &'static str, why: impl Into<String>) -> SpecProblem {
    SpecProblem {
        field,
        why: why.into(),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Prefix of every name hacheck gives (`<name>-alb`, `<name>-asg`, …).
    pub name: String,
    pub region: String,
    pub network: Network,
    pub app: App,
    #[serde(default)]
    pub scaling: Scaling,
    #[serde(default)]
    pub load_balancer: LoadBalancer,
    #[serde(default)]
    pub dns: Option<Dns>,
    #[serde(default)]
    pub database: Option<Database>,
    pub bastion: Bastion,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// A new VPC's range; or `vpc_id` to build in an existing VPC.
    #[serde(default)]
    pub vpc_cidr: Option<String>,
    /// An existing VPC to build in (its subnet CIDRs must then be given).
    #[serde(default)]
    pub vpc_id: Option<String>,
    pub availability_zones: Vec<String>,
    /// One /24 (or given) public subnet per zone, for the load balancer, NAT and bastion.
    #[serde(default)]
    pub public_subnet_cidrs: Vec<String>,
    /// One private subnet per zone, for the app and the database.
    #[serde(default)]
    pub private_subnet_cidrs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct App {
    pub port: i32,
    #[serde(default = "default_health_path")]
    pub health_check_path: String,
    pub instance_type: String,
    /// The AMI to run; or `source_instance` to make one from a running instance.
    #[serde(default)]
    pub ami: Option<String>,
    #[serde(default)]
    pub source_instance: Option<String>,
    /// Start-up script (the reference architecture's `@reboot` script), sent as user data.
    #[serde(default)]
    pub user_data: Option<String>,
    pub min_size: i32,
    pub desired_capacity: i32,
    pub max_size: i32,
}

fn default_health_path() -> String {
    "/".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scaling {
    #[serde(default = "default_scale_out")]
    pub scale_out_cpu: f64,
    #[serde(default = "default_scale_in")]
    pub scale_in_cpu: f64,
    #[serde(default)]
    pub alarm_emails: Vec<String>,
}

fn default_scale_out() -> f64 {
    75.0
}
fn default_scale_in() -> f64 {
    10.0
}

impl Default for Scaling {
    fn default() -> Self {
        Scaling {
            scale_out_cpu: default_scale_out(),
            scale_in_cpu: default_scale_in(),
            alarm_emails: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoadBalancer {
    /// ACM certificate for an HTTPS listener on 443 (80 then redirects to it). Without it
    /// the load balancer serves HTTP only.
    #[serde(default)]
    pub certificate_arn: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dns {
    pub hosted_zone: String,
    pub record_name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// An existing DB instance to adopt (made Multi-AZ and private, never recreated).
    #[serde(default)]
    pub existing: Option<String>,
    #[serde(default)]
    pub engine: Option<String>,
    #[serde(default)]
    pub instance_class: Option<String>,
    #[serde(default = "default_storage")]
    pub allocated_storage: i32,
    #[serde(default = "default_true")]
    pub multi_az: bool,
    #[serde(default = "default_master")]
    pub master_username: String,
}

fn default_storage() -> i32 {
    20
}
fn default_true() -> bool {
    true
}
fn default_master() -> String {
    "app".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bastion {
    #[serde(default = "default_bastion_type")]
    pub instance_type: String,
    /// AMI of the bastion (default: the app's AMI).
    #[serde(default)]
    pub ami: Option<String>,
    pub admin_cidrs: Vec<String>,
}

fn default_bastion_type() -> String {
    "t3.micro".into()
}

/// An IPv4 CIDR as (network, prefix length).
pub fn parse_cidr(text: &str) -> Option<(u32, u8)> {
    let (address, prefix) = text.split_once('/')?;
    let address: Ipv4Addr = address.parse().ok()?;
    let prefix: u8 = prefix.parse().ok().filter(|p| *p <= 32)?;
    let network = u32::from(address);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    (network & mask == network).then_some((network, prefix))
}

fn overlaps(a: (u32, u8), b: (u32, u8)) -> bool {
    let prefix = a.1.min(b.1);
    let mask = if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix)
    };
    a.0 & mask == b.0 & mask
}

pub fn contains(outer: (u32, u8), inner: (u32, u8)) -> bool {
    inner.1 >= outer.1 && overlaps(outer, inner)
}

fn cidr_text(network: u32, prefix: u8) -> String {
    format!("{}/{prefix}", Ipv4Addr::from(network))
}

/// The first `count` /24 blocks of `vpc_cidr` that overlap none of `taken`, lowest first;
/// fewer when the VPC has no more room (or is smaller than a /24, or not a CIDR).
pub fn free_blocks(vpc_cidr: &str, taken: &[String], count: usize) -> Vec<String> {
    let Some(vpc) = parse_cidr(vpc_cidr).filter(|vpc| vpc.1 <= 24) else {
        return Vec::new();
    };
    let taken: Vec<(u32, u8)> = taken.iter().filter_map(|c| parse_cidr(c)).collect();
    (0..1u32 << (24 - vpc.1))
        .map(|i| (vpc.0 + (i << 8), 24))
        .filter(|block| !taken.iter().any(|t| overlaps(*t, *block)))
        .take(count)
        .map(|(network, prefix)| cidr_text(network, prefix))
        .collect()
}

impl Spec {
    pub fn load(path: &Path) -> Result<Spec, SpecError> {
        let text = std::fs::read_to_string(path).map_err(|source| SpecError::Read {
            path: path.to_owned(),
            source,
        })?;
        let invalid = |message: String| SpecError::Invalid {
            path: path.to_owned(),
            message,
        };
        let mut spec: Spec =
            toml::from_str(&text).map_err(|e| invalid(crate::config::toml_error_line(&e)))?;
        spec.complete()
            .map_err(|problem| invalid(problem.to_string()))?;
        Ok(spec)
    }

    /// Validates, and derives subnet CIDRs that were not given.
    pub fn complete(&mut self) -> Result<(), SpecProblem> {
        if self.name.is_empty()
            || !self
                .name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            || self.name.len() > 20
        {
            return Err(problem(
                "name",
                format!(" = `{}` must be 1-20 letters, digits or `-`", self.name),
            ));
        }
        let zones = &self.network.availability_zones;
        let mut distinct = zones.clone();
        distinct.sort();
        distinct.dedup();
        if distinct.len() < 2 || distinct.len() != zones.len() {
            return Err(problem(
                "network.availability_zones",
                format!(" needs at least two distinct zones, got {zones:?}"),
            ));
        }
        if let Some(zone) = zones.iter().find(|z| !z.starts_with(&self.region)) {
            return Err(problem(
                "network.availability_zones",
                format!(": `{zone}` is not in region `{}`", self.region),
            ));
        }
        let vpc = match (&self.network.vpc_cidr, &self.network.vpc_id) {
            (Some(cidr), None) => Some(
                parse_cidr(cidr)
                    .filter(|(_, p)| (16..=22).contains(p))
                    .ok_or_else(|| {
                        problem(
                            "network.vpc_cidr",
                            format!(" = `{cidr}` must be an IPv4 network from /16 to /22"),
                        )
                    })?,
            ),
            (None, Some(_)) => None,
            _ => {
                return Err(problem(
                    "network",
                    " needs exactly one of `vpc_cidr` (a new VPC) and `vpc_id` (an existing one)",
                ));
            }
        };
        for (field, given, upper_half) in [
            (
                "network.public_subnet_cidrs",
                &mut self.network.public_subnet_cidrs,
                false,
            ),
            (
                "network.private_subnet_cidrs",
                &mut self.network.private_subnet_cidrs,
                true,
            ),
        ] {
            match vpc {
                _ if !given.is_empty() && given.len() != zones.len() => {
                    return Err(problem(
                        field,
                        format!(" needs one CIDR per availability zone ({})", zones.len()),
                    ));
                }
                Some(vpc) if given.is_empty() => {
                    let blocks = 1u32 << (24 - vpc.1);
                    let offset = if upper_half { blocks / 2 } else { 0 };
                    *given = (0..zones.len() as u32)
                        .map(|i| cidr_text(vpc.0 + ((offset + i) << 8), 24))
                        .collect();
                }
                None if given.is_empty() => {
                    return Err(problem(
                        field,
                        " must be given when building in an existing VPC (`network.vpc_id`)",
                    ));
                }
                _ => {}
            }
        }
        let all: Vec<(&str, &String)> = self
            .network
            .public_subnet_cidrs
            .iter()
            .map(|c| ("network.public_subnet_cidrs", c))
            .chain(
                self.network
                    .private_subnet_cidrs
                    .iter()
                    .map(|c| ("network.private_subnet_cidrs", c)),
            )
            .collect();
        let mut parsed = Vec::new();
        for (field, cidr) in &all {
            let network = parse_cidr(cidr)
                .ok_or_else(|| problem(field, format!(": `{cidr}` is not an IPv4 CIDR")))?;
            if let (Some(range), Some(text)) = (vpc, &self.network.vpc_cidr)
                && !contains(range, network)
            {
                return Err(problem(
                    field,
                    format!(": `{cidr}` is outside `network.vpc_cidr` {text}"),
                ));
            }
            if let Some((other_field, other)) = parsed
                .iter()
                .find(|(_, _, n)| overlaps(*n, network))
                .map(|(f, c, _)| (*f, *c))
            {
                return Err(problem(
                    field,
                    format!(": `{cidr}` overlaps `{other}` of `{other_field}`"),
                ));
            }
            parsed.push((*field, *cidr, network));
        }
        let app = &self.app;
        if app.ami.is_some() == app.source_instance.is_some() {
            return Err(problem(
                "app",
                " needs exactly one of `ami` and `source_instance`",
            ));
        }
        if !(1..=65535).contains(&app.port) {
            return Err(problem(
                "app.port",
                format!(" = {} is not a port", app.port),
            ));
        }
        if app.min_size < 2
            || app.min_size > app.desired_capacity
            || app.desired_capacity > app.max_size
        {
            return Err(problem(
                "app",
                format!(
                    " sizes must satisfy 2 <= min_size <= desired_capacity <= max_size, got {} / {} / {}",
                    app.min_size, app.desired_capacity, app.max_size
                ),
            ));
        }
        let s = &self.scaling;
        if !(0.0 < s.scale_out_cpu && s.scale_out_cpu <= 100.0) {
            return Err(problem(
                "scaling.scale_out_cpu",
                format!(" = {} must be in (0, 100]", s.scale_out_cpu),
            ));
        }
        if !(0.0 < s.scale_in_cpu && s.scale_in_cpu < s.scale_out_cpu) {
            return Err(problem(
                "scaling.scale_in_cpu",
                format!(
                    " = {} must be above 0 and below `scaling.scale_out_cpu`",
                    s.scale_in_cpu
                ),
            ));
        }
        if let Some(bad) = s.alarm_emails.iter().find(|e| !e.contains('@')) {
            return Err(problem(
                "scaling.alarm_emails",
                format!(": `{bad}` is not an email address"),
            ));
        }
        if self.bastion.admin_cidrs.is_empty() {
            return Err(problem(
                "bastion.admin_cidrs",
                " needs at least one network allowed to reach the bastion",
            ));
        }
        for cidr in &self.bastion.admin_cidrs {
            match parse_cidr(cidr) {
                None => {
                    return Err(problem(
                        "bastion.admin_cidrs",
                        format!(": `{cidr}` is not an IPv4 CIDR"),
                    ));
                }
                Some((_, prefix)) if prefix < 16 => {
                    return Err(problem(
                        "bastion.admin_cidrs",
                        format!(": `{cidr}` is broader than /16"),
                    ));
                }
                _ => {}
            }
        }
        if let Some(db) = &self.database
            && db.existing.is_none()
            && (db.engine.is_none() || db.instance_class.is_none())
        {
            return Err(problem(
                "database",
                " needs `existing`, or `engine` and `instance_class`",
            ));
        }
        if self.load_balancer.certificate_arn.is_none() {
            tracing::warn!(
                "stack spec: no `load_balancer.certificate_arn`: the load balancer serves HTTP only"
            );
        }
        Ok(())
    }

    /// The engine's default port.
    pub fn database_port(engine: &str) -> i32 {
        match engine {
            e if e.contains("postgres") => 5432,
            e if e.contains("sqlserver") => 1433,
            e if e.contains("oracle") => 1521,
            _ => 3306,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        toml::from_str(include_str!("../../examples/stack.toml")).unwrap()
    }

    #[test]
    fn the_example_is_valid_and_subnets_are_carved_from_the_vpc() {
        let mut spec = spec();
        spec.complete().unwrap();
        assert_eq!(
            spec.network.public_subnet_cidrs,
            ["10.42.0.0/24", "10.42.1.0/24"]
        );
        assert_eq!(
            spec.network.private_subnet_cidrs,
            ["10.42.128.0/24", "10.42.129.0/24"]
        );
    }

    #[test]
    fn free_blocks_skip_every_overlap() {
        let taken = ["10.0.0.0/24".to_owned(), "10.0.2.0/23".to_owned()];
        assert_eq!(
            free_blocks("10.0.0.0/16", &taken, 3),
            ["10.0.1.0/24", "10.0.4.0/24", "10.0.5.0/24"]
        );
        assert_eq!(free_blocks("10.0.0.0/23", &taken[..1], 5), ["10.0.1.0/24"]);
        assert!(free_blocks("10.0.0.0/25", &[], 1).is_empty());
    }

    /// An expected error and the change to a valid spec that causes it.
    type Case = (&'static str, fn(&mut Spec));

    #[test]
    fn errors_name_the_field() {
        let cases: [Case; 5] = [
            (
                "`network.availability_zones` needs at least two distinct zones",
                |s| s.network.availability_zones.truncate(1),
            ),
            (
                "`scaling.scale_in_cpu` = 80 must be above 0 and below `scaling.scale_out_cpu`",
                |s| s.scaling.scale_in_cpu = 80.0,
            ),
            ("`scaling.scale_out_cpu` = 120 must be in (0, 100]", |s| {
                s.scaling.scale_out_cpu = 120.0
            }),
            (
                "`network.private_subnet_cidrs`: `10.42.0.128/25` overlaps `10.42.0.0/24` of `network.public_subnet_cidrs`",
                |s| {
                    s.network.private_subnet_cidrs =
                        vec!["10.42.0.128/25".into(), "10.42.200.0/24".into()]
                },
            ),
            (
                "`app` needs exactly one of `ami` and `source_instance`",
                |s| s.app.source_instance = Some("i-1".into()),
            ),
        ];
        for (expected, break_it) in cases {
            let mut spec = spec();
            break_it(&mut spec);
            let error = spec.complete().unwrap_err().to_string();
            assert!(error.starts_with(expected), "{error}");
        }
    }
}
