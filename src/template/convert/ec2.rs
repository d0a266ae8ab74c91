//! EC2: VPCs, subnets, route tables and routes, gateways, security groups and their rules, instances, launch templates.

use super::*;

/// Converts one resource of a type of this service; other types are left alone.
pub(super) fn one(inv: &mut Inventory, joins: &mut Joins, r: &mut Recorder, kind: &str) -> Step {
    let region = inv.regions[0].clone();
    match kind {
        "AWS::EC2::VPC" => {
            let vpc = Vpc {
                id: r.id(kind)?,
                region,
                cidr_block: r.text("CidrBlock", "cidr_block")?.unwrap_or_default(),
                is_default: false,
                tags: r.tags()?,
                // The template's own account, whoever deploys it.
                owner_id: None,
            };
            push_source(inv, r, &vpc);
            // Every VPC has a main route table, with the local route only.
            inv.route_tables.push(RouteTable {
                id: format!("rtb-main-{}", r.logical),
                region: vpc.region.clone(),
                vpc_id: vpc.id.clone(),
                main: true,
                subnet_ids: Vec::new(),
                routes: vec![Route {
                    destination: vpc.cidr_block.clone(),
                    target: "local".into(),
                }],
                tags: Tags::new(),
            });
            inv.vpcs.push(vpc);
        }
        "AWS::EC2::Subnet" => {
            let subnet = Subnet {
                id: r.id(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                availability_zone: match r.text("AvailabilityZone", "availability_zone")? {
                    Some(zone) => zone,
                    None => {
                        if !r.source.unknowns.contains_key("availability_zone") {
                            r.unknown("availability_zone", format!("the zone of subnet `{}` (no `AvailabilityZone`: AWS picks one)", r.logical));
                        }
                        String::new()
                    }
                },
                cidr_block: r.text("CidrBlock", "cidr_block")?.unwrap_or_default(),
                map_public_ip_on_launch: r
                    .flag("MapPublicIpOnLaunch", "map_public_ip_on_launch")?
                    .unwrap_or(false),
                public: false,
                tags: r.tags()?,
            };
            push_source(inv, r, &subnet);
            inv.subnets.push(subnet);
        }
        "AWS::EC2::RouteTable" => {
            let table = RouteTable {
                id: r.id(kind)?,
                region,
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                main: false,
                subnet_ids: Vec::new(),
                routes: Vec::new(),
                tags: r.tags()?,
            };
            push_source(inv, r, &table);
            inv.route_tables.push(table);
        }
        "AWS::EC2::Route" => {
            let table = r.text("RouteTableId", "route_table")?.unwrap_or_default();
            let destination = match r.text("DestinationCidrBlock", "destination")? {
                Some(d) => d,
                None => r
                    .text("DestinationIpv6CidrBlock", "destination")?
                    .unwrap_or_default(),
            };
            let mut target = String::new();
            for property in [
                "GatewayId",
                "NatGatewayId",
                "InstanceId",
                "NetworkInterfaceId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "EgressOnlyInternetGatewayId",
                "VpcEndpointId",
            ] {
                if let Some(t) = r.text(property, "target")? {
                    target = t;
                    break;
                }
            }
            joins.routes.push((
                table,
                Route {
                    destination,
                    target,
                },
            ));
        }
        "AWS::EC2::SubnetRouteTableAssociation" => {
            let table = r.text("RouteTableId", "route_table")?.unwrap_or_default();
            let subnet = r.text("SubnetId", "subnet")?.unwrap_or_default();
            joins.associations.push((table, subnet));
        }
        "AWS::EC2::InternetGateway" => {
            let gateway = InternetGateway {
                id: r.id(kind)?,
                region,
                vpc_ids: Vec::new(),
                tags: r.tags()?,
            };
            push_source(inv, r, &gateway);
            inv.internet_gateways.push(gateway);
        }
        "AWS::EC2::VPCGatewayAttachment" => {
            if let (Some(gateway), Some(vpc)) = (
                r.text("InternetGatewayId", "gateway")?,
                r.text("VpcId", "vpc")?,
            ) {
                joins.attachments.push((gateway, vpc));
            }
        }
        "AWS::EC2::NatGateway" => {
            let gateway = NatGateway {
                id: r.id(kind)?,
                region,
                vpc_id: String::new(),
                subnet_id: r.text("SubnetId", "subnet_id")?.unwrap_or_default(),
                state: "available".into(),
                private: r
                    .text("ConnectivityType", "private")?
                    .is_some_and(|t| t == "private"),
                tags: r.tags()?,
            };
            push_source(inv, r, &gateway);
            inv.nat_gateways.push(gateway);
        }
        "AWS::EC2::SecurityGroup" => {
            let id = r.id(kind)?;
            let mut group = SecurityGroup {
                id: id.clone(),
                region,
                name: r
                    .text("GroupName", "name")?
                    .unwrap_or_else(|| format!("{}-{}", r.logical, "sg")),
                vpc_id: r.text("VpcId", "vpc_id")?.unwrap_or_default(),
                description: r
                    .text("GroupDescription", "description")?
                    .unwrap_or_default(),
                ingress: Vec::new(),
                egress: Vec::new(),
                tags: r.tags()?,
            };
            for (property, field, egress) in [
                ("SecurityGroupIngress", "ingress", false),
                ("SecurityGroupEgress", "egress", true),
            ] {
                if let Some(entry) = r.properties_entry(property) {
                    r.at(field, entry);
                }
                for item in &r.items(property, field)? {
                    let value = r.eval(item)?;
                    match sg_rule(&value, egress).map(|rule| vec![rule]) {
                        Ok(rules) => {
                            for rule in rules {
                                r.element(field, json(&rule), peer_pos(item));
                                if egress {
                                    group.egress.push(rule)
                                } else {
                                    group.ingress.push(rule)
                                }
                            }
                        }
                        Err(NotKnown(reason)) => r.unknown(field, reason),
                    }
                }
            }
            if r.properties_entry("SecurityGroupEgress").is_none() {
                // AWS gives a new group one rule: all traffic out.
                group.egress.push(SgRule {
                    protocol: "all".into(),
                    from_port: 0,
                    to_port: 65535,
                    cidr_ipv4: Some("0.0.0.0/0".into()),
                    cidr_ipv6: None,
                    source_group_id: None,
                    prefix_list_id: None,
                    prefix_list_cidrs: Vec::new(),
                    description: String::new(),
                });
            }
            push_source(inv, r, &group);
            inv.security_groups.push(group);
        }
        "AWS::EC2::SecurityGroupIngress" | "AWS::EC2::SecurityGroupEgress" => {
            let egress = kind.ends_with("Egress");
            let group = r.text("GroupId", "group")?.unwrap_or_default();
            let Some(properties) = r.properties() else {
                return Ok(());
            };
            let value = r.eval(properties)?;
            let pos = peer_pos(properties);
            joins.rules.push(SeparateRule {
                group,
                egress,
                rule: sg_rule(&value, egress),
                pos: SourcePos {
                    line: pos.line,
                    column: pos.column,
                },
            });
        }
        "AWS::EC2::Instance" => {
            let interface = r.items("NetworkInterfaces", "public_ip")?.first().cloned();
            let interface = match interface {
                Some(node) => Some(r.eval(&node)?),
                None => None,
            };
            let mut subnet_id = r.text("SubnetId", "subnet_id")?;
            let mut groups = r.list("SecurityGroupIds", "security_group_ids")?;
            let mut public = None;
            if let Some(interface) = &interface {
                if subnet_id.is_none() {
                    subnet_id = interface
                        .get("SubnetId")
                        .and_then(Value::text)
                        .map(str::to_owned);
                }
                if let Some(set) = interface.get("GroupSet") {
                    groups.extend(texts(set).unwrap_or_default());
                }
                match interface.get("AssociatePublicIpAddress") {
                    Some(Value::Text(t)) => public = Some(t.eq_ignore_ascii_case("true")),
                    Some(Value::Unknown(reason)) => r.unknown("public_ip", reason.clone()),
                    _ => {}
                }
                if let Some(node) = r.items("NetworkInterfaces", "public_ip")?.first()
                    && let Some(entry) = node.entry("AssociatePublicIpAddress")
                {
                    r.at("public_ip", entry.key_pos);
                }
            }
            groups.extend(r.list("SecurityGroups", "security_group_ids")?);
            let zone = match r.text("AvailabilityZone", "availability_zone")? {
                Some(zone) => Some(zone),
                None => r
                    .attribute(kind, "AvailabilityZone")?
                    .text()
                    .map(str::to_owned),
            };
            let instance = Instance {
                id: r.id(kind)?,
                region,
                state: "running".into(),
                instance_type: r
                    .text("InstanceType", "instance_type")?
                    .unwrap_or_else(|| "m1.small".into()),
                image_id: r.text("ImageId", "image_id")?.unwrap_or_default(),
                vpc_id: String::new(),
                subnet_id: subnet_id.unwrap_or_default(),
                availability_zone: zone.unwrap_or_default(),
                private_ip: r.attribute(kind, "PrivateIp")?.text().map(str::to_owned),
                public_ip: if public == Some(true) {
                    r.attribute(kind, "PublicIp")?.text().map(str::to_owned)
                } else {
                    None
                },
                security_group_ids: groups,
                auto_scaling_group: None,
                key_name: r.text("KeyName", "key_name")?,
                source_dest_check: r
                    .flag("SourceDestCheck", "source_dest_check")?
                    .unwrap_or(true),
                tags: r.tags()?,
            };
            if public.is_none()
                && let Some(pos) = r.source.fields.get("subnet_id").copied()
            {
                // The address follows the subnet's `MapPublicIpOnLaunch`: choosing the
                // subnet is what gave it.
                r.source.fields.entry("public_ip".into()).or_insert(pos);
            }
            let public_ip_unknown = r.source.unknowns.contains_key("public_ip");
            push_source(inv, r, &instance);
            if public.is_none() && !public_ip_unknown {
                joins.subnet_public_ip.push((
                    inv.instances.len(),
                    r.attribute(kind, "PublicIp")?
                        .text()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
            inv.instances.push(instance);
        }
        "AWS::EC2::LaunchTemplate" => {
            let interface = r
                .items("LaunchTemplateData.NetworkInterfaces", "versions")?
                .first()
                .cloned();
            let interface = match interface {
                Some(node) => Some(r.eval(&node)?),
                None => None,
            };
            let mut groups = r.list("LaunchTemplateData.SecurityGroupIds", "security_group_ids")?;
            let mut public = None;
            if let Some(interface) = &interface {
                if let Some(set) = interface.get("Groups") {
                    groups.extend(texts(set).unwrap_or_default());
                }
                match interface.get("AssociatePublicIpAddress") {
                    Some(Value::Text(t)) => public = Some(t.eq_ignore_ascii_case("true")),
                    Some(Value::Unknown(reason)) => r.unknown("versions", reason.clone()),
                    _ => {}
                }
                if let Some(node) = r
                    .items("LaunchTemplateData.NetworkInterfaces", "versions")?
                    .first()
                    && let Some(entry) = node.entry("AssociatePublicIpAddress")
                {
                    r.at("associate_public_ip", entry.key_pos);
                }
            }
            groups.extend(r.list("LaunchTemplateData.SecurityGroups", "security_group_ids")?);
            let image_id = r.text("LaunchTemplateData.ImageId", "image_id")?;
            let instance_type = r.text("LaunchTemplateData.InstanceType", "instance_type")?;
            let has_user_data = r
                .value("LaunchTemplateData.UserData", "has_user_data")?
                .is_some()
                || r.source.unknowns.contains_key("has_user_data");
            let template = LaunchTemplate {
                id: r.id(kind)?,
                region,
                name: r.name(kind)?,
                default_version: 1,
                latest_version: 1,
                versions: vec![LaunchTemplateVersion {
                    version_number: 1,
                    image_id,
                    instance_type,
                    associate_public_ip: public,
                    security_group_ids: groups,
                    has_user_data,
                    joins_ecs_cluster: r.mentions("LaunchTemplateData.UserData", "ECS_CLUSTER"),
                    // Whether a key pair exists is known only in the account (HA035).
                    key_name: None,
                    security_group_names: Vec::new(),
                }],
                tags: Tags::new(),
            };
            // The version's fields are one field of the template: their lines and unknowns
            // are its `versions`'.
            for field in [
                "image_id",
                "instance_type",
                "associate_public_ip",
                "security_group_ids",
                "has_user_data",
            ] {
                if let Some(pos) = r.source.fields.get(field).copied() {
                    r.source.fields.entry("versions".into()).or_insert(pos);
                }
                if let Some(reason) = r.source.unknowns.get(field).cloned() {
                    r.unknown("versions", reason);
                }
            }
            push_source(inv, r, &template);
            inv.launch_templates.push(template);
        }
        _ => {}
    }
    Ok(())
}
