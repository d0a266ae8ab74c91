//! What AWS assigns at deploy, made up the same way every run so that references meet:
//! physical ids and names (`Ref`), and attributes (`Fn::GetAtt`: a load balancer's DNS
//! name, a distribution's domain, an instance's addresses). A child of the evaluator, which
//! asks it for every `Ref` and `Fn::GetAtt` of a resource.

use super::{EvalError, Value, World};
use crate::template::yaml::Spanned;

type Result<T> = std::result::Result<T, EvalError>;

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
        "AWS::RDS::EventSubscription" => "SubscriptionName",
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
    if let Some(assigned) = world.stacks[stack].assigned.get(logical) {
        return Ok(assigned.clone());
    }
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
pub fn reference(world: &World, stack: usize, logical: &str, kind: &str) -> super::EvalResult {
    match kind {
        "AWS::Route53::RecordSet" => Ok(world
            .property(stack, logical, "Name")?
            .unwrap_or(Value::Text(logical.to_owned()))),
        _ => physical_id(world, stack, logical, kind).map(Value::Text),
    }
}

fn unknown(logical: &str, attribute: &str) -> super::EvalResult {
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
) -> super::EvalResult {
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
fn subnet_zone(world: &World, subnet_id: &str) -> super::EvalResult {
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

/// The id of the security group ELB makes at deploy for a Classic Load Balancer that names
/// none.
pub fn classic_source_group(world: &World, stack: usize, logical: &str) -> String {
    format!("sg-elb-{}", base_name(world, stack, logical))
}
