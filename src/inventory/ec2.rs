//! EC2: networks, security groups, instances, images and launch templates.

use serde::{Deserialize, Serialize};

use super::Tags;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vpc {
    pub id: String,
    pub region: String,
    pub cidr_block: String,
    pub is_default: bool,
    #[serde(default)]
    pub tags: Tags,
    /// The account that owns it; another than the inventory's: a VPC shared with it, whose
    /// owner's security groups its DescribeSecurityGroups may not show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Subnet {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub availability_zone: String,
    pub cidr_block: String,
    pub map_public_ip_on_launch: bool,
    /// Derived: its route table (explicit association, else the VPC's main table) sends
    /// 0.0.0.0/0 or ::/0 to an internet gateway. See [`Inventory::derive_subnet_publicity`].
    pub public: bool,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub main: bool,
    #[serde(default)]
    pub subnet_ids: Vec<String>,
    #[serde(default)]
    pub routes: Vec<Route>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// IPv4 or IPv6 destination CIDR (prefix-list destinations use the list id).
    pub destination: String,
    /// `igw-…`, `nat-…`, `local`, or another target id; empty when unknown.
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InternetGateway {
    pub id: String,
    pub region: String,
    #[serde(default)]
    pub vpc_ids: Vec<String>,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NatGateway {
    pub id: String,
    pub region: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub state: String,
    /// `ConnectivityType: private`: it translates to other networks, never to the internet.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub private: bool,
    #[serde(default)]
    pub tags: Tags,
}

impl NatGateway {
    /// Whether a default route to it reaches the internet: a public gateway that is
    /// available (or pending, soon available). A failed or deleted one, or a private one,
    /// gives no egress.
    pub fn reaches_internet(&self) -> bool {
        !self.private && self.is_usable()
    }

    /// Available, or pending (it becomes available, and the executor waits for it): a
    /// gateway to reuse rather than create another. The stack builder and the remediations
    /// both ask this.
    pub fn is_usable(&self) -> bool {
        self.state == "available" || self.state == "pending"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    pub id: String,
    pub region: String,
    pub name: String,
    pub vpc_id: String,
    pub description: String,
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    #[serde(default)]
    pub egress: Vec<SgRule>,
    #[serde(default)]
    pub tags: Tags,
}

/// One security-group permission with exactly one peer. AWS groups several peers under one
/// permission; the collector splits them so that each rule can be judged (and revoked) alone.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SgRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, a protocol number, or `all`.
    pub protocol: String,
    /// For `all`, 0..=65535. ICMP keeps AWS's type/code values.
    pub from_port: i32,
    pub to_port: i32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ipv4: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cidr_ipv6: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix_list_id: Option<String>,
    /// The CIDRs of the prefix list's entries, where they were read (`ec2:
    /// GetManagedPrefixListEntries`): a list holding `0.0.0.0/0` admits the whole internet.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefix_list_cidrs: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl SgRule {
    /// Whether the rule lets in `port` over TCP.
    pub fn covers_tcp_port(&self, port: i32) -> bool {
        covers_tcp_port(&self.protocol, self.from_port, self.to_port, port)
    }

    /// Protocol and ports as people write them: `tcp 8080`, `udp 500-510`, `tcp all ports`,
    /// `all traffic`.
    pub fn ports_text(&self) -> String {
        if self.protocol == "all" || self.protocol == "-1" {
            "all traffic".to_owned()
        } else if self.from_port == self.to_port {
            format!("{} {}", self.protocol, self.from_port)
        } else if self.from_port <= 0 && self.to_port >= 65535 {
            format!("{} all ports", self.protocol)
        } else {
            format!("{} {}-{}", self.protocol, self.from_port, self.to_port)
        }
    }

    /// The rule as people write it: `tcp 22 from 0.0.0.0/0` (for rules and plans alike).
    pub fn text(&self) -> String {
        let peer = self
            .cidr_ipv4
            .as_deref()
            .or(self.cidr_ipv6.as_deref())
            .or(self.source_group_id.as_deref())
            .or(self.prefix_list_id.as_deref())
            .unwrap_or("a peer not known before deploy");
        format!("{} from {peer}", self.ports_text())
    }

    /// Whether the peer is the whole internet (0.0.0.0/0 or ::/0, itself or as an entry of
    /// its prefix list).
    pub fn is_world_open(&self) -> bool {
        self.cidr_ipv4.as_deref().is_some_and(is_world_cidr)
            || self.cidr_ipv6.as_deref().is_some_and(is_world_cidr)
            || self.prefix_list_cidrs.iter().any(|c| is_world_cidr(c))
    }
}

/// Whether a rule of `protocol` over ports `from..=to` lets in TCP `port` (`all` lets in
/// every protocol): [`SgRule::covers_tcp_port`], and the rule pack's own, on its maps.
pub fn covers_tcp_port(protocol: &str, from: i32, to: i32, port: i32) -> bool {
    (protocol == "tcp" || protocol == "all") && from <= port && port <= to
}

/// Whether launch settings name a security group by id (`sg-…`), not by name: names
/// resolve only in the default VPC (EC2-Classic days), and a launch template's network
/// interface takes ids only.
pub fn is_security_group_id(group: &str) -> bool {
    group.starts_with("sg-")
}

/// Whether `cidr` is the whole internet, in IPv4 or IPv6.
pub fn is_world_cidr(cidr: &str) -> bool {
    cidr == "0.0.0.0/0" || cidr == "::/0"
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instance {
    pub id: String,
    pub region: String,
    /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`.
    pub state: String,
    pub instance_type: String,
    pub image_id: String,
    #[serde(default)]
    pub vpc_id: String,
    #[serde(default)]
    pub subnet_id: String,
    #[serde(default)]
    pub availability_zone: String,
    #[serde(default)]
    pub private_ip: Option<String>,
    #[serde(default)]
    pub public_ip: Option<String>,
    /// Union of the instance's groups and those of its network interfaces.
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// The Auto Scaling group that owns the instance, from its `aws:autoscaling:groupName` tag.
    #[serde(default)]
    pub auto_scaling_group: Option<String>,
    #[serde(default)]
    pub key_name: Option<String>,
    /// Off on NAT instances, VPN and other routing appliances: they forward traffic that is
    /// not addressed to them.
    #[serde(default = "enabled")]
    pub source_dest_check: bool,
    #[serde(default)]
    pub tags: Tags,
}

fn enabled() -> bool {
    true
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Image {
    pub id: String,
    pub region: String,
    pub name: String,
    pub state: String,
    pub owner_id: String,
    #[serde(default)]
    pub creation_date: String,
    #[serde(default)]
    pub tags: Tags,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplate {
    pub id: String,
    pub region: String,
    pub name: String,
    pub default_version: i64,
    pub latest_version: i64,
    /// The default and the latest version (one entry when they are the same).
    #[serde(default)]
    pub versions: Vec<LaunchTemplateVersion>,
    #[serde(default)]
    pub tags: Tags,
}

impl LaunchTemplate {
    pub fn version(&self, number: i64) -> Option<&LaunchTemplateVersion> {
        self.versions.iter().find(|v| v.version_number == number)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LaunchTemplateVersion {
    pub version_number: i64,
    #[serde(default)]
    pub image_id: Option<String>,
    #[serde(default)]
    pub instance_type: Option<String>,
    /// `AssociatePublicIpAddress` of the first network interface; `None` when not set, in
    /// which case the subnet's map-public-IP-on-launch decides.
    #[serde(default)]
    pub associate_public_ip: Option<bool>,
    #[serde(default)]
    pub security_group_ids: Vec<String>,
    /// Whether user data is present. Its content is never collected: it may hold secrets.
    pub has_user_data: bool,
    /// Whether the user data joins the instance to an ECS cluster (`ECS_CLUSTER=`): the
    /// only thing read from it ([`user_data_joins_ecs_cluster`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub joins_ecs_cluster: bool,
    /// The EC2 key pair instances launch with, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// Security groups named by name (`SecurityGroups`), not id: EC2 takes names only for
    /// the default VPC's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub security_group_names: Vec<String>,
}
