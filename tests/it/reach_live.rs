//! A fix never takes an application offline, against moto: an internet-facing Network Load
//! Balancer without security groups (its targets admit 443 from the world, as AWS
//! requires) and a legacy web server (public address, an A record, 80/443 open to the world)
//! in one VPC, three ALB applications in another VPC of the same region. `fix --apply
//! --unsafe` must leave every application reachable on the ports it served before.

use aws_sdk_elasticloadbalancingv2::types as elbt;

use crate::support::moto::Moto;
use crate::support::seed::{
    route_to_new_internet_gateway, security_group, vpc_with_private_subnets,
};
use crate::support::{assert_exit, stdout};

const IMAGE: &str = "ami-12c6146b";

async fn instance(
    ec2: &aws_sdk_ec2::Client,
    subnet: &str,
    group: &str,
    public: bool,
    name: &str,
) -> String {
    crate::support::seed::instance(ec2, IMAGE, subnet, group, public, name).await
}

/// An internet-facing load balancer forwarding `port` to `targets` on `port`: its ARN.
#[allow(clippy::too_many_arguments)]
async fn load_balancer(
    elb: &aws_sdk_elasticloadbalancingv2::Client,
    name: &str,
    kind: elbt::LoadBalancerTypeEnum,
    vpc: &str,
    subnets: &[String],
    groups: &[String],
    port: i32,
    targets: &[String],
) -> String {
    let protocol = if kind == elbt::LoadBalancerTypeEnum::Network {
        elbt::ProtocolEnum::Tcp
    } else {
        elbt::ProtocolEnum::Http
    };
    let lb = elb
        .create_load_balancer()
        .name(name)
        .r#type(kind)
        .scheme(elbt::LoadBalancerSchemeEnum::InternetFacing)
        .set_subnets(Some(subnets.to_vec()))
        .set_security_groups((!groups.is_empty()).then(|| groups.to_vec()))
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .unwrap()
        .to_owned();
    let tg = elb
        .create_target_group()
        .name(format!("{name}-tg"))
        .protocol(protocol.clone())
        .port(port)
        .vpc_id(vpc)
        .target_type(elbt::TargetTypeEnum::Instance)
        .send()
        .await
        .unwrap();
    let tg_arn = tg.target_groups()[0].target_group_arn().unwrap().to_owned();
    let mut register = elb.register_targets().target_group_arn(&tg_arn);
    for id in targets {
        register = register.targets(elbt::TargetDescription::builder().id(id).port(port).build());
    }
    register.send().await.unwrap();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(protocol)
        .port(port)
        .default_actions(
            elbt::Action::builder()
                .r#type(elbt::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    lb_arn
}

/// (port, peer) of every inbound rule of `group`: a CIDR or a group id.
async fn ingress(ec2: &aws_sdk_ec2::Client, group: &str) -> Vec<(i32, String)> {
    let groups = ec2
        .describe_security_groups()
        .group_ids(group)
        .send()
        .await
        .unwrap();
    let mut rules = Vec::new();
    for permission in groups.security_groups()[0].ip_permissions() {
        let port = permission.from_port().unwrap_or(-1);
        for range in permission.ip_ranges() {
            rules.push((port, range.cidr_ip().unwrap().to_owned()));
        }
        for pair in permission.user_id_group_pairs() {
            rules.push((port, pair.group_id().unwrap().to_owned()));
        }
    }
    rules.sort();
    rules
}

struct Account {
    nlb_app: String,
    legacy: String,
    /// (load balancer group, app group) of each ALB application.
    albs: Vec<(String, String)>,
}

async fn seed(moto: &Moto) -> Account {
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let route53 = aws_sdk_route53::Client::new(&config);

    let (vpc_a, subnets_a) = vpc_with_private_subnets(
        &ec2,
        "10.1.0.0/16",
        &[("10.1.0.0/24", "us-east-1a"), ("10.1.1.0/24", "us-east-1b")],
    )
    .await;
    route_to_new_internet_gateway(&ec2, &vpc_a, &subnets_a).await;
    let nlb_app = security_group(&ec2, &vpc_a, "nlb-app", &[(443, "0.0.0.0/0")]).await;
    let mut nlb_targets = Vec::new();
    for (n, subnet) in subnets_a.iter().enumerate() {
        nlb_targets.push(instance(&ec2, subnet, &nlb_app, false, &format!("tls-{n}")).await);
    }
    load_balancer(
        &elb,
        "tls-nlb",
        elbt::LoadBalancerTypeEnum::Network,
        &vpc_a,
        &subnets_a,
        &[],
        443,
        &nlb_targets,
    )
    .await;
    let legacy = security_group(
        &ec2,
        &vpc_a,
        "legacy-web",
        &[(80, "0.0.0.0/0"), (443, "0.0.0.0/0")],
    )
    .await;
    let legacy_instance = instance(&ec2, &subnets_a[0], &legacy, true, "legacy").await;
    let legacy_ip = ec2
        .describe_instances()
        .instance_ids(&legacy_instance)
        .send()
        .await
        .unwrap()
        .reservations()[0]
        .instances()[0]
        .public_ip_address()
        .unwrap()
        .to_owned();
    let zone = route53
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("reach-live")
        .send()
        .await
        .unwrap()
        .hosted_zone()
        .unwrap()
        .id()
        .to_owned();
    crate::support::seed::a_record(&route53, &zone, "legacy.example.com", &legacy_ip).await;

    let (vpc_b, subnets_b) = vpc_with_private_subnets(
        &ec2,
        "10.2.0.0/16",
        &[("10.2.0.0/24", "us-east-1a"), ("10.2.1.0/24", "us-east-1b")],
    )
    .await;
    route_to_new_internet_gateway(&ec2, &vpc_b, &subnets_b).await;
    let mut albs = Vec::new();
    for name in ["checkout", "api", "blog"] {
        let lb_group =
            security_group(&ec2, &vpc_b, &format!("{name}-lb"), &[(80, "0.0.0.0/0")]).await;
        let app_group = security_group(
            &ec2,
            &vpc_b,
            &format!("{name}-app"),
            &[(80, lb_group.as_str())],
        )
        .await;
        let target = instance(&ec2, &subnets_b[0], &app_group, false, name).await;
        load_balancer(
            &elb,
            &format!("{name}-lb"),
            elbt::LoadBalancerTypeEnum::Application,
            &vpc_b,
            &subnets_b,
            std::slice::from_ref(&lb_group),
            80,
            &[target],
        )
        .await;
        albs.push((lb_group, app_group));
    }
    Account {
        nlb_app,
        legacy,
        albs,
    }
}

#[tokio::test]
async fn fixing_the_account_leaves_every_application_reachable_on_its_ports() {
    let moto = Moto::start();
    let account = seed(&moto).await;
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
    let before_nlb = ingress(&ec2, &account.nlb_app).await;
    let before_legacy = ingress(&ec2, &account.legacy).await;

    // The NLB's targets admitting the clients on its listener port is right, not a finding.
    let scan = moto
        .hacheck()
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&scan)).unwrap();
    let ha009 = |group: &str| -> Vec<String> {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rule_id"] == "HA009" && r["resource"]["id"] == group)
            .map(|r| r["status"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ha009(&account.nlb_app), vec!["pass"], "{report:#}");
    assert_eq!(ha009(&account.legacy), vec!["fail"]);

    let dir = tempfile::tempdir().unwrap();
    let output = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--journal"])
        .arg(dir.path().join("journal.json"))
        .output()
        .unwrap();
    let plan = stdout(&output);
    assert!(
        output.status.code() != Some(2),
        "the fix failed: {plan}\n{}",
        crate::support::stderr(&output)
    );
    // The legacy server has no load balancer: the plan says what to do first instead.
    assert!(
        plan.contains("put a load balancer in front of the application first"),
        "{plan}"
    );

    assert_eq!(ingress(&ec2, &account.nlb_app).await, before_nlb, "{plan}");
    assert_eq!(
        ingress(&ec2, &account.legacy).await,
        before_legacy,
        "{plan}"
    );
    for (lb_group, app_group) in &account.albs {
        let rules = ingress(&ec2, app_group).await;
        assert!(
            rules.contains(&(80, lb_group.clone())),
            "{app_group} lost its load balancer: {rules:?}"
        );
        let others: Vec<&(String, String)> = account
            .albs
            .iter()
            .filter(|(lb, _)| lb != lb_group)
            .collect();
        assert!(
            !rules
                .iter()
                .any(|(_, peer)| others.iter().any(|(lb, _)| lb == peer)),
            "{app_group} admits another application's load balancer: {rules:?}"
        );
    }
    for group in [&account.nlb_app, &account.legacy] {
        let rules = ingress(&ec2, group).await;
        assert!(
            !rules
                .iter()
                .any(|(_, peer)| account.albs.iter().any(|(lb, _)| lb == peer)),
            "{group} admits a load balancer of another VPC: {rules:?}"
        );
    }
}

#[tokio::test]
async fn two_public_web_servers_behind_one_group_are_one_application_and_both_fail() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = vpc_with_private_subnets(
        &ec2,
        "10.3.0.0/16",
        &[("10.3.0.0/24", "us-east-1a"), ("10.3.1.0/24", "us-east-1b")],
    )
    .await;
    route_to_new_internet_gateway(&ec2, &vpc, &subnets).await;
    let web = security_group(
        &ec2,
        &vpc,
        "web-8080",
        &[(8080, "0.0.0.0/0"), (22, "0.0.0.0/0")],
    )
    .await;
    let first = instance(&ec2, &subnets[0], &web, true, "web-1").await;
    let second = instance(&ec2, &subnets[1], &web, true, "web-2").await;
    // A lone public instance serving 8080, in no DNS name and another group: its own entry.
    let lone_group = security_group(&ec2, &vpc, "lone-8080", &[(8080, "0.0.0.0/0")]).await;
    let lone = instance(&ec2, &subnets[0], &lone_group, true, "lone").await;

    let output = moto
        .hacheck()
        .args(["apps", "--format", "json"])
        .output()
        .unwrap();
    let apps: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let app_of = |id: &str| -> Vec<String> {
        apps["applications"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| {
                a["members"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| m["id"] == id && m["role"] == "instance")
            })
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(app_of(&first).len(), 1, "{apps:#}");
    assert_eq!(app_of(&first), app_of(&second), "{apps:#}");
    assert_eq!(app_of(&lone).len(), 1, "{apps:#}");
    assert_ne!(app_of(&lone), app_of(&first));

    let output = moto
        .hacheck()
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let failing = crate::support::moto::failing_results(&report);
    for id in [&first, &second, &lone] {
        for rule in ["HA001", "HA002"] {
            assert!(
                failing.contains(&format!("{rule} {id}")),
                "{rule} {id} not reported: {failing:#?}"
            );
        }
    }
}
