//! CloudFormation resources into the typed inventory, each with where it was declared.
//!
//! A resource becomes the same typed value the collectors make of the deployed one, with
//! CloudFormation's defaults where a property is absent (`MultiAZ` false, `Scheme`
//! internet-facing, a security group's allow-all egress) and what AWS derives at deploy
//! derived the same way (an instance's zone from its subnet, a subnet's publicity from its
//! routes, a database's public access from its subnets' internet gateway). For each field it
//! records the line of the property that set it, and the input a value waits for when it
//! cannot be known before deploy.

use super::eval::{EvalError, Value, World, texts};
use super::yaml::{Pos, Spanned};
use crate::inventory::*;

type Result<T> = std::result::Result<T, EvalError>;

/// The prefix AWS gives the ids of an EC2 type (rules read some: `igw-` routes).
fn id_prefix(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::EC2::VPC" => "vpc-",
        "AWS::EC2::Subnet" => "subnet-",
        "AWS::EC2::RouteTable" => "rtb-",
        "AWS::EC2::InternetGateway" => "igw-",
        "AWS::EC2::NatGateway" => "nat-",
        "AWS::EC2::SecurityGroup" => "sg-",
        "AWS::EC2::Instance" => "i-",
        "AWS::EC2::LaunchTemplate" => "lt-",
        "AWS::EC2::VPCEndpoint" => "vpce-",
        _ => return None,
    })
}

/// The name hacheck gives a resource AWS would name: its logical id (with the stack's name
/// when another loaded stack has the same logical id).
fn base_name(world: &World, stack: usize, logical: &str) -> String {
    world.stacks[stack]
        .physical
        .get(logical)
        .cloned()
        .unwrap_or_else(|| logical.to_owned())
}

/// The property that names a resource of `kind`, where the template may set the name.
fn name_property(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "AWS::AutoScaling::AutoScalingGroup" => "AutoScalingGroupName",
        "AWS::AutoScaling::LaunchConfiguration" => "LaunchConfigurationName",
        "AWS::RDS::DBInstance" => "DBInstanceIdentifier",
        "AWS::RDS::DBCluster" => "DBClusterIdentifier",
        "AWS::RDS::DBSubnetGroup" => "DBSubnetGroupName",
        "AWS::CloudWatch::Alarm" => "AlarmName",
        "AWS::ElasticLoadBalancing::LoadBalancer" => "LoadBalancerName",
        "AWS::ElasticLoadBalancingV2::LoadBalancer"
        | "AWS::ElasticLoadBalancingV2::TargetGroup" => "Name",
        "AWS::SNS::Topic" => "TopicName",
        "AWS::EC2::SecurityGroup" => "GroupName",
        "AWS::EC2::LaunchTemplate" => "LaunchTemplateName",
        _ => return None,
    })
}

/// A resource's name: the template's, else the one AWS would generate (here: the logical
/// id). RDS lowercases its identifiers.
pub fn name_of(world: &World, stack: usize, logical: &str, kind: &str) -> Result<String> {
    let given = match name_property(kind) {
        Some(property) => world.property(stack, logical, property)?,
        None => None,
    };
    let name = match given {
        Some(Value::Text(name)) => name,
        _ => base_name(world, stack, logical),
    };
    Ok(if kind.starts_with("AWS::RDS::") {
        name.to_lowercase()
    } else {
        name
    })
}

/// The id a resource of `kind` is known by in the inventory (what `Ref` gives for most).
pub fn physical_id(world: &World, stack: usize, logical: &str, kind: &str) -> Result<String> {
    if let Some(prefix) = id_prefix(kind) {
        return Ok(format!("{prefix}{}", base_name(world, stack, logical)));
    }
    let (region, account) = (&world.region, &world.account);
    let name = name_of(world, stack, logical, kind)?;
    Ok(match kind {
        "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
            let short = if world
                .property(stack, logical, "Type")?
                .as_ref()
                .and_then(Value::text)
                == Some("network")
            {
                "net"
            } else {
                "app"
            };
            format!(
                "arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/{short}/{name}/{logical}"
            )
        }
        "AWS::ElasticLoadBalancingV2::TargetGroup" => {
            format!("arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/{name}/{logical}")
        }
        "AWS::ElasticLoadBalancingV2::Listener" => {
            format!("arn:aws:elasticloadbalancing:{region}:{account}:listener/{name}")
        }
        "AWS::ElasticLoadBalancingV2::ListenerRule" => {
            format!("arn:aws:elasticloadbalancing:{region}:{account}:listener-rule/{name}")
        }
        "AWS::AutoScaling::ScalingPolicy" => format!(
            "arn:aws:autoscaling:{region}:{account}:scalingPolicy:{logical}:autoScalingGroupName/policy/{name}"
        ),
        "AWS::SNS::Topic" => format!("arn:aws:sns:{region}:{account}:{name}"),
        "AWS::SNS::Subscription" => format!("arn:aws:sns:{region}:{account}:subscription:{name}"),
        "AWS::Route53::HostedZone" => format!("Z{}", name.to_uppercase()),
        "AWS::EC2::EIP" => synthetic_ip("203.0.113", world, stack, logical),
        _ => name,
    })
}

/// An address no one else in the loaded stacks has, the same every run.
fn synthetic_ip(prefix: &str, world: &World, stack: usize, logical: &str) -> String {
    let mut position = 0;
    for (s, here) in world.stacks.iter().enumerate() {
        for entry in here
            .doc
            .get("Resources")
            .map(Spanned::entries)
            .unwrap_or_default()
        {
            if s == stack && entry.key == logical {
                return format!("{prefix}.{}", position % 250 + 1);
            }
            position += 1;
        }
    }
    format!("{prefix}.254")
}

/// `Ref` of a resource.
pub fn reference(
    world: &World,
    stack: usize,
    logical: &str,
    kind: &str,
) -> super::eval::EvalResult {
    match kind {
        "AWS::Route53::RecordSet" => Ok(world
            .property(stack, logical, "Name")?
            .unwrap_or(Value::Text(logical.to_owned()))),
        _ => physical_id(world, stack, logical, kind).map(Value::Text),
    }
}

fn unknown(logical: &str, attribute: &str) -> super::eval::EvalResult {
    Ok(Value::Unknown(format!(
        "attribute `{logical}.{attribute}` (assigned by AWS at deploy)"
    )))
}

/// The DNS name hacheck gives a load balancer (internal ones begin with `internal-`).
fn dns_name(world: &World, stack: usize, logical: &str, kind: &str) -> Result<String> {
    let scheme = world.property(stack, logical, "Scheme")?;
    let internal = scheme.as_ref().and_then(Value::text) == Some("internal");
    let name = name_of(world, stack, logical, kind)?.to_lowercase();
    Ok(format!(
        "{}{name}.{}.elb.amazonaws.com",
        if internal { "internal-" } else { "" },
        world.region
    ))
}

/// The domain hacheck gives a distribution CloudFront would name `d111111abcdef8.cloudfront.net`.
pub fn distribution_domain(name: &str) -> String {
    format!("{}.cloudfront.net", name.to_lowercase())
}

/// The hosted zone of load balancers' DNS names (Route 53 aliases name it).
const ELB_ZONE: &str = "Z35SXDOTRQ7X7K";
const NLB_ZONE: &str = "Z26RNL4JYFTOTI";

/// `Fn::GetAtt` of a resource.
pub fn attribute(
    world: &World,
    stack: usize,
    logical: &str,
    kind: &str,
    attribute: &str,
) -> super::eval::EvalResult {
    let id = || physical_id(world, stack, logical, kind).map(Value::Text);
    let property = |name: &str| {
        world
            .property(stack, logical, name)
            .map(|v| v.unwrap_or(Value::Null))
    };
    match (kind, attribute) {
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "DNSName")
        | ("AWS::ElasticLoadBalancing::LoadBalancer", "DNSName") => {
            dns_name(world, stack, logical, kind).map(Value::Text)
        }
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "CanonicalHostedZoneID") => {
            let network = property("Type")?.text() == Some("network");
            Ok(Value::Text(
                if network { NLB_ZONE } else { ELB_ZONE }.to_owned(),
            ))
        }
        ("AWS::ElasticLoadBalancing::LoadBalancer", "CanonicalHostedZoneNameID") => {
            Ok(Value::Text(ELB_ZONE.to_owned()))
        }
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerName")
        | ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupName") => {
            name_of(world, stack, logical, kind).map(Value::Text)
        }
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerArn")
        | ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupArn")
        | ("AWS::ElasticLoadBalancingV2::Listener", "ListenerArn") => id(),
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "LoadBalancerFullName") => {
            let arn = physical_id(world, stack, logical, kind)?;
            Ok(Value::Text(
                arn.split_once(":loadbalancer/")
                    .map_or(arn.clone(), |(_, rest)| rest.to_owned()),
            ))
        }
        ("AWS::ElasticLoadBalancingV2::TargetGroup", "TargetGroupFullName") => {
            let arn = physical_id(world, stack, logical, kind)?;
            Ok(Value::Text(arn.split_once(':').map_or(arn.clone(), |_| {
                format!(
                    "targetgroup/{}/{logical}",
                    name_of(world, stack, logical, kind).unwrap_or_default()
                )
            })))
        }
        ("AWS::ElasticLoadBalancingV2::LoadBalancer", "SecurityGroups") => {
            property("SecurityGroups")
        }
        // The group a Classic Load Balancer's traffic comes from: its first security group,
        // else the default one ELB makes for it at deploy. Rules name it by this attribute.
        ("AWS::ElasticLoadBalancing::LoadBalancer", "SourceSecurityGroup.GroupName") => {
            match property("SecurityGroups")? {
                Value::List(groups) if !groups.is_empty() => Ok(groups[0].clone()),
                _ => Ok(Value::Text(classic_source_group(world, stack, logical))),
            }
        }
        ("AWS::ElasticLoadBalancing::LoadBalancer", "SourceSecurityGroup.OwnerAlias") => {
            Ok(Value::Text(world.account.clone()))
        }
        ("AWS::EC2::SecurityGroup", "GroupId")
        | ("AWS::EC2::Subnet", "SubnetId")
        | ("AWS::EC2::VPC", "VpcId")
        | ("AWS::EC2::LaunchTemplate", "LaunchTemplateId")
        | ("AWS::EC2::Instance", "InstanceId") => id(),
        ("AWS::EC2::SecurityGroup", "VpcId") | ("AWS::EC2::Subnet", "VpcId") => property("VpcId"),
        ("AWS::EC2::Subnet", "AvailabilityZone") => property("AvailabilityZone"),
        ("AWS::EC2::VPC", "CidrBlock") => property("CidrBlock"),
        ("AWS::EC2::VPC", "DefaultSecurityGroup") => Ok(Value::Text(format!(
            "sg-default-{}",
            base_name(world, stack, logical)
        ))),
        ("AWS::EC2::LaunchTemplate", "LatestVersionNumber" | "DefaultVersionNumber") => {
            Ok(Value::Text("1".to_owned()))
        }
        ("AWS::EC2::Instance", "PrivateIp") => {
            Ok(Value::Text(synthetic_ip("10.255.0", world, stack, logical)))
        }
        ("AWS::EC2::Instance", "PublicIp") => Ok(Value::Text(synthetic_ip(
            "198.51.100",
            world,
            stack,
            logical,
        ))),
        ("AWS::EC2::Instance", "AvailabilityZone") => match property("AvailabilityZone")? {
            Value::Null => match property("SubnetId")? {
                Value::Text(subnet) => subnet_zone(world, &subnet),
                other => Ok(other),
            },
            zone => Ok(zone),
        },
        ("AWS::EC2::EIP", "PublicIp") => id(),
        ("AWS::EC2::EIP", "AllocationId") => Ok(Value::Text(format!(
            "eipalloc-{}",
            base_name(world, stack, logical)
        ))),
        ("AWS::EC2::NatGateway", "NatGatewayId") => id(),
        ("AWS::CloudFront::Distribution", "DomainName") => Ok(Value::Text(distribution_domain(
            &base_name(world, stack, logical),
        ))),
        ("AWS::RDS::DBInstance" | "AWS::RDS::DBCluster", "Endpoint.Address") => {
            Ok(Value::Text(format!(
                "{}.hacheck.{}.rds.amazonaws.com",
                name_of(world, stack, logical, kind)?,
                world.region
            )))
        }
        ("AWS::RDS::DBInstance" | "AWS::RDS::DBCluster", "Endpoint.Port") => {
            Ok(match property("Port")? {
                Value::Null => {
                    Value::Text(default_port(property("Engine")?.text().unwrap_or("")).to_string())
                }
                port => port,
            })
        }
        ("AWS::RDS::DBInstance", "DBInstanceArn") => Ok(Value::Text(format!(
            "arn:aws:rds:{}:{}:db:{}",
            world.region,
            world.account,
            name_of(world, stack, logical, kind)?
        ))),
        ("AWS::SNS::Topic", "TopicArn") => id(),
        ("AWS::SNS::Topic", "TopicName") => name_of(world, stack, logical, kind).map(Value::Text),
        ("AWS::CloudWatch::Alarm", "Arn") => Ok(Value::Text(format!(
            "arn:aws:cloudwatch:{}:{}:alarm:{}",
            world.region,
            world.account,
            name_of(world, stack, logical, kind)?
        ))),
        ("AWS::AutoScaling::ScalingPolicy", "Arn") => id(),
        _ => unknown(logical, attribute),
    }
}

/// The zone of a subnet given by id, looked up among the loaded stacks' subnets.
fn subnet_zone(world: &World, subnet_id: &str) -> super::eval::EvalResult {
    for (stack, here) in world.stacks.iter().enumerate() {
        for entry in here
            .doc
            .get("Resources")
            .map(Spanned::entries)
            .unwrap_or_default()
        {
            if here.resource_type(&entry.key) == Some("AWS::EC2::Subnet")
                && physical_id(world, stack, &entry.key, "AWS::EC2::Subnet")? == subnet_id
            {
                return Ok(world
                    .property(stack, &entry.key, "AvailabilityZone")?
                    .unwrap_or(Value::Unknown(format!(
                        "the zone of subnet `{}` (none given)",
                        entry.key
                    ))));
            }
        }
    }
    Ok(Value::Unknown(format!(
        "the zone of subnet `{subnet_id}` (not in the loaded templates)"
    )))
}

pub fn default_port(engine: &str) -> i32 {
    match engine {
        e if e.contains("postgres") => 5432,
        e if e.starts_with("sqlserver") => 1433,
        e if e.starts_with("oracle") => 1521,
        _ => 3306,
    }
}

/// Where a resource was declared and what decided its fields: kept beside the inventory.
pub struct Recorder<'w> {
    world: &'w World,
    stack: usize,
    pub logical: &'w str,
    properties: Option<&'w Spanned>,
    pub source: Source,
}

impl<'w> Recorder<'w> {
    pub fn new(
        world: &'w World,
        stack: usize,
        logical: &'w str,
        declaration: &'w Spanned,
        key_pos: Pos,
        file: String,
    ) -> Self {
        Recorder {
            world,
            stack,
            logical,
            properties: declaration.get("Properties"),
            source: Source {
                file,
                logical_id: logical.to_owned(),
                line: key_pos.line,
                column: key_pos.column,
                ..Source::default()
            },
        }
    }

    fn node(&self, path: &str) -> Option<&'w Spanned> {
        let mut node = self.properties?;
        for part in path.split('.') {
            node = node.get(part)?;
        }
        Some(node)
    }

    fn key_pos(&self, path: &str) -> Option<Pos> {
        let (parent, last) = match path.rsplit_once('.') {
            Some((parent, last)) => (self.node(parent)?, last),
            None => (self.properties?, path),
        };
        parent.entry(last).map(|e| e.key_pos)
    }

    /// The property at `path` (dots go into maps), its line recorded for `field`; unknown
    /// values recorded too and returned as `None`.
    pub fn value(&mut self, path: &str, field: &str) -> Result<Option<Value>> {
        let Some(node) = self.node(path) else {
            return Ok(None);
        };
        self.at(field, self.key_pos(path).unwrap_or(node.pos));
        let value = self.world.eval(self.stack, node)?;
        Ok(self.known(field, value))
    }

    /// `value` when known; else records why `field` is unknown.
    pub fn known(&mut self, field: &str, value: Value) -> Option<Value> {
        match value {
            Value::Absent | Value::Null => None,
            Value::Unknown(reason) => {
                self.unknown(field, reason);
                None
            }
            value => Some(value),
        }
    }

    pub fn unknown(&mut self, field: &str, reason: impl Into<String>) {
        self.source
            .unknowns
            .entry(field.to_owned())
            .or_insert_with(|| reason.into());
    }

    pub fn at(&mut self, field: &str, pos: Pos) {
        self.source
            .fields
            .entry(field.to_owned())
            .or_insert(SourcePos {
                line: pos.line,
                column: pos.column,
            });
    }

    pub fn text(&mut self, path: &str, field: &str) -> Result<Option<String>> {
        Ok(self
            .value(path, field)?
            .and_then(|v| v.text().map(str::to_owned)))
    }

    pub fn flag(&mut self, path: &str, field: &str) -> Result<Option<bool>> {
        Ok(self
            .text(path, field)?
            .map(|t| t.eq_ignore_ascii_case("true")))
    }

    pub fn number(&mut self, path: &str, field: &str) -> Result<Option<f64>> {
        let Some(text) = self.text(path, field)? else {
            return Ok(None);
        };
        match text.trim().parse() {
            Ok(n) => Ok(Some(n)),
            Err(_) => Err(EvalError {
                pos: self.node(path).map_or_else(Pos::default, |n| n.pos),
                message: format!("`{}` of `{}` is `{text}`, not a number", path, self.logical),
            }),
        }
    }

    pub fn int(&mut self, path: &str, field: &str) -> Result<Option<i32>> {
        Ok(self.number(path, field)?.map(|n| n as i32))
    }

    /// A list of strings (one string counts as a list of it).
    pub fn list(&mut self, path: &str, field: &str) -> Result<Vec<String>> {
        let Some(value) = self.value(path, field)? else {
            return Ok(Vec::new());
        };
        match texts(&value) {
            Ok(items) => Ok(items),
            Err(reason) => {
                self.unknown(field, reason);
                Ok(Vec::new())
            }
        }
    }

    /// Whether any text written under the property at `path` contains `needle`, as written
    /// (a `!Sub` waiting for its parameters still says what it configures).
    pub fn mentions(&self, path: &str, needle: &str) -> bool {
        fn walk(node: &Spanned, needle: &str) -> bool {
            match &node.node {
                super::yaml::Node::Scalar { text, .. } => text.contains(needle),
                super::yaml::Node::Seq(items) => items.iter().any(|i| walk(i, needle)),
                super::yaml::Node::Map(entries) => entries.iter().any(|e| walk(&e.value, needle)),
            }
        }
        self.node(path).is_some_and(|node| walk(node, needle))
    }

    /// The resource's `Properties`.
    pub fn properties(&self) -> Option<&'w Spanned> {
        self.properties
    }

    /// Where property `name` is written (its key).
    pub fn properties_entry(&self, name: &str) -> Option<Pos> {
        self.properties?.entry(name).map(|e| e.key_pos)
    }

    /// The items of a list property (listeners, rules, actions), as written; a list an
    /// intrinsic function makes (`!If [c, [..], !Ref AWS::NoValue]`) is evaluated first,
    /// its items placed at the function's line, and one that waits for an input is
    /// recorded as unknown for `field` — never read as empty.
    pub fn items(&mut self, path: &str, field: &str) -> Result<Vec<Spanned>> {
        let Some(node) = self.node(path) else {
            return Ok(Vec::new());
        };
        if let super::yaml::Node::Seq(items) = &node.node {
            return Ok(items.clone());
        }
        let pos = node.pos;
        match self.world.eval(self.stack, node)? {
            Value::List(values) => Ok(values.iter().filter_map(|v| literal(v, pos)).collect()),
            Value::Unknown(reason) => {
                self.unknown(field, reason);
                Ok(Vec::new())
            }
            _ => Ok(Vec::new()),
        }
    }

    pub fn eval(&self, node: &Spanned) -> Result<Value> {
        self.world.eval(self.stack, node)
    }

    /// The tags of a `Tags: [{Key, Value}]` property.
    pub fn tags(&mut self) -> Result<Tags> {
        let mut tags = Tags::new();
        for item in self.items("Tags", "tags")? {
            let value = self.eval(&item)?;
            if let (Some(Value::Text(key)), Some(Value::Text(value))) =
                (value.get("Key"), value.get("Value"))
            {
                tags.insert(key.clone(), value.clone());
            }
        }
        Ok(tags)
    }

    pub fn element(&mut self, field: &str, value: serde_json::Value, pos: Pos) {
        self.source.elements.push(SourceElement {
            field: field.to_owned(),
            value,
            line: pos.line,
            column: pos.column,
        });
    }

    pub fn id(&self, kind: &str) -> Result<String> {
        physical_id(self.world, self.stack, self.logical, kind)
    }

    pub fn name(&self, kind: &str) -> Result<String> {
        name_of(self.world, self.stack, self.logical, kind)
    }

    pub fn attribute(&self, kind: &str, attribute: &str) -> super::eval::EvalResult {
        self::attribute(self.world, self.stack, self.logical, kind, attribute)
    }

    /// The security group ELB makes at deploy for this Classic Load Balancer.
    pub fn classic_source_group(&self) -> String {
        classic_source_group(self.world, self.stack, self.logical)
    }

    /// A resource's zones derive from its subnets: when those wait for an input, so do the
    /// zones, and the zones are written where the subnets are.
    pub fn zones_follow_subnets(&mut self) {
        if let Some(reason) = self.source.unknowns.get("subnet_ids").cloned() {
            self.unknown("availability_zones", reason);
        }
        if let Some(pos) = self.source.fields.get("subnet_ids").copied() {
            self.source
                .fields
                .entry("availability_zones".into())
                .or_insert(pos);
        }
    }

    /// Marks every field unknown: the resource exists only if a condition holds that waits
    /// for an input, or a transform may change it at deploy.
    pub fn wholly_unknown(&mut self, reason: String) {
        self.unknown("*", reason);
    }
}

/// An ingress or egress rule of a `SecurityGroupIngress` list entry or resource.
/// The id of the security group ELB makes at deploy for a Classic Load Balancer that names
/// none.
pub fn classic_source_group(world: &World, stack: usize, logical: &str) -> String {
    format!("sg-elb-{}", base_name(world, stack, logical))
}

pub fn sg_rule(value: &Value, egress: bool) -> std::result::Result<SgRule, String> {
    let text = |key: &str| -> std::result::Result<Option<String>, String> {
        match value.get(key) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Text(t)) => Ok(Some(t.clone())),
            Some(Value::Unknown(reason)) => Err(reason.clone()),
            Some(_) => Ok(None),
        }
    };
    let raw = text("IpProtocol")?.unwrap_or_else(|| "-1".to_owned());
    let port = |key: &str| -> std::result::Result<Option<i32>, String> {
        Ok(text(key)?.and_then(|t| t.parse().ok()))
    };
    let (protocol, from_port, to_port) = match raw.to_lowercase().as_str() {
        "-1" | "all" => ("all".to_owned(), 0, 65535),
        "tcp" | "6" => (
            "tcp".to_owned(),
            port("FromPort")?.unwrap_or(0),
            port("ToPort")?.unwrap_or(65535),
        ),
        "udp" | "17" => (
            "udp".to_owned(),
            port("FromPort")?.unwrap_or(0),
            port("ToPort")?.unwrap_or(65535),
        ),
        other => (
            other.to_owned(),
            port("FromPort")?.unwrap_or(-1),
            port("ToPort")?.unwrap_or(-1),
        ),
    };
    let (from_port, to_port) = if protocol != "all"
        && from_port == -1
        && to_port == -1
        && (protocol == "tcp" || protocol == "udp")
    {
        (0, 65535)
    } else {
        (from_port, to_port)
    };
    let peer_group = if egress {
        "DestinationSecurityGroupId"
    } else {
        "SourceSecurityGroupId"
    };
    let prefix = if egress {
        "DestinationPrefixListId"
    } else {
        "SourcePrefixListId"
    };
    let rule = SgRule {
        protocol,
        from_port,
        to_port,
        cidr_ipv4: text("CidrIp")?,
        cidr_ipv6: text("CidrIpv6")?,
        source_group_id: match text(peer_group)? {
            Some(id) => Some(id),
            // By name (a Classic Load Balancer's `SourceSecurityGroup.GroupName` gives an id
            // here); a group named otherwise is found by name only at deploy.
            None if !egress => match text("SourceSecurityGroupName")? {
                Some(name) if name.starts_with("sg-") => Some(name),
                Some(name) => {
                    return Err(format!(
                        "the security group named `{name}` (found by name at deploy)"
                    ));
                }
                None => None,
            },
            None => None,
        },
        prefix_list_id: text(prefix)?,
        // A template's prefix list is not followed to its entries.
        prefix_list_cidrs: Vec::new(),
        description: text("Description")?.unwrap_or_default(),
    };
    Ok(rule)
}

/// The line of the property in an ingress entry that names its peer (`CidrIp: 0.0.0.0/0`).
pub fn peer_pos(node: &Spanned) -> Pos {
    [
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "SourcePrefixListId",
        "DestinationSecurityGroupId",
        "FromPort",
    ]
    .iter()
    .find_map(|key| node.entry(key).map(|e| e.key_pos))
    .unwrap_or(node.pos)
}

/// For the sources' lookups: the JSON value an element serialises to.
pub fn json<T: serde::Serialize>(value: &T) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// A known value as a node at `pos` (for lists an intrinsic made): evaluating it gives the
/// value back. `None` for what is not known.
fn literal(value: &Value, pos: Pos) -> Option<Spanned> {
    use super::yaml::{Entry, Node};
    let node = match value {
        Value::Text(text) => Node::Scalar {
            text: text.clone(),
            plain: false,
        },
        Value::Null => Node::Scalar {
            text: String::new(),
            plain: true,
        },
        Value::List(items) => Node::Seq(items.iter().filter_map(|v| literal(v, pos)).collect()),
        Value::Map(entries) => Node::Map(
            entries
                .iter()
                .filter_map(|(key, v)| {
                    Some(Entry {
                        key: key.clone(),
                        key_pos: pos,
                        value: literal(v, pos)?,
                    })
                })
                .collect(),
        ),
        Value::Unknown(_) | Value::Absent => return None,
    };
    Some(Spanned { node, pos })
}
