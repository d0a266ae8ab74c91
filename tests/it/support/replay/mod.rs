//! A snapshot document built into moto through the SDK, as AWS would hold it: what the
//! generated accounts (`generated.rs`) look like when they are real.
//!
//! Every resource of the document is created with the calls a user would make; moto assigns
//! its own ids, so [`Replayed::live`] maps each id of the document to the live one (VPCs,
//! subnets, gateways, security groups, instances, hosted zones) and the names that AWS keeps
//! (groups, load balancers, databases, topics) map to themselves. A collection or a field
//! value the replay does not know is a panic, never a silent omission: the live account
//! holds everything the document says or the test stops.
//!
//! Where moto differs from AWS (notes/moto-quirks.md) the replay builds what AWS would have:
//! a group's instances are launched in their own subnets and attached (moto would place
//! them all in its first subnet), public addresses are Elastic IPs at the document's
//! addresses, and an HTTPS or TLS listener gets a certificate requested from moto's ACM.

use std::collections::HashMap;
use std::io::{Read, Write};

use aws_sdk_autoscaling::types as ast;
use aws_sdk_ec2::types as ec2t;
use aws_sdk_elasticloadbalancing::types as elbt;
use aws_sdk_elasticloadbalancingv2::types as elbv2t;
use aws_sdk_route53::types as r53t;
use serde_json::Value;

use super::moto::Moto;

mod load_balancers;

pub use load_balancers::request_certificate;
use load_balancers::*;

/// The AMI moto ships that stands for every image of a document.
const MOTO_IMAGE: &str = "ami-12c6146b";
const USER_DATA: &str = "IyEvYmluL2Jhc2gKc3lzdGVtY3RsIHN0YXJ0IGFwcAo="; // starts the app

/// The live account: the document's ids → moto's.
#[derive(Default, Debug)]
pub struct Replayed {
    ids: HashMap<String, String>,
}

impl Replayed {
    /// The live id of a document id (names AWS keeps map to themselves).
    pub fn live(&self, id: &str) -> String {
        self.ids.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn known(&self, id: &str) -> String {
        self.ids
            .get(id)
            .cloned()
            .unwrap_or_else(|| panic!("replay: `{id}` is referenced before it was created"))
    }

    fn map(&mut self, from: &str, to: &str) {
        self.ids.insert(from.to_owned(), to.to_owned());
    }
}

fn text(value: &Value, field: &str) -> String {
    value[field]
        .as_str()
        .unwrap_or_else(|| panic!("replay: `{field}` missing in {value}"))
        .to_owned()
}

fn texts(value: &Value, field: &str) -> Vec<String> {
    value[field]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn int(value: &Value, field: &str) -> i32 {
    value[field]
        .as_i64()
        .unwrap_or_else(|| panic!("replay: `{field}` missing in {value}")) as i32
}

fn items<'a>(document: &'a Value, collection: &str) -> &'a [Value] {
    document[collection].as_array().map_or(&[], Vec::as_slice)
}

/// The collections [`replay`] builds; any other non-empty one stops it.
const REPLAYED: &[&str] = &[
    "vpcs",
    "subnets",
    "internet_gateways",
    "nat_gateways",
    "route_tables",
    "images",
    "missing_images",
    "missing_key_pairs",
    "security_groups",
    "hosted_zones",
    "launch_templates",
    "launch_configurations",
    "instances",
    "target_groups",
    "load_balancers",
    "listeners",
    "classic_load_balancers",
    "auto_scaling_groups",
    "db_subnet_groups",
    "db_clusters",
    "db_instances",
    "sns_topics",
    "event_subscriptions",
    "scaling_policies",
    "metric_alarms",
    "record_sets",
];

/// Builds `document` (a snapshot of one account and region) into `moto`.
pub async fn replay(moto: &Moto, document: &Value) -> Replayed {
    const HEADER: &[&str] = &["regions", "warnings"];
    for (name, value) in document.as_object().unwrap() {
        if HEADER.contains(&name.as_str()) {
            continue;
        }
        let filled = value.as_array().is_some_and(|items| !items.is_empty());
        assert!(
            !filled || REPLAYED.contains(&name.as_str()),
            "replay: collection `{name}` is not replayed"
        );
    }
    let config = moto.sdk_config().await;
    let clients = Clients {
        ec2: aws_sdk_ec2::Client::new(&config),
        autoscaling: aws_sdk_autoscaling::Client::new(&config),
        elbv2: aws_sdk_elasticloadbalancingv2::Client::new(&config),
        elb: aws_sdk_elasticloadbalancing::Client::new(&config),
        rds: aws_sdk_rds::Client::new(&config),
        sns: aws_sdk_sns::Client::new(&config),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&config),
        route53: aws_sdk_route53::Client::new(&config),
    };
    let mut ids = Replayed::default();
    for image in items(document, "images") {
        ids.map(&text(image, "id"), MOTO_IMAGE);
    }
    // AMIs the truth says are gone: registered for the launch settings to name, and
    // deregistered once the groups have launched from them.
    let mut gone = Vec::new();
    for image in items(document, "missing_images") {
        let registered = clients
            .ec2
            .register_image()
            .name(text(image, "id"))
            .root_device_name("/dev/xvda")
            .send()
            .await
            .unwrap();
        let id = registered.image_id().unwrap().to_owned();
        ids.map(&text(image, "id"), &id);
        gone.push(id);
    }
    // Every key pair launch settings name, then those the truth says are gone deleted once
    // the groups exist.
    let keys: std::collections::BTreeSet<String> = items(document, "launch_templates")
        .iter()
        .flat_map(|t| t["versions"].as_array().unwrap())
        .filter_map(|v| v["key_name"].as_str().map(str::to_owned))
        .collect();
    for key in &keys {
        clients
            .ec2
            .create_key_pair()
            .key_name(key)
            .send()
            .await
            .unwrap();
    }
    network(&clients.ec2, document, &mut ids).await;
    security_groups(&clients.ec2, document, &mut ids).await;
    launch_settings(&clients, document, &mut ids).await;
    for instance in items(document, "instances") {
        if instance["auto_scaling_group"].is_null() {
            let id = run_instance(&clients.ec2, instance, &ids).await;
            ids.map(&text(instance, "id"), &id);
        }
    }
    let certificate = request_certificate(&moto.endpoint);
    load_balancers(&clients, document, &mut ids, &certificate).await;
    groups(&clients, document, &mut ids).await;
    for id in gone {
        clients
            .ec2
            .deregister_image()
            .image_id(id)
            .send()
            .await
            .unwrap();
    }
    for key in items(document, "missing_key_pairs") {
        clients
            .ec2
            .delete_key_pair()
            .key_name(text(key, "id"))
            .send()
            .await
            .unwrap();
    }
    registrations(&clients, document, &ids).await;
    databases(&clients.rds, document, &ids).await;
    monitoring(&clients, document, &mut ids).await;
    records(&clients, document, &ids).await;
    ids
}

struct Clients {
    ec2: aws_sdk_ec2::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    elbv2: aws_sdk_elasticloadbalancingv2::Client,
    elb: aws_sdk_elasticloadbalancing::Client,
    rds: aws_sdk_rds::Client,
    sns: aws_sdk_sns::Client,
    cloudwatch: aws_sdk_cloudwatch::Client,
    route53: aws_sdk_route53::Client,
}

fn name_tag(resource: ec2t::ResourceType, name: &str) -> ec2t::TagSpecification {
    ec2t::TagSpecification::builder()
        .resource_type(resource)
        .tags(ec2t::Tag::builder().key("Name").value(name).build())
        .build()
}

async fn network(ec2: &aws_sdk_ec2::Client, document: &Value, ids: &mut Replayed) {
    for vpc in items(document, "vpcs") {
        let created = ec2
            .create_vpc()
            .cidr_block(text(vpc, "cidr_block"))
            .tag_specifications(name_tag(ec2t::ResourceType::Vpc, &text(vpc, "id")))
            .send()
            .await
            .unwrap();
        ids.map(&text(vpc, "id"), created.vpc().unwrap().vpc_id().unwrap());
    }
    for subnet in items(document, "subnets") {
        let created = ec2
            .create_subnet()
            .vpc_id(ids.known(&text(subnet, "vpc_id")))
            .cidr_block(text(subnet, "cidr_block"))
            .availability_zone(text(subnet, "availability_zone"))
            .tag_specifications(name_tag(ec2t::ResourceType::Subnet, &text(subnet, "id")))
            .send()
            .await
            .unwrap();
        let id = created.subnet().unwrap().subnet_id().unwrap().to_owned();
        if subnet["map_public_ip_on_launch"] == true {
            ec2.modify_subnet_attribute()
                .subnet_id(&id)
                .map_public_ip_on_launch(ec2t::AttributeBooleanValue::builder().value(true).build())
                .send()
                .await
                .unwrap();
        }
        ids.map(&text(subnet, "id"), &id);
    }
    for gateway in items(document, "internet_gateways") {
        let created = ec2.create_internet_gateway().send().await.unwrap();
        let id = created
            .internet_gateway()
            .unwrap()
            .internet_gateway_id()
            .unwrap()
            .to_owned();
        for vpc in texts(gateway, "vpc_ids") {
            ec2.attach_internet_gateway()
                .internet_gateway_id(&id)
                .vpc_id(ids.known(&vpc))
                .send()
                .await
                .unwrap();
        }
        ids.map(&text(gateway, "id"), &id);
    }
    for nat in items(document, "nat_gateways") {
        assert_eq!(nat["state"], "available", "replay: {nat}");
        let address = ec2.allocate_address().send().await.unwrap();
        let created = ec2
            .create_nat_gateway()
            .subnet_id(ids.known(&text(nat, "subnet_id")))
            .allocation_id(address.allocation_id().unwrap())
            .send()
            .await
            .unwrap();
        let id = created.nat_gateway().unwrap().nat_gateway_id().unwrap();
        ids.map(&text(nat, "id"), id);
    }
    for table in items(document, "route_tables") {
        let vpc = ids.known(&text(table, "vpc_id"));
        let id = if table["main"] == true {
            // The VPC's own main table: routes and associations as the document says.
            let found = ec2
                .describe_route_tables()
                .filters(ec2t::Filter::builder().name("vpc-id").values(&vpc).build())
                .filters(
                    ec2t::Filter::builder()
                        .name("association.main")
                        .values("true")
                        .build(),
                )
                .send()
                .await
                .unwrap();
            found.route_tables()[0].route_table_id().unwrap().to_owned()
        } else {
            ec2.create_route_table()
                .vpc_id(&vpc)
                .send()
                .await
                .unwrap()
                .route_table()
                .unwrap()
                .route_table_id()
                .unwrap()
                .to_owned()
        };
        for route in table["routes"].as_array().unwrap() {
            let target = text(route, "target");
            if target == "local" {
                continue;
            }
            let request = ec2
                .create_route()
                .route_table_id(&id)
                .destination_cidr_block(text(route, "destination"));
            let request = match target.split('-').next().unwrap() {
                "igw" => request.gateway_id(ids.known(&target)),
                "nat" => request.nat_gateway_id(ids.known(&target)),
                other => panic!("replay: route target kind `{other}`"),
            };
            request.send().await.unwrap();
        }
        for subnet in texts(table, "subnet_ids") {
            ec2.associate_route_table()
                .route_table_id(&id)
                .subnet_id(ids.known(&subnet))
                .send()
                .await
                .unwrap();
        }
        ids.map(&text(table, "id"), &id);
    }
}

/// Security groups first, then their rules (which name each other).
async fn security_groups(ec2: &aws_sdk_ec2::Client, document: &Value, ids: &mut Replayed) {
    let groups = items(document, "security_groups");
    for group in groups {
        let id = text(group, "id");
        // AWS refuses group names that start with `sg-`.
        let name = id.trim_start_matches("sg-");
        let created = ec2
            .create_security_group()
            .group_name(name)
            .description(text(group, "description"))
            .vpc_id(ids.known(&text(group, "vpc_id")))
            .send()
            .await
            .unwrap();
        ids.map(&id, created.group_id().unwrap());
    }
    for group in groups {
        assert_eq!(
            group["egress"],
            serde_json::json!([{"protocol": "all", "from_port": 0, "to_port": 65535, "cidr_ipv4": "0.0.0.0/0"}]),
            "replay: only the default egress is replayed"
        );
        for rule in group["ingress"].as_array().unwrap() {
            let protocol = match rule["protocol"].as_str().unwrap() {
                "all" => "-1",
                other => other,
            };
            let mut permission = ec2t::IpPermission::builder()
                .ip_protocol(protocol)
                .from_port(int(rule, "from_port"))
                .to_port(int(rule, "to_port"));
            if let Some(cidr) = rule["cidr_ipv4"].as_str() {
                permission = permission.ip_ranges(ec2t::IpRange::builder().cidr_ip(cidr).build());
            } else if let Some(source) = rule["source_group_id"].as_str() {
                permission = permission.user_id_group_pairs(
                    ec2t::UserIdGroupPair::builder()
                        .group_id(ids.known(source))
                        .build(),
                );
            } else {
                panic!("replay: rule peer of {rule}");
            }
            ec2.authorize_security_group_ingress()
                .group_id(ids.known(&text(group, "id")))
                .ip_permissions(permission.build())
                .send()
                .await
                .unwrap();
        }
    }
}

fn template_data(version: &Value, ids: &Replayed) -> ec2t::RequestLaunchTemplateData {
    let mut interface = ec2t::LaunchTemplateInstanceNetworkInterfaceSpecificationRequest::builder()
        .device_index(0)
        .associate_public_ip_address(version["associate_public_ip"] == true);
    for group in texts(version, "security_group_ids") {
        interface = interface.groups(ids.known(&group));
    }
    let mut data = ec2t::RequestLaunchTemplateData::builder()
        .image_id(ids.known(&text(version, "image_id")))
        .instance_type(ec2t::InstanceType::from(
            text(version, "instance_type").as_str(),
        ))
        .network_interfaces(interface.build());
    if version["has_user_data"] == true {
        data = data.user_data(USER_DATA);
    }
    if let Some(key) = version["key_name"].as_str() {
        data = data.key_name(key);
    }
    data.build()
}

async fn launch_settings(clients: &Clients, document: &Value, ids: &mut Replayed) {
    let ec2 = &clients.ec2;
    for template in items(document, "launch_templates") {
        let name = text(template, "name");
        let versions = template["versions"].as_array().unwrap();
        for (n, version) in versions.iter().enumerate() {
            assert_eq!(
                int(version, "version_number") as usize,
                n + 1,
                "replay: {template}"
            );
            if n == 0 {
                let created = ec2
                    .create_launch_template()
                    .launch_template_name(&name)
                    .launch_template_data(template_data(version, ids))
                    .send()
                    .await
                    .unwrap();
                let id = created
                    .launch_template()
                    .unwrap()
                    .launch_template_id()
                    .unwrap();
                ids.map(&text(template, "id"), id);
            } else {
                // Full data in every version: moto ignores `SourceVersion`.
                ec2.create_launch_template_version()
                    .launch_template_name(&name)
                    .launch_template_data(template_data(version, ids))
                    .send()
                    .await
                    .unwrap();
            }
        }
        ec2.modify_launch_template()
            .launch_template_name(&name)
            .default_version(int(template, "default_version").to_string())
            .send()
            .await
            .unwrap();
    }
    for configuration in items(document, "launch_configurations") {
        let groups: Vec<String> = texts(configuration, "security_group_ids")
            .iter()
            .map(|g| ids.known(g))
            .collect();
        let mut request = clients
            .autoscaling
            .create_launch_configuration()
            .launch_configuration_name(text(configuration, "name"))
            .image_id(ids.known(&text(configuration, "image_id")))
            .instance_type(text(configuration, "instance_type"))
            .set_security_groups(Some(groups))
            .associate_public_ip_address(configuration["associate_public_ip"] == true);
        if configuration["has_user_data"] == true {
            request = request.user_data(USER_DATA);
        }
        request.send().await.unwrap();
    }
}

/// A lone instance as the document has it (public: an Elastic IP at its address); its id.
async fn run_instance(ec2: &aws_sdk_ec2::Client, instance: &Value, ids: &Replayed) -> String {
    assert_eq!(instance["state"], "running", "replay: {instance}");
    let mut interface = ec2t::InstanceNetworkInterfaceSpecification::builder()
        .device_index(0)
        .subnet_id(ids.known(&text(instance, "subnet_id")))
        .private_ip_address(text(instance, "private_ip"))
        .associate_public_ip_address(false);
    for group in texts(instance, "security_group_ids") {
        interface = interface.groups(ids.known(&group));
    }
    let mut tags = ec2t::TagSpecification::builder().resource_type(ec2t::ResourceType::Instance);
    for (key, value) in instance["tags"].as_object().unwrap() {
        // AWS sets this tag itself when the group attaches the instance.
        if key != "aws:autoscaling:groupName" {
            tags = tags.tags(
                ec2t::Tag::builder()
                    .key(key)
                    .value(value.as_str().unwrap())
                    .build(),
            );
        }
    }
    let created = ec2
        .run_instances()
        .image_id(ids.known(&text(instance, "image_id")))
        .instance_type(ec2t::InstanceType::from(
            text(instance, "instance_type").as_str(),
        ))
        .key_name(text(instance, "key_name"))
        .min_count(1)
        .max_count(1)
        .network_interfaces(interface.build())
        .tag_specifications(tags.build())
        .send()
        .await
        .unwrap();
    let id = created.instances()[0].instance_id().unwrap().to_owned();
    if let Some(address) = instance["public_ip"].as_str() {
        let allocated = ec2
            .allocate_address()
            .address(address)
            .send()
            .await
            .unwrap();
        ec2.associate_address()
            .allocation_id(allocated.allocation_id().unwrap())
            .instance_id(&id)
            .send()
            .await
            .unwrap();
    }
    if instance["source_dest_check"] == false {
        ec2.modify_instance_attribute()
            .instance_id(&id)
            .source_dest_check(ec2t::AttributeBooleanValue::builder().value(false).build())
            .send()
            .await
            .unwrap();
    }
    id
}

/// Auto Scaling groups with their instances where AWS would run them: created empty, each
/// instance launched in its own subnet and attached, then sized (moto would launch them all
/// into the first subnet and the default security group).
async fn groups(clients: &Clients, document: &Value, ids: &mut Replayed) {
    for group in items(document, "auto_scaling_groups") {
        let name = text(group, "name");
        let subnets: Vec<String> = texts(group, "subnet_ids")
            .iter()
            .map(|s| ids.known(s))
            .collect();
        let mut request = clients
            .autoscaling
            .create_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .min_size(0)
            .max_size(int(group, "max_size"))
            .desired_capacity(0)
            .vpc_zone_identifier(subnets.join(","))
            .health_check_type(text(group, "health_check_type"))
            .health_check_grace_period(int(group, "health_check_grace_period"))
            .set_target_group_arns(Some(
                texts(group, "target_group_arns")
                    .iter()
                    .map(|arn| ids.known(arn))
                    .collect(),
            ))
            .set_load_balancer_names(Some(texts(group, "load_balancer_names")));
        if let Some(template) = group["launch_template"].as_object() {
            request = request.launch_template(
                ast::LaunchTemplateSpecification::builder()
                    .launch_template_name(template["name"].as_str().unwrap())
                    .version(template["version"].as_str().unwrap())
                    .build(),
            );
        } else if let Some(configuration) = group["launch_configuration_name"].as_str() {
            request = request.launch_configuration_name(configuration);
        } else {
            // Launched by another system (EKS, a worker fleet): a template of its own.
            let template = format!("{name}-nodes");
            clients
                .ec2
                .create_launch_template()
                .launch_template_name(&template)
                .launch_template_data(
                    ec2t::RequestLaunchTemplateData::builder()
                        .image_id(MOTO_IMAGE)
                        .instance_type(ec2t::InstanceType::T3Small)
                        .build(),
                )
                .send()
                .await
                .unwrap();
            request = request.launch_template(
                ast::LaunchTemplateSpecification::builder()
                    .launch_template_name(template)
                    .version("$Latest")
                    .build(),
            );
        }
        for (key, value) in group["tags"].as_object().unwrap() {
            request = request.tags(
                ast::Tag::builder()
                    .key(key)
                    .value(value.as_str().unwrap())
                    .resource_id(&name)
                    .resource_type("auto-scaling-group")
                    .propagate_at_launch(true)
                    .build(),
            );
        }
        request.send().await.unwrap();
        let members: Vec<&Value> = items(document, "instances")
            .iter()
            .filter(|i| i["auto_scaling_group"].as_str() == Some(name.as_str()))
            .collect();
        let mut launched = Vec::new();
        for instance in &members {
            let id = run_instance(&clients.ec2, instance, ids).await;
            ids.map(&text(instance, "id"), &id);
            launched.push(id);
        }
        if !launched.is_empty() {
            clients
                .autoscaling
                .attach_instances()
                .auto_scaling_group_name(&name)
                .set_instance_ids(Some(launched))
                .send()
                .await
                .unwrap();
        }
        clients
            .autoscaling
            .update_auto_scaling_group()
            .auto_scaling_group_name(&name)
            .min_size(int(group, "min_size"))
            .desired_capacity(int(group, "desired_capacity"))
            .send()
            .await
            .unwrap();
    }
}

/// The network interface that holds an `ip` target's address (a task's): in the document's
/// subnet whose block holds it, in the target's security groups.
async fn address_interface(
    clients: &Clients,
    document: &Value,
    ids: &Replayed,
    address: &str,
    target: &Value,
) {
    let subnet = items(document, "subnets")
        .iter()
        .find(|s| {
            hacheck::apps::ipv4_cidr_contains(&text(s, "cidr_block"), &format!("{address}/32"))
        })
        .unwrap_or_else(|| panic!("replay: no subnet holds {address}"));
    let groups: Vec<String> = texts(target, "security_group_ids")
        .iter()
        .map(|g| ids.known(g))
        .collect();
    clients
        .ec2
        .create_network_interface()
        .subnet_id(ids.known(&text(subnet, "id")))
        .private_ip_address(address)
        .set_groups(Some(groups))
        .send()
        .await
        .unwrap();
}

/// Targets and registered instances as the document lists them (attaching a group
/// registers its instances already; registering again changes nothing).
async fn registrations(clients: &Clients, document: &Value, ids: &Replayed) {
    for group in items(document, "target_groups") {
        let mut request = clients
            .elbv2
            .register_targets()
            .target_group_arn(ids.known(&text(group, "arn")));
        let targets = group["targets"].as_array().unwrap();
        for target in targets {
            let id = text(target, "id");
            let live = match group["target_type"].as_str() {
                Some("ip") => {
                    address_interface(clients, document, ids, &id, target).await;
                    id
                }
                Some("lambda") => id,
                _ => ids.known(&id),
            };
            request = request.targets(
                elbv2t::TargetDescription::builder()
                    .id(live)
                    .set_port(target["port"].as_i64().map(|p| p as i32))
                    .build(),
            );
        }
        if !targets.is_empty() {
            request.send().await.unwrap();
        }
    }
    for lb in items(document, "classic_load_balancers") {
        let instances = texts(lb, "instance_ids");
        if instances.is_empty() {
            continue;
        }
        let mut request = clients
            .elb
            .register_instances_with_load_balancer()
            .load_balancer_name(text(lb, "name"));
        for instance in instances {
            request = request.instances(
                elbt::Instance::builder()
                    .instance_id(ids.known(&instance))
                    .build(),
            );
        }
        request.send().await.unwrap();
    }
}

async fn databases(rds: &aws_sdk_rds::Client, document: &Value, ids: &Replayed) {
    for group in items(document, "db_subnet_groups") {
        rds.create_db_subnet_group()
            .db_subnet_group_name(text(group, "name"))
            .db_subnet_group_description("replayed")
            .set_subnet_ids(Some(
                texts(group, "subnet_ids")
                    .iter()
                    .map(|s| ids.known(s))
                    .collect(),
            ))
            .send()
            .await
            .unwrap();
    }
    let groups_of = |value: &Value| -> Vec<String> {
        texts(value, "security_group_ids")
            .iter()
            .map(|g| ids.known(g))
            .collect()
    };
    for cluster in items(document, "db_clusters") {
        let mut request = rds
            .create_db_cluster()
            .db_cluster_identifier(text(cluster, "id"))
            .engine(text(cluster, "engine"))
            .engine_version(text(cluster, "engine_version"))
            .master_username("app")
            .master_user_password("replayed-secret")
            .storage_encrypted(cluster["storage_encrypted"] == true)
            .set_backup_retention_period(
                cluster["backup_retention_period"]
                    .as_i64()
                    .map(|d| d as i32),
            )
            .set_vpc_security_group_ids(Some(groups_of(cluster)))
            .db_subnet_group_name(text(cluster, "subnet_group"));
        if let Some(class) = cluster["instance_class"].as_str() {
            // A Multi-AZ DB cluster: provisioned storage of its own.
            request = request
                .db_cluster_instance_class(class)
                .allocated_storage(100)
                .storage_type("io1")
                .iops(1000);
        }
        request.send().await.unwrap();
    }
    for db in items(document, "db_instances") {
        let mut request = rds
            .create_db_instance()
            .db_instance_identifier(text(db, "id"))
            .db_instance_class(text(db, "instance_class"))
            .engine(text(db, "engine"))
            .availability_zone(text(db, "availability_zone"))
            .publicly_accessible(db["publicly_accessible"] == true)
            .db_subnet_group_name(text(db, "subnet_group"));
        if let Some(cluster) = db["cluster_id"].as_str() {
            request = request.db_cluster_identifier(cluster);
        } else {
            request = request
                .engine_version(text(db, "engine_version"))
                .allocated_storage(20)
                .master_username("app")
                .master_user_password("replayed-secret")
                .multi_az(db["multi_az"] == true)
                .storage_encrypted(db["storage_encrypted"] == true)
                .backup_retention_period(int(db, "backup_retention_period"))
                .set_vpc_security_group_ids(Some(groups_of(db)));
            if db["multi_az"] == true {
                request = request.set_availability_zone(None);
            }
        }
        request.send().await.unwrap();
    }
}

async fn monitoring(clients: &Clients, document: &Value, ids: &mut Replayed) {
    for topic in items(document, "sns_topics") {
        let arn = clients
            .sns
            .create_topic()
            .name(text(topic, "name"))
            .send()
            .await
            .unwrap()
            .topic_arn()
            .unwrap()
            .to_owned();
        assert_eq!(arn, text(topic, "arn"), "replay: topic ARNs are AWS's own");
        for subscription in topic["subscriptions"].as_array().unwrap() {
            // moto confirms every subscription at once: an unconfirmed one cannot be built.
            assert_eq!(subscription["confirmed"], true, "replay: {subscription}");
            clients
                .sns
                .subscribe()
                .topic_arn(&arn)
                .protocol(text(subscription, "protocol"))
                .endpoint(text(subscription, "endpoint"))
                .send()
                .await
                .unwrap();
        }
    }
    for subscription in items(document, "event_subscriptions") {
        // moto leaves a subscription disabled unless told (AWS enables it).
        clients
            .rds
            .create_event_subscription()
            .subscription_name(text(subscription, "name"))
            .sns_topic_arn(text(subscription, "sns_topic_arn"))
            .source_type(text(subscription, "source_type"))
            .set_source_ids(Some(texts(subscription, "source_ids")))
            .set_event_categories(Some(texts(subscription, "event_categories")))
            .enabled(subscription["enabled"] == true)
            .send()
            .await
            .unwrap();
    }
    for policy in items(document, "scaling_policies") {
        let group = text(policy, "auto_scaling_group");
        let name = text(policy, "name");
        let mut request = clients
            .autoscaling
            .put_scaling_policy()
            .auto_scaling_group_name(&group)
            .policy_name(&name)
            .policy_type(text(policy, "policy_type"));
        match policy["policy_type"].as_str().unwrap() {
            "SimpleScaling" => {
                request = request
                    .adjustment_type(text(policy, "adjustment_type"))
                    .scaling_adjustment(int(policy, "scaling_adjustment"));
            }
            "TargetTrackingScaling" => {
                let tracking = &policy["target_tracking"];
                let mut configuration = ast::TargetTrackingConfiguration::builder()
                    .target_value(tracking["target_value"].as_f64().unwrap())
                    .disable_scale_in(tracking["disable_scale_in"] == true);
                configuration = match tracking["predefined_metric"].as_str() {
                    Some(metric) => configuration.predefined_metric_specification(
                        ast::PredefinedMetricSpecification::builder()
                            .predefined_metric_type(ast::MetricType::from(metric))
                            .build(),
                    ),
                    // Not the group's CPU: a queue depth.
                    None => configuration.customized_metric_specification(
                        ast::CustomizedMetricSpecification::builder()
                            .namespace("AWS/SQS")
                            .metric_name("ApproximateNumberOfMessagesVisible")
                            .statistic(ast::MetricStatistic::Average)
                            .build(),
                    ),
                };
                request = request.target_tracking_configuration(configuration.build());
            }
            other => panic!("replay: policy type `{other}`"),
        }
        request.send().await.unwrap();
        // moto's reply has no PolicyARN (notes/moto-quirks.md): read it back.
        let found = clients
            .autoscaling
            .describe_policies()
            .auto_scaling_group_name(&group)
            .policy_names(&name)
            .send()
            .await
            .unwrap();
        ids.map(
            &text(policy, "arn"),
            found.scaling_policies()[0].policy_arn().unwrap(),
        );
    }
    for alarm in items(document, "metric_alarms") {
        use aws_sdk_cloudwatch::types as cwt;
        let mut request = clients
            .cloudwatch
            .put_metric_alarm()
            .alarm_name(text(alarm, "name"))
            .namespace(text(alarm, "namespace"))
            .metric_name(text(alarm, "metric_name"))
            .statistic(cwt::Statistic::from(text(alarm, "statistic").as_str()))
            .period(int(alarm, "period"))
            .evaluation_periods(int(alarm, "evaluation_periods"))
            .threshold(alarm["threshold"].as_f64().unwrap())
            .comparison_operator(cwt::ComparisonOperator::from(
                text(alarm, "comparison_operator").as_str(),
            ))
            .actions_enabled(alarm["actions_enabled"] == true);
        for (name, value) in alarm["dimensions"].as_object().unwrap() {
            request = request.dimensions(
                cwt::Dimension::builder()
                    .name(name)
                    .value(value.as_str().unwrap())
                    .build(),
            );
        }
        for action in texts(alarm, "alarm_actions") {
            request = request.alarm_actions(ids.live(&action));
        }
        request.send().await.unwrap();
    }
}

/// `name` in the form the document stores it (`dualstack.`, letter case, final dot) with
/// the live load balancer's DNS name in place of the document's.
fn alias_in_form(stored: &str, ids: &Replayed) -> String {
    let lower = stored.to_lowercase();
    let dualstack = lower.starts_with("dualstack.");
    let bare = lower.trim_start_matches("dualstack.").trim_end_matches('.');
    let mut live = ids.known(bare);
    if dualstack {
        live = format!("dualstack.{live}");
    }
    if stored.chars().any(|c| c.is_ascii_uppercase()) {
        live = live.to_uppercase();
    }
    if stored.ends_with('.') {
        live.push('.');
    }
    live
}

async fn records(clients: &Clients, document: &Value, ids: &Replayed) {
    let mut zones = HashMap::new();
    for zone in items(document, "hosted_zones") {
        assert_eq!(zone["private"], false, "replay: {zone}");
        let created = clients
            .route53
            .create_hosted_zone()
            .name(text(zone, "name"))
            .caller_reference(text(zone, "id"))
            .send()
            .await
            .unwrap();
        let id = created
            .hosted_zone()
            .unwrap()
            .id()
            .trim_start_matches("/hostedzone/");
        zones.insert(text(zone, "id"), id.to_owned());
    }
    for record in items(document, "record_sets") {
        let mut set = r53t::ResourceRecordSet::builder()
            .name(text(record, "name"))
            .r#type(r53t::RrType::from(text(record, "record_type").as_str()));
        if let Some(target) = record["alias_target"].as_object() {
            set = set.alias_target(
                r53t::AliasTarget::builder()
                    .dns_name(alias_in_form(target["dns_name"].as_str().unwrap(), ids))
                    .hosted_zone_id(target["hosted_zone_id"].as_str().unwrap())
                    .evaluate_target_health(target["evaluate_target_health"] == true)
                    .build()
                    .unwrap(),
            );
        } else {
            set = set.ttl(record["ttl"].as_i64().unwrap());
            for value in texts(record, "values") {
                set = set.resource_records(
                    r53t::ResourceRecord::builder()
                        .value(value)
                        .build()
                        .unwrap(),
                );
            }
        }
        let change = r53t::Change::builder()
            .action(r53t::ChangeAction::Create)
            .resource_record_set(set.build().unwrap())
            .build()
            .unwrap();
        clients
            .route53
            .change_resource_record_sets()
            .hosted_zone_id(&zones[&text(record, "zone_id")])
            .change_batch(
                r53t::ChangeBatch::builder()
                    .changes(change)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
}
