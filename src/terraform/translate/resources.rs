//! Each Terraform resource type of the architecture as the CloudFormation resource AWS makes
//! of it: the attribute that sets each property the converter reads.

use super::{Here, Translator, cloudformation_type, map, scalar, seq};
use crate::template::yaml::{Node, Spanned};
use crate::terraform::plan::Node as PlanNode;

/// A list property's items (an unknown list stays one unknown item).
pub(super) fn items(value: Option<Spanned>) -> Vec<Spanned> {
    match value {
        Some(Spanned {
            node: Node::Seq(items),
            ..
        }) => items,
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Properties with a value.
pub(super) type Properties<'a> = Vec<(&'a str, Option<Spanned>)>;

pub(super) fn object(entries: Properties<'_>, pos: crate::template::yaml::Pos) -> Spanned {
    map(
        entries
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect(),
        pos,
    )
}

/// How a block's attribute is read into a property.
#[derive(Clone, Copy)]
pub(super) enum Read {
    /// As the plan has it.
    Value,
    /// A string that is set (Terraform writes `""` for one unset).
    Text,
    /// A value, a whole resource referenced giving its ARN.
    Arn,
}

impl<'p> Translator<'p> {
    pub(super) fn read(
        &self,
        here: Here<'p>,
        node: PlanNode<'p>,
        name: &str,
        how: Read,
    ) -> Option<Spanned> {
        match how {
            Read::Value => self.get(here, node, name),
            Read::Text => self.text(here, node, name),
            Read::Arn => self.get_arn(here, node, name),
        }
    }

    /// Blocks `block` of `node`, each a map of `fields` (property, attribute, how read).
    pub(super) fn objects(
        &self,
        here: Here<'p>,
        node: PlanNode<'p>,
        block: &str,
        fields: &[(&'static str, &str, Read)],
    ) -> Vec<Spanned> {
        let pos = self.pos(here.instance, Some(block));
        self.plan
            .blocks(node, block)
            .into_iter()
            .map(|b| {
                object(
                    fields
                        .iter()
                        .map(|(property, attribute, how)| {
                            (*property, self.read(here, b, attribute, *how))
                        })
                        .collect(),
                    pos,
                )
            })
            .collect()
    }

    /// The first block `block` of `node` as [`Translator::objects`] makes it.
    pub(super) fn first_object(
        &self,
        here: Here<'p>,
        node: PlanNode<'p>,
        block: &str,
        fields: &[(&'static str, &str, Read)],
    ) -> Option<Spanned> {
        self.objects(here, node, block, fields).into_iter().next()
    }
}

/// The scheme of a load balancer whose `internal` is `internal`.
pub(super) fn scheme(internal: Option<bool>, pos: crate::template::yaml::Pos) -> Option<Spanned> {
    internal.map(|internal| {
        let scheme = if internal {
            "internal"
        } else {
            "internet-facing"
        };
        scalar(scheme, false, pos)
    })
}

/// A `[{Key, Value}]` attribute list of the attributes the plan sets (its attributes of a
/// load balancer or target group are AWS's keys), absent when it sets none.
pub(super) fn attributes(
    pairs: Vec<(&'static str, Option<Spanned>)>,
    pos: crate::template::yaml::Pos,
) -> Option<Spanned> {
    let items = pairs
        .into_iter()
        .filter_map(|(key, value)| {
            Some(object(
                vec![
                    ("Key", Some(scalar(key, false, pos))),
                    ("Value", Some(value?)),
                ],
                pos,
            ))
        })
        .collect();
    nonempty(items, pos)
}

/// A list property of `items`, absent when there are none.
pub(super) fn nonempty(items: Vec<Spanned>, pos: crate::template::yaml::Pos) -> Option<Spanned> {
    (!items.is_empty()).then(|| seq(items, pos))
}

impl<'p> Translator<'p> {
    /// Writes the resource (or resources) instance `position` becomes.
    pub(super) fn resource(&mut self, position: usize) {
        let instance = &self.plan.instances[position];
        let kind = instance.kind.clone();
        let logical = self.logical[&position].clone();
        let node = self.plan.node(position);
        let here = Here {
            node,
            instance: position,
        };
        let pos = self.pos(position, None);
        let cfn = cloudformation_type(&kind).expect("only types with one are written");
        // Resources of their own that this one's blocks make (inline routes, rules).
        let mut pending: Vec<(String, &'static str, Properties)> = Vec::new();
        let get = |name: &str| self.get(here, node, name);
        let text = |name: &str| self.text(here, node, name);
        let list = |name: &str| self.list(here, node, name, false);
        let properties: Option<Properties> = Some(match kind.as_str() {
            "aws_vpc" => vec![
                ("CidrBlock", get("cidr_block")),
                ("Tags", self.pairs(here, node, "tags", "Key")),
            ],
            "aws_subnet" => vec![
                ("VpcId", get("vpc_id")),
                ("AvailabilityZone", text("availability_zone")),
                ("CidrBlock", get("cidr_block")),
                ("MapPublicIpOnLaunch", get("map_public_ip_on_launch")),
                ("Tags", self.pairs(here, node, "tags", "Key")),
            ],
            "aws_route_table" => {
                for (n, route) in self.plan.blocks(node, "route").into_iter().enumerate() {
                    let properties = self.route(here, route, Some(logical.clone()));
                    pending.push((format!("{logical}#route{n}"), "AWS::EC2::Route", properties));
                }
                vec![("VpcId", get("vpc_id"))]
            }
            "aws_route" => self.route(here, node, None),
            "aws_route_table_association" => vec![
                ("SubnetId", get("subnet_id")),
                ("RouteTableId", get("route_table_id")),
            ],
            "aws_internet_gateway" => {
                if let Some(vpc) = get("vpc_id") {
                    let gateway = map(vec![("Ref", scalar(logical.clone(), false, pos))], pos);
                    pending.push((
                        format!("{logical}#attachment"),
                        "AWS::EC2::VPCGatewayAttachment",
                        vec![("VpcId", Some(vpc)), ("InternetGatewayId", Some(gateway))],
                    ));
                }
                vec![]
            }
            "aws_internet_gateway_attachment" => vec![
                ("VpcId", get("vpc_id")),
                ("InternetGatewayId", get("internet_gateway_id")),
            ],
            "aws_nat_gateway" => vec![
                ("SubnetId", get("subnet_id")),
                ("AllocationId", text("allocation_id")),
                ("ConnectivityType", text("connectivity_type")),
            ],
            "aws_eip" => vec![("Domain", text("domain"))],
            "aws_security_group" => {
                let ingress = self.inline_rules(here, &logical, "ingress");
                let egress = self.inline_rules(here, &logical, "egress");
                vec![
                    ("GroupName", text("name")),
                    ("GroupDescription", text("description")),
                    ("VpcId", get("vpc_id")),
                    ("SecurityGroupIngress", Some(ingress)),
                    ("SecurityGroupEgress", Some(egress)),
                    ("Tags", self.pairs(here, node, "tags", "Key")),
                ]
            }
            "aws_security_group_rule" => {
                let egress = matches!(
                    get("type")
                        .and_then(|t| t.as_str().map(str::to_owned))
                        .as_deref(),
                    Some("egress")
                );
                let kind = if egress {
                    "AWS::EC2::SecurityGroupEgress"
                } else {
                    "AWS::EC2::SecurityGroupIngress"
                };
                let group = get("security_group_id");
                for (n, mut rule) in self
                    .rules(here, node, egress, group.clone())
                    .into_iter()
                    .enumerate()
                {
                    rule.push(("GroupId", group.clone()));
                    pending.push((format!("{logical}#{n}"), kind, rule));
                }
                return self.push_all(position, None, pending);
            }
            "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                let egress = kind.ends_with("egress_rule");
                let peer = if egress {
                    "DestinationSecurityGroupId"
                } else {
                    "SourceSecurityGroupId"
                };
                let prefix = if egress {
                    "DestinationPrefixListId"
                } else {
                    "SourcePrefixListId"
                };
                vec![
                    ("GroupId", get("security_group_id")),
                    ("IpProtocol", text("ip_protocol")),
                    ("FromPort", get("from_port")),
                    ("ToPort", get("to_port")),
                    ("CidrIp", text("cidr_ipv4")),
                    ("CidrIpv6", text("cidr_ipv6")),
                    (prefix, text("prefix_list_id")),
                    (peer, text("referenced_security_group_id")),
                    ("Description", text("description")),
                ]
            }
            "aws_instance" => {
                let public = get("associate_public_ip_address")
                    .filter(|_| has_expression(node, "associate_public_ip_address"));
                let interfaces = public.map(|public| {
                    seq(
                        vec![object(
                            vec![
                                ("DeviceIndex", Some(scalar("0", false, pos))),
                                ("AssociatePublicIpAddress", Some(public)),
                                ("SubnetId", get("subnet_id")),
                                ("GroupSet", list("vpc_security_group_ids")),
                            ],
                            pos,
                        )],
                        pos,
                    )
                });
                let direct = interfaces.is_none();
                vec![
                    ("ImageId", text("ami")),
                    ("InstanceType", text("instance_type")),
                    ("SubnetId", get("subnet_id").filter(|_| direct)),
                    (
                        "SecurityGroupIds",
                        list("vpc_security_group_ids").filter(|_| direct),
                    ),
                    ("SecurityGroups", list("security_groups")),
                    ("NetworkInterfaces", interfaces),
                    ("AvailabilityZone", text("availability_zone")),
                    ("KeyName", text("key_name")),
                    ("UserData", text("user_data_base64")),
                    ("Tags", self.pairs(here, node, "tags", "Key")),
                ]
            }
            "aws_launch_template" => {
                let interfaces: Vec<Spanned> = self
                    .plan
                    .blocks(node, "network_interfaces")
                    .into_iter()
                    .map(|interface| {
                        let public = self
                            .text(here, interface, "associate_public_ip_address")
                            .map(|v| match v.node {
                                // Terraform keeps this one as a string.
                                Node::Scalar { text, .. } => scalar(text, true, v.pos),
                                _ => v,
                            });
                        object(
                            vec![
                                ("DeviceIndex", self.get(here, interface, "device_index")),
                                ("AssociatePublicIpAddress", public),
                                (
                                    "Groups",
                                    self.list(here, interface, "security_groups", false),
                                ),
                                ("SubnetId", self.text(here, interface, "subnet_id")),
                            ],
                            pos,
                        )
                    })
                    .collect();
                let data = object(
                    vec![
                        ("ImageId", text("image_id")),
                        ("InstanceType", text("instance_type")),
                        ("UserData", text("user_data")),
                        ("SecurityGroupIds", list("vpc_security_group_ids")),
                        ("SecurityGroups", list("security_group_names")),
                        (
                            "NetworkInterfaces",
                            (!interfaces.is_empty()).then(|| seq(interfaces, pos)),
                        ),
                    ],
                    pos,
                );
                vec![
                    ("LaunchTemplateName", text("name")),
                    ("LaunchTemplateData", Some(data)),
                ]
            }
            "aws_launch_configuration" => vec![
                ("LaunchConfigurationName", text("name")),
                ("ImageId", text("image_id")),
                ("InstanceType", text("instance_type")),
                ("SecurityGroups", list("security_groups")),
                (
                    "AssociatePublicIpAddress",
                    get("associate_public_ip_address")
                        .filter(|_| has_expression(node, "associate_public_ip_address")),
                ),
                ("UserData", text("user_data_base64")),
            ],
            "aws_autoscaling_group" => self.group(here, node),
            "aws_autoscaling_policy" => self.scaling_policy(here, node),
            "aws_lb" | "aws_alb" => {
                let mappings = self.objects(
                    here,
                    node,
                    "subnet_mapping",
                    &[
                        ("SubnetId", "subnet_id", Read::Value),
                        ("AllocationId", "allocation_id", Read::Text),
                    ],
                );
                let internal = get("internal").and_then(|i| i.as_str().map(|t| t == "true"));
                vec![
                    ("Name", text("name")),
                    ("Scheme", scheme(internal, pos)),
                    ("Type", text("load_balancer_type")),
                    ("Subnets", list("subnets").filter(|_| mappings.is_empty())),
                    (
                        "SubnetMappings",
                        (!mappings.is_empty()).then(|| seq(mappings, pos)),
                    ),
                    ("SecurityGroups", list("security_groups")),
                    (
                        "LoadBalancerAttributes",
                        attributes(
                            vec![
                                (
                                    "deletion_protection.enabled",
                                    get("enable_deletion_protection"),
                                ),
                                (
                                    "load_balancing.cross_zone.enabled",
                                    get("enable_cross_zone_load_balancing"),
                                ),
                            ],
                            pos,
                        ),
                    ),
                ]
            }
            "aws_lb_listener" | "aws_alb_listener" => {
                let actions = self.actions(here, node, "default_action");
                let certificate = text("certificate_arn")
                    .map(|arn| seq(vec![object(vec![("CertificateArn", Some(arn))], pos)], pos));
                vec![
                    (
                        "LoadBalancerArn",
                        self.get_arn(here, node, "load_balancer_arn"),
                    ),
                    ("Port", get("port")),
                    ("Protocol", text("protocol")),
                    ("Certificates", certificate),
                    ("DefaultActions", Some(actions)),
                ]
            }
            "aws_lb_listener_rule" | "aws_alb_listener_rule" => {
                let actions = self.actions(here, node, "action");
                let conditions = self.conditions(here, node);
                vec![
                    ("ListenerArn", self.get_arn(here, node, "listener_arn")),
                    ("Priority", get("priority")),
                    ("Actions", Some(actions)),
                    ("Conditions", Some(seq(conditions, pos))),
                ]
            }
            "aws_lb_target_group" | "aws_alb_target_group" => {
                let check = self.plan.blocks(node, "health_check").into_iter().next();
                let from_check = |name: &str| {
                    check.and_then(|c| self.text(here, c, name).or_else(|| self.get(here, c, name)))
                };
                vec![
                    ("Name", text("name")),
                    ("VpcId", get("vpc_id")),
                    ("Port", get("port")),
                    ("Protocol", text("protocol")),
                    ("TargetType", text("target_type")),
                    ("HealthCheckPath", from_check("path")),
                    ("HealthCheckPort", from_check("port")),
                    ("HealthCheckProtocol", from_check("protocol")),
                    ("HealthyThresholdCount", from_check("healthy_threshold")),
                    (
                        "TargetGroupAttributes",
                        attributes(
                            vec![
                                (
                                    "deregistration_delay.timeout_seconds",
                                    get("deregistration_delay"),
                                ),
                                (
                                    "load_balancing.cross_zone.enabled",
                                    text("load_balancing_cross_zone_enabled"),
                                ),
                            ],
                            pos,
                        ),
                    ),
                ]
            }
            "aws_elb" => self.classic(here, node),
            "aws_db_instance" => vec![
                ("DBInstanceIdentifier", text("identifier")),
                ("Engine", text("engine")),
                ("EngineVersion", text("engine_version")),
                ("DBInstanceClass", text("instance_class")),
                ("MultiAZ", get("multi_az")),
                ("PubliclyAccessible", get("publicly_accessible")),
                ("StorageEncrypted", get("storage_encrypted")),
                ("BackupRetentionPeriod", get("backup_retention_period")),
                ("DeletionProtection", get("deletion_protection")),
                ("DBSnapshotIdentifier", text("snapshot_identifier")),
                ("DBSubnetGroupName", text("db_subnet_group_name")),
                ("VPCSecurityGroups", list("vpc_security_group_ids")),
                (
                    "AvailabilityZone",
                    text("availability_zone").filter(|_| has_expression(node, "availability_zone")),
                ),
                ("Port", get("port").filter(|_| has_expression(node, "port"))),
                ("SourceDBInstanceIdentifier", text("replicate_source_db")),
                ("Tags", self.pairs(here, node, "tags", "Key")),
            ],
            "aws_rds_cluster_instance" => vec![
                ("DBInstanceIdentifier", text("identifier")),
                ("DBClusterIdentifier", get("cluster_identifier")),
                ("Engine", text("engine")),
                ("DBInstanceClass", text("instance_class")),
                (
                    "AvailabilityZone",
                    text("availability_zone").filter(|_| has_expression(node, "availability_zone")),
                ),
                ("PubliclyAccessible", get("publicly_accessible")),
            ],
            "aws_rds_cluster" => vec![
                ("DBClusterIdentifier", text("cluster_identifier")),
                ("Engine", text("engine")),
                ("Port", get("port").filter(|_| has_expression(node, "port"))),
                ("DBClusterInstanceClass", text("db_cluster_instance_class")),
                ("DeletionProtection", get("deletion_protection")),
                ("VpcSecurityGroupIds", list("vpc_security_group_ids")),
                (
                    "AvailabilityZones",
                    list("availability_zones")
                        .filter(|_| has_expression(node, "availability_zones")),
                ),
                ("DBSubnetGroupName", text("db_subnet_group_name")),
                (
                    "ReplicationSourceIdentifier",
                    text("replication_source_identifier"),
                ),
                ("StorageEncrypted", get("storage_encrypted")),
                ("BackupRetentionPeriod", get("backup_retention_period")),
            ],
            "aws_db_subnet_group" => vec![
                ("DBSubnetGroupName", text("name")),
                ("DBSubnetGroupDescription", text("description")),
                ("SubnetIds", list("subnet_ids")),
            ],
            "aws_cloudwatch_metric_alarm" => vec![
                ("AlarmName", text("alarm_name")),
                ("Namespace", text("namespace")),
                ("MetricName", text("metric_name")),
                ("Statistic", text("statistic")),
                ("ExtendedStatistic", text("extended_statistic")),
                ("Period", get("period")),
                ("EvaluationPeriods", get("evaluation_periods")),
                ("Threshold", get("threshold")),
                ("ComparisonOperator", text("comparison_operator")),
                ("Dimensions", self.pairs(here, node, "dimensions", "Name")),
                ("ActionsEnabled", get("actions_enabled")),
                ("AlarmActions", self.list(here, node, "alarm_actions", true)),
                ("OKActions", self.list(here, node, "ok_actions", true)),
                (
                    "InsufficientDataActions",
                    self.list(here, node, "insufficient_data_actions", true),
                ),
            ],
            "aws_sns_topic" => vec![("TopicName", text("name"))],
            "aws_db_event_subscription" => vec![
                ("SubscriptionName", text("name")),
                ("SnsTopicArn", self.get_arn(here, node, "sns_topic")),
                ("SourceType", text("source_type")),
                ("SourceIds", self.list(here, node, "source_ids", true)),
                (
                    "EventCategories",
                    self.list(here, node, "event_categories", true),
                ),
                ("Enabled", get("enabled")),
            ],
            "aws_sns_topic_subscription" => vec![
                ("TopicArn", self.get_arn(here, node, "topic_arn")),
                ("Protocol", text("protocol")),
                ("Endpoint", text("endpoint")),
            ],
            "aws_route53_zone" => {
                let vpcs = self.objects(
                    here,
                    node,
                    "vpc",
                    &[
                        ("VPCId", "vpc_id", Read::Value),
                        ("VPCRegion", "vpc_region", Read::Text),
                    ],
                );
                vec![("Name", text("name")), ("VPCs", nonempty(vpcs, pos))]
            }
            "aws_route53_record" => {
                let alias = self.first_object(
                    here,
                    node,
                    "alias",
                    &[
                        ("DNSName", "name", Read::Value),
                        ("HostedZoneId", "zone_id", Read::Value),
                        (
                            "EvaluateTargetHealth",
                            "evaluate_target_health",
                            Read::Value,
                        ),
                    ],
                );
                vec![
                    ("HostedZoneId", get("zone_id")),
                    ("Name", text("name")),
                    ("Type", text("type")),
                    ("TTL", get("ttl")),
                    ("ResourceRecords", list("records")),
                    ("AliasTarget", alias),
                    ("SetIdentifier", text("set_identifier")),
                ]
            }
            "aws_cloudfront_distribution" => {
                let origins = self.objects(
                    here,
                    node,
                    "origin",
                    &[
                        ("DomainName", "domain_name", Read::Value),
                        ("Id", "origin_id", Read::Text),
                    ],
                );
                let config = object(
                    vec![
                        ("Aliases", list("aliases")),
                        ("Enabled", get("enabled")),
                        ("Origins", Some(seq(origins, pos))),
                    ],
                    pos,
                );
                vec![("DistributionConfig", Some(config))]
            }
            other => unreachable!("`{other}` has a CloudFormation type but no translation"),
        });
        self.push_all(position, properties.map(|p| (logical, cfn, p)), pending);
    }

    fn push_all(
        &mut self,
        position: usize,
        own: Option<(String, &'static str, Properties)>,
        pending: Vec<(String, &'static str, Properties)>,
    ) {
        for (logical, kind, properties) in own.into_iter().chain(pending) {
            self.push(logical, position, kind, properties);
        }
    }

    fn route(
        &self,
        here: Here<'p>,
        route: PlanNode<'p>,
        table: Option<String>,
    ) -> Properties<'static> {
        let pos = self.pos(here.instance, None);
        let get = |name: &str| {
            self.text(here, route, name).or_else(|| {
                self.get(here, route, name)
                    .filter(|v| !matches!(&v.node, Node::Scalar { .. }))
            })
        };
        let table = match table {
            Some(logical) => Some(map(vec![("Ref", scalar(logical, false, pos))], pos)),
            None => self.get(here, route, "route_table_id"),
        };
        // The inline route's destination is `cidr_block`; `aws_route`'s is
        // `destination_cidr_block`.
        let destination = get("destination_cidr_block").or_else(|| get("cidr_block"));
        let destination6 = get("destination_ipv6_cidr_block").or_else(|| get("ipv6_cidr_block"));
        vec![
            ("RouteTableId", table),
            ("DestinationCidrBlock", destination),
            ("DestinationIpv6CidrBlock", destination6),
            ("DestinationPrefixListId", get("destination_prefix_list_id")),
            ("GatewayId", get("gateway_id")),
            ("NatGatewayId", get("nat_gateway_id")),
            ("TransitGatewayId", get("transit_gateway_id")),
            ("VpcPeeringConnectionId", get("vpc_peering_connection_id")),
            ("NetworkInterfaceId", get("network_interface_id")),
            ("VpcEndpointId", get("vpc_endpoint_id")),
            ("EgressOnlyInternetGatewayId", get("egress_only_gateway_id")),
        ]
    }

    /// A security group's inline `ingress` or `egress` blocks, one CloudFormation rule per
    /// peer.
    fn inline_rules(&self, here: Here<'p>, logical: &str, name: &str) -> Spanned {
        let pos = self.pos(here.instance, Some(name));
        if let Some(reason) = self.plan.unknown_blocks(here.node, name) {
            return super::unknown(reason, pos);
        }
        let own = map(vec![("Ref", scalar(logical.to_owned(), false, pos))], pos);
        let rules = self
            .plan
            .blocks(here.node, name)
            .into_iter()
            .flat_map(|block| self.rules(here, block, name == "egress", Some(own.clone())))
            .map(|rule| object(rule, pos))
            .collect();
        seq(rules, pos)
    }

    /// The CloudFormation rules of one Terraform rule (a block, or `aws_security_group_rule`):
    /// one per CIDR, prefix list or group it names. `own` is the group the rule is in.
    fn rules(
        &self,
        here: Here<'p>,
        rule: PlanNode<'p>,
        egress: bool,
        own: Option<Spanned>,
    ) -> Vec<Properties<'static>> {
        let protocol = self.text(here, rule, "protocol").map(|p| match p.as_str() {
            Some("all") => scalar("-1", false, p.pos),
            _ => p,
        });
        let base = || -> Properties<'static> {
            vec![
                ("IpProtocol", protocol.clone()),
                ("FromPort", self.get(here, rule, "from_port")),
                ("ToPort", self.get(here, rule, "to_port")),
                ("Description", self.text(here, rule, "description")),
            ]
        };
        let (group_key, prefix_key) = if egress {
            ("DestinationSecurityGroupId", "DestinationPrefixListId")
        } else {
            ("SourceSecurityGroupId", "SourcePrefixListId")
        };
        let peers: [(&'static str, Vec<Spanned>); 4] = [
            ("CidrIp", items(self.list(here, rule, "cidr_blocks", false))),
            (
                "CidrIpv6",
                items(self.list(here, rule, "ipv6_cidr_blocks", false)),
            ),
            (
                prefix_key,
                items(self.list(here, rule, "prefix_list_ids", false)),
            ),
            (
                group_key,
                items(self.list(here, rule, "security_groups", false))
                    .into_iter()
                    .chain(items(self.text(here, rule, "source_security_group_id")))
                    .chain(
                        self.get(here, rule, "self")
                            .filter(|s| s.as_str() == Some("true"))
                            .and(own),
                    )
                    .collect(),
            ),
        ];
        let mut out = Vec::new();
        for (key, values) in peers {
            for value in values {
                let mut rule = base();
                rule.push((key, Some(value)));
                out.push(rule);
            }
        }
        out
    }

    /// A listener's or rule's actions.
    fn actions(&self, here: Here<'p>, node: PlanNode<'p>, name: &str) -> Spanned {
        let pos = self.pos(here.instance, Some(name));
        if let Some(reason) = self.plan.unknown_blocks(node, name) {
            return super::unknown(reason, pos);
        }
        seq(self.each_action(here, node, name, pos), pos)
    }

    fn each_action(
        &self,
        here: Here<'p>,
        node: PlanNode<'p>,
        name: &str,
        pos: crate::template::yaml::Pos,
    ) -> Vec<Spanned> {
        self.plan
            .blocks(node, name)
            .into_iter()
            .map(|action| {
                let forward = self.plan.blocks(action, "forward").into_iter().next().map(|f| {
                    let groups = self.objects(here, f, "target_group", &[("TargetGroupArn", "arn", Read::Arn), ("Weight", "weight", Read::Value)]);
                    object(vec![("TargetGroups", Some(seq(groups, pos)))], pos)
                });
                let redirect = self.first_object(here, action, "redirect", &[("Protocol", "protocol", Read::Text), ("Port", "port", Read::Text), ("Host", "host", Read::Text), ("Path", "path", Read::Text), ("Query", "query", Read::Text), ("StatusCode", "status_code", Read::Text)]);
                let fixed = self.first_object(here, action, "fixed_response", &[("StatusCode", "status_code", Read::Text), ("ContentType", "content_type", Read::Text)]);
                object(
                    vec![
                        ("Type", self.text(here, action, "type")),
                        ("TargetGroupArn", self.get_arn(here, action, "target_group_arn").filter(|v| {
                            !matches!(&v.node, Node::Scalar { text, .. } if text.is_empty())
                        })),
                        ("ForwardConfig", forward),
                        ("RedirectConfig", redirect),
                        ("FixedResponseConfig", fixed),
                        ("Order", self.get(here, action, "order").filter(|_| false)),
                    ],
                    pos,
                )
            })
            .collect()
    }

    /// A listener rule's conditions.
    fn conditions(&self, here: Here<'p>, node: PlanNode<'p>) -> Vec<Spanned> {
        let pos = self.pos(here.instance, Some("condition"));
        let mut out = Vec::new();
        for condition in self.plan.blocks(node, "condition") {
            for (block, field, config) in [
                ("path_pattern", "path-pattern", "PathPatternConfig"),
                ("host_header", "host-header", "HostHeaderConfig"),
            ] {
                for inner in self.plan.blocks(condition, block) {
                    out.push(object(
                        vec![
                            ("Field", Some(scalar(field, false, pos))),
                            (
                                config,
                                Some(object(
                                    vec![("Values", self.list(here, inner, "values", false))],
                                    pos,
                                )),
                            ),
                        ],
                        pos,
                    ));
                }
            }
        }
        out
    }

    fn classic(&self, here: Here<'p>, node: PlanNode<'p>) -> Properties<'static> {
        let pos = self.pos(here.instance, None);
        let listeners = self.objects(
            here,
            node,
            "listener",
            &[
                ("LoadBalancerPort", "lb_port", Read::Value),
                ("Protocol", "lb_protocol", Read::Text),
                ("InstancePort", "instance_port", Read::Value),
                ("InstanceProtocol", "instance_protocol", Read::Text),
                ("SSLCertificateId", "ssl_certificate_id", Read::Text),
            ],
        );
        let check = self.first_object(
            here,
            node,
            "health_check",
            &[
                ("Target", "target", Read::Text),
                ("HealthyThreshold", "healthy_threshold", Read::Value),
                ("UnhealthyThreshold", "unhealthy_threshold", Read::Value),
                ("Interval", "interval", Read::Value),
                ("Timeout", "timeout", Read::Value),
            ],
        );
        let internal = self
            .get(here, node, "internal")
            .and_then(|i| i.as_str().map(|t| t == "true"));
        vec![
            ("LoadBalancerName", self.text(here, node, "name")),
            ("Listeners", Some(seq(listeners, pos))),
            ("HealthCheck", check),
            (
                "AvailabilityZones",
                self.list(here, node, "availability_zones", false)
                    .filter(|_| has_expression(node, "availability_zones")),
            ),
            (
                "Subnets",
                self.list(here, node, "subnets", false)
                    .filter(|_| has_expression(node, "subnets")),
            ),
            (
                "SecurityGroups",
                self.list(here, node, "security_groups", false),
            ),
            ("Instances", self.list(here, node, "instances", false)),
            (
                "CrossZone",
                self.get(here, node, "cross_zone_load_balancing"),
            ),
            (
                "ConnectionDrainingPolicy",
                Some(object(
                    vec![
                        ("Enabled", self.get(here, node, "connection_draining")),
                        (
                            "Timeout",
                            self.get(here, node, "connection_draining_timeout"),
                        ),
                    ],
                    pos,
                )),
            ),
            ("Scheme", scheme(internal, pos)),
        ]
    }
}

/// Whether the configuration sets attribute `name` (an attribute both optional and computed
/// that it does not set is AWS's to pick: left out, as a template leaves it out).
pub(super) fn has_expression(node: PlanNode<'_>, name: &str) -> bool {
    node.expressions().get(name).is_some()
}
