//! The plan's resources in CloudFormation's terms, so that one converter makes the
//! inventory of both: each resource type of the architecture mapped to the CloudFormation
//! resource that AWS makes of it, attribute by attribute. A value known only after apply
//! becomes a `Ref` or `Fn::GetAtt` of the resource it comes from (so references meet as
//! they will), else `{Hacheck::Unknown: reason}`.
//!
//! Resources Terraform attaches from outside (`aws_autoscaling_attachment`, a target group
//! attachment, `aws_security_group_rule`, a route table's inline routes) become what
//! CloudFormation writes for them: a property of the resource they attach to, or a
//! resource of their own.

use std::collections::HashMap;

use serde_json::Value;

mod autoscaling;
mod resources;

use super::plan::{Node as PlanNode, Plan, Resolved};
use crate::template::yaml::{Entry, Node, Pos, Spanned};

/// Where each resource's text is, for the positions of its properties.
pub trait Positions {
    /// Where attribute `attribute` (`None`: the resource block) of the resource at
    /// configuration address `address` in module `module` is written.
    fn position(&self, module: &str, address: &str, attribute: Option<&str>) -> Pos;
}

/// The plan as a CloudFormation document, and what AWS assigned already.
pub struct Translated {
    pub doc: Spanned,
    pub assigned: HashMap<String, String>,
    /// Logical id → the plan's instance it was made of (routes, rules: their resource's).
    pub origin: HashMap<String, usize>,
    /// Resource types of the plan no rule reads, with how many instances.
    pub not_read: Vec<(String, usize)>,
}

/// The CloudFormation type each Terraform type becomes.
fn cloudformation_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "aws_vpc" => "AWS::EC2::VPC",
        "aws_subnet" => "AWS::EC2::Subnet",
        "aws_route_table" => "AWS::EC2::RouteTable",
        "aws_route" => "AWS::EC2::Route",
        "aws_route_table_association" => "AWS::EC2::SubnetRouteTableAssociation",
        "aws_internet_gateway" => "AWS::EC2::InternetGateway",
        "aws_internet_gateway_attachment" => "AWS::EC2::VPCGatewayAttachment",
        "aws_nat_gateway" => "AWS::EC2::NatGateway",
        "aws_eip" => "AWS::EC2::EIP",
        "aws_security_group" => "AWS::EC2::SecurityGroup",
        "aws_security_group_rule" => "AWS::EC2::SecurityGroupIngress",
        "aws_vpc_security_group_ingress_rule" => "AWS::EC2::SecurityGroupIngress",
        "aws_vpc_security_group_egress_rule" => "AWS::EC2::SecurityGroupEgress",
        "aws_instance" => "AWS::EC2::Instance",
        "aws_launch_template" => "AWS::EC2::LaunchTemplate",
        "aws_launch_configuration" => "AWS::AutoScaling::LaunchConfiguration",
        "aws_autoscaling_group" => "AWS::AutoScaling::AutoScalingGroup",
        "aws_autoscaling_policy" => "AWS::AutoScaling::ScalingPolicy",
        "aws_lb" | "aws_alb" => "AWS::ElasticLoadBalancingV2::LoadBalancer",
        "aws_lb_listener" | "aws_alb_listener" => "AWS::ElasticLoadBalancingV2::Listener",
        "aws_lb_listener_rule" | "aws_alb_listener_rule" => {
            "AWS::ElasticLoadBalancingV2::ListenerRule"
        }
        "aws_lb_target_group" | "aws_alb_target_group" => {
            "AWS::ElasticLoadBalancingV2::TargetGroup"
        }
        "aws_elb" => "AWS::ElasticLoadBalancing::LoadBalancer",
        "aws_db_instance" | "aws_rds_cluster_instance" => "AWS::RDS::DBInstance",
        "aws_rds_cluster" => "AWS::RDS::DBCluster",
        "aws_db_subnet_group" => "AWS::RDS::DBSubnetGroup",
        "aws_db_event_subscription" => "AWS::RDS::EventSubscription",
        "aws_cloudwatch_metric_alarm" => "AWS::CloudWatch::Alarm",
        "aws_sns_topic" => "AWS::SNS::Topic",
        "aws_sns_topic_subscription" => "AWS::SNS::Subscription",
        "aws_route53_zone" => "AWS::Route53::HostedZone",
        "aws_route53_record" => "AWS::Route53::RecordSet",
        "aws_cloudfront_distribution" => "AWS::CloudFront::Distribution",
        _ => return None,
    })
}

/// Types read into the resource they attach to, not into a resource of their own.
const ATTACHMENTS: &[&str] = &[
    "aws_autoscaling_attachment",
    "aws_autoscaling_traffic_source_attachment",
    "aws_lb_target_group_attachment",
    "aws_alb_target_group_attachment",
];

/// The attribute whose value `Ref` of a resource of `kind` gives in CloudFormation.
fn ref_attribute(kind: &str) -> &'static str {
    match kind {
        "aws_lb"
        | "aws_alb"
        | "aws_lb_target_group"
        | "aws_alb_target_group"
        | "aws_lb_listener"
        | "aws_alb_listener"
        | "aws_lb_listener_rule"
        | "aws_alb_listener_rule"
        | "aws_sns_topic"
        | "aws_autoscaling_policy"
        | "aws_sns_topic_subscription" => "arn",
        "aws_autoscaling_group"
        | "aws_db_subnet_group"
        | "aws_db_event_subscription"
        | "aws_launch_configuration"
        | "aws_elb" => "name",
        "aws_db_instance" | "aws_rds_cluster_instance" => "identifier",
        "aws_rds_cluster" => "cluster_identifier",
        "aws_route53_zone" => "zone_id",
        "aws_eip" => "public_ip",
        _ => "id",
    }
}

fn scalar(text: impl Into<String>, plain: bool, pos: Pos) -> Spanned {
    Spanned {
        node: Node::Scalar {
            text: text.into(),
            plain,
        },
        pos,
    }
}

fn map(entries: Vec<(&str, Spanned)>, pos: Pos) -> Spanned {
    Spanned {
        node: Node::Map(
            entries
                .into_iter()
                .map(|(key, value)| Entry {
                    key: key.to_owned(),
                    key_pos: value.pos,
                    value,
                })
                .collect(),
        ),
        pos,
    }
}

fn seq(items: Vec<Spanned>, pos: Pos) -> Spanned {
    Spanned {
        node: Node::Seq(items),
        pos,
    }
}

fn unknown(reason: String, pos: Pos) -> Spanned {
    map(
        vec![(crate::template::UNKNOWN, scalar(reason, false, pos))],
        pos,
    )
}

/// A JSON value of the plan as the document writes it; `None` for null.
fn literal(value: &Value, pos: Pos) -> Option<Spanned> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => scalar(b.to_string(), true, pos),
        Value::Number(n) => scalar(n.to_string(), true, pos),
        Value::String(s) => scalar(s.clone(), false, pos),
        Value::Array(items) => seq(items.iter().filter_map(|i| literal(i, pos)).collect(), pos),
        Value::Object(entries) => Spanned {
            node: Node::Map(
                entries
                    .iter()
                    .filter_map(|(k, v)| {
                        Some(Entry {
                            key: k.clone(),
                            key_pos: pos,
                            value: literal(v, pos)?,
                        })
                    })
                    .collect(),
            ),
            pos,
        },
    })
}

struct Translator<'p> {
    plan: &'p Plan,
    positions: &'p dyn Positions,
    /// Logical id of each instance that becomes a resource.
    logical: HashMap<usize, String>,
    /// Extra properties other resources give a resource (attachments): logical → entries.
    extra: HashMap<String, Vec<(String, Spanned)>>,
    resources: Vec<Entry>,
    origin: HashMap<String, usize>,
}

/// One resource being written: its instance and where its text is.
#[derive(Clone, Copy)]
struct Here<'p> {
    node: PlanNode<'p>,
    instance: usize,
}

pub fn translate(plan: &Plan, positions: &dyn Positions) -> Translated {
    let mut logical = HashMap::new();
    let mut not_read: HashMap<String, usize> = HashMap::new();
    for (position, instance) in plan.instances.iter().enumerate() {
        if cloudformation_type(&instance.kind).is_some() {
            logical.insert(position, instance.address.clone());
        } else if !ATTACHMENTS.contains(&instance.kind.as_str()) {
            *not_read.entry(instance.kind.clone()).or_default() += 1;
        }
    }
    let mut assigned = HashMap::new();
    for (&position, id) in &logical {
        let instance = &plan.instances[position];
        let attribute = ref_attribute(&instance.kind);
        let known = instance.after.get(attribute).and_then(Value::as_str);
        if let Some(known) = known.filter(|k| !k.is_empty())
            && instance.after_unknown.get(attribute) != Some(&Value::Bool(true))
        {
            assigned.insert(id.clone(), known.to_owned());
        }
    }
    let mut translator = Translator {
        plan,
        positions,
        logical,
        extra: HashMap::new(),
        resources: Vec::new(),
        origin: HashMap::new(),
    };
    for position in 0..plan.instances.len() {
        if ATTACHMENTS.contains(&plan.instances[position].kind.as_str()) {
            translator.attachment(position);
        }
    }
    for position in 0..plan.instances.len() {
        if translator.logical.contains_key(&position) {
            translator.resource(position);
        }
    }
    let Translator {
        mut resources,
        extra,
        origin,
        ..
    } = translator;
    for entry in &mut resources {
        let Some(extra) = extra.get(&entry.key) else {
            continue;
        };
        let Node::Map(fields) = &mut entry.value.node else {
            continue;
        };
        let Some(properties) = fields.iter_mut().find(|e| e.key == "Properties") else {
            continue;
        };
        let Node::Map(properties) = &mut properties.value.node else {
            continue;
        };
        for (name, value) in extra {
            match properties.iter_mut().find(|e| &e.key == name) {
                Some(Entry {
                    value:
                        Spanned {
                            node: Node::Seq(items),
                            ..
                        },
                    ..
                }) => {
                    if let Node::Seq(more) = &value.node {
                        items.extend(more.iter().cloned());
                    }
                }
                _ => properties.push(Entry {
                    key: name.clone(),
                    key_pos: value.pos,
                    value: value.clone(),
                }),
            }
        }
    }
    let pos = Pos { line: 1, column: 1 };
    let doc = map(
        vec![(
            "Resources",
            Spanned {
                node: Node::Map(resources),
                pos,
            },
        )],
        pos,
    );
    let mut not_read: Vec<(String, usize)> = not_read.into_iter().collect();
    not_read.sort();
    Translated {
        doc,
        assigned,
        origin,
        not_read,
    }
}

impl<'p> Translator<'p> {
    fn pos(&self, instance: usize, attribute: Option<&str>) -> Pos {
        let i = &self.plan.instances[instance];
        self.positions
            .position(&i.config_module, &i.config_address(), attribute)
    }

    /// A resolved value as the document writes it.
    fn value(&self, resolved: Resolved, pos: Pos) -> Option<Spanned> {
        match resolved {
            Resolved::Known(value) => literal(&value, pos),
            Resolved::Computed => None,
            Resolved::Unknown(reason) => Some(unknown(reason, pos)),
            Resolved::Map(entries) => Some(Spanned {
                node: Node::Map(
                    entries
                        .into_iter()
                        .filter_map(|(key, value)| {
                            Some(Entry {
                                key,
                                key_pos: pos,
                                value: self.value(value, pos)?,
                            })
                        })
                        .collect(),
                ),
                pos,
            }),
            Resolved::List(items) => Some(seq(
                items
                    .into_iter()
                    .filter_map(|item| self.value(item, pos))
                    .flat_map(|item| match item.node {
                        Node::Seq(inner) => inner,
                        _ => vec![item],
                    })
                    .collect(),
                pos,
            )),
            Resolved::Attribute {
                instance,
                attribute,
            } => Some(self.reference(instance, &attribute, pos)),
        }
    }

    /// `Ref` or `Fn::GetAtt` of attribute `attribute` of instance `instance`.
    fn reference(&self, instance: usize, attribute: &str, pos: Pos) -> Spanned {
        let target = &self.plan.instances[instance];
        let Some(logical) = self.logical.get(&instance) else {
            return unknown(
                format!("`{}.{attribute}` (known only after apply)", target.address),
                pos,
            );
        };
        let by_ref = || map(vec![("Ref", scalar(logical.clone(), false, pos))], pos);
        let get_att = |name: &str| {
            map(
                vec![(
                    "Fn::GetAtt",
                    seq(
                        vec![
                            scalar(logical.clone(), false, pos),
                            scalar(name, false, pos),
                        ],
                        pos,
                    ),
                )],
                pos,
            )
        };
        let kind = target.kind.as_str();
        if attribute == ref_attribute(kind) || (attribute == "id" && kind != "aws_eip") {
            return by_ref();
        }
        match (kind, attribute) {
            ("aws_eip", "id" | "allocation_id") => get_att("AllocationId"),
            ("aws_lb" | "aws_alb", "name") => get_att("LoadBalancerName"),
            ("aws_lb" | "aws_alb" | "aws_elb", "dns_name") => get_att("DNSName"),
            ("aws_lb" | "aws_alb", "zone_id") => get_att("CanonicalHostedZoneID"),
            ("aws_elb", "zone_id") => get_att("CanonicalHostedZoneNameID"),
            ("aws_sns_topic", "name") => get_att("TopicName"),
            ("aws_launch_template", "latest_version") => get_att("LatestVersionNumber"),
            ("aws_launch_template", "default_version") => get_att("DefaultVersionNumber"),
            ("aws_instance", "private_ip") => get_att("PrivateIp"),
            ("aws_instance", "public_ip") => get_att("PublicIp"),
            ("aws_db_instance" | "aws_rds_cluster", "address" | "endpoint") => {
                get_att("Endpoint.Address")
            }
            ("aws_db_instance", "arn") => get_att("DBInstanceArn"),
            ("aws_cloudwatch_metric_alarm", "arn") => get_att("Arn"),
            ("aws_vpc", "default_security_group_id") => get_att("DefaultSecurityGroup"),
            ("aws_cloudfront_distribution", "domain_name") => get_att("DomainName"),
            ("aws_lb_target_group" | "aws_alb_target_group", "arn_suffix") => {
                get_att("TargetGroupFullName")
            }
            ("aws_lb" | "aws_alb", "arn_suffix") => get_att("LoadBalancerFullName"),
            ("aws_route53_zone", "id") => by_ref(),
            _ => unknown(
                format!("`{}.{attribute}` (known only after apply)", target.address),
                pos,
            ),
        }
    }

    /// Attribute `name` of `node`, as property value.
    fn get(&self, here: Here<'p>, node: PlanNode<'p>, name: &str) -> Option<Spanned> {
        let pos = self.pos(here.instance, Some(name));
        self.value(self.one(here, name, self.plan.attribute(node, name)), pos)
    }

    /// As [`Translator::get`], a whole resource referenced giving its ARN.
    fn get_arn(&self, here: Here<'p>, node: PlanNode<'p>, name: &str) -> Option<Spanned> {
        let pos = self.pos(here.instance, Some(name));
        let resolved = self.plan.attribute_wanting(node, name, "arn");
        self.value(self.one(here, name, resolved), pos)
    }

    /// One value where one is expected: references giving several are unknown, not a list
    /// a property holding one would drop.
    fn one(&self, here: Here<'p>, name: &str, resolved: Resolved) -> Resolved {
        match resolved {
            Resolved::List(mut items) if items.len() == 1 => items.remove(0),
            Resolved::List(items) if items.len() > 1 => Resolved::Unknown(format!(
                "`{name}` of `{}` (its references give {} values where it takes one)",
                self.plan.instances[here.instance].address,
                items.len()
            )),
            other => other,
        }
    }

    /// A string attribute that is set (Terraform writes `""` for an optional string unset).
    fn text(&self, here: Here<'p>, node: PlanNode<'p>, name: &str) -> Option<Spanned> {
        self.get(here, node, name)
            .filter(|v| !matches!(&v.node, Node::Scalar { text, plain: false } if text.is_empty()))
    }

    /// A list attribute, as a list even when one reference gives one item.
    fn list(&self, here: Here<'p>, node: PlanNode<'p>, name: &str, arn: bool) -> Option<Spanned> {
        let pos = self.pos(here.instance, Some(name));
        let wanted = if arn { "arn" } else { "id" };
        let value = self.value(self.plan.attribute_wanting(node, name, wanted), pos)?;
        Some(match value.node {
            Node::Seq(_) => value,
            Node::Map(ref entries)
                if entries.len() == 1 && entries[0].key == crate::template::UNKNOWN =>
            {
                value
            }
            _ => {
                let pos = value.pos;
                seq(vec![value], pos)
            }
        })
        .filter(|v| !matches!(&v.node, Node::Seq(items) if items.is_empty()))
    }

    /// A map attribute (tags, dimensions) as CloudFormation's list of `key`/`Value` maps.
    fn pairs(&self, here: Here<'p>, node: PlanNode<'p>, name: &str, key: &str) -> Option<Spanned> {
        let pos = self.pos(here.instance, Some(name));
        let object = match self.plan.attribute(node, name) {
            Resolved::Known(Value::Object(object)) => object
                .into_iter()
                .map(|(k, v)| (k, Resolved::Known(v)))
                .collect::<Vec<_>>(),
            Resolved::Map(entries) => entries,
            Resolved::Known(_) | Resolved::Computed => return None,
            Resolved::Unknown(reason) => return Some(unknown(reason, pos)),
            _ => {
                let address = &self.plan.instances[here.instance].address;
                return Some(unknown(
                    format!("`{name}` of `{address}` (known only after apply)"),
                    pos,
                ));
            }
        };
        Some(seq(
            object
                .into_iter()
                .filter_map(|(k, v)| {
                    Some(map(
                        vec![(key, scalar(k, false, pos)), ("Value", self.value(v, pos)?)],
                        pos,
                    ))
                })
                .collect(),
            pos,
        ))
    }

    fn push(
        &mut self,
        logical: String,
        instance: usize,
        kind: &str,
        properties: Vec<(&str, Option<Spanned>)>,
    ) {
        let pos = self.pos(instance, None);
        let properties: Vec<(&str, Spanned)> = properties
            .into_iter()
            .filter_map(|(name, value)| Some((name, value?)))
            .collect();
        let body = map(
            vec![
                ("Type", scalar(kind, false, pos)),
                ("Properties", map(properties, pos)),
            ],
            pos,
        );
        self.origin.insert(logical.clone(), instance);
        self.resources.push(Entry {
            key: logical,
            key_pos: pos,
            value: body,
        });
    }

    /// The logical id of the resource a value refers to (`Ref` of it), if it is one here.
    fn referred(&self, value: &Spanned) -> Option<String> {
        match &value.node {
            Node::Map(entries) if entries.len() == 1 && entries[0].key == "Ref" => {
                entries[0].value.as_str().map(str::to_owned)
            }
            _ => None,
        }
    }

    /// The logical id of the resource of `kinds` that an attachment's attribute names: by
    /// reference, else by the name or ARN the plan knows.
    fn target_of(&self, value: &Spanned, kinds: &[&str]) -> Option<String> {
        if let Some(logical) = self.referred(value) {
            return Some(logical);
        }
        let known = value.as_str()?;
        self.logical.iter().find_map(|(&position, logical)| {
            let instance = &self.plan.instances[position];
            (kinds.contains(&instance.kind.as_str())
                && instance
                    .after
                    .get(ref_attribute(&instance.kind))
                    .and_then(Value::as_str)
                    == Some(known))
            .then(|| logical.clone())
        })
    }

    fn attachment(&mut self, position: usize) {
        let node = self.plan.node(position);
        let here = Here {
            node,
            instance: position,
        };
        let kind = self.plan.instances[position].kind.clone();
        let (target_kinds, target_attribute, property, value): (
            &[&str],
            &str,
            &str,
            Option<Spanned>,
        ) = match kind.as_str() {
            "aws_autoscaling_attachment" => {
                let (property, value) = match self.get_arn(here, node, "lb_target_group_arn") {
                    Some(arn) => ("TargetGroupARNs", Some(arn)),
                    None => ("LoadBalancerNames", self.text(here, node, "elb")),
                };
                (
                    &["aws_autoscaling_group"],
                    "autoscaling_group_name",
                    property,
                    value,
                )
            }
            "aws_autoscaling_traffic_source_attachment" => {
                let sources = self.plan.blocks(node, "traffic_source");
                let value = sources.first().map(|source| {
                    let pos = self.pos(position, Some("traffic_source"));
                    map(
                        vec![
                            ("Identifier", self.get_arn(here, *source, "identifier")),
                            ("Type", self.text(here, *source, "type")),
                        ]
                        .into_iter()
                        .filter_map(|(k, v)| Some((k, v?)))
                        .collect(),
                        pos,
                    )
                });
                (
                    &["aws_autoscaling_group"],
                    "autoscaling_group_name",
                    "TrafficSources",
                    value,
                )
            }
            _ => {
                let pos = self.pos(position, Some("target_id"));
                let value = self.get(here, node, "target_id").map(|id| {
                    map(
                        vec![("Id", Some(id)), ("Port", self.get(here, node, "port"))]
                            .into_iter()
                            .filter_map(|(k, v)| Some((k, v?)))
                            .collect(),
                        pos,
                    )
                });
                (
                    &["aws_lb_target_group", "aws_alb_target_group"],
                    "target_group_arn",
                    "Targets",
                    value,
                )
            }
        };
        let Some(value) = value else { return };
        let Some(target) = self
            .get_arn(here, node, target_attribute)
            .and_then(|t| self.target_of(&t, target_kinds))
        else {
            return;
        };
        let pos = value.pos;
        let items = match value.node {
            Node::Seq(_) => value,
            _ => seq(vec![value], pos),
        };
        self.extra
            .entry(target)
            .or_default()
            .push((property.to_owned(), items));
    }
}
