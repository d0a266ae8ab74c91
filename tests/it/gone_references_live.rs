//! What an Auto Scaling group names and AWS no longer has, against moto: the collector asks
//! for each target group and Classic Load Balancer a group names (HA030), and each security
//! group and key pair its launch settings name (HA035), that the inventory lacks, records
//! those AWS answers "not found" for, and the rule names them.
//! (The generated accounts carry this shape offline; moto refuses to change such a group,
//! so they do not take it through a fix.)

use aws_sdk_elasticloadbalancing::types as elbt;
use aws_sdk_elasticloadbalancingv2::types as elbv2t;
use hacheck::inventory::{Inventory, NotFound};

use crate::support::moto::{Moto, REGION};
use crate::support::seed::{private_launch_template, security_group, vpc_with_private_subnets};
use crate::support::{assert_exit, stdout};

#[tokio::test]
async fn a_deleted_target_group_and_load_balancer_a_group_names_fail_ha030() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let elbv2 = aws_sdk_elasticloadbalancingv2::Client::new(&config);
    let elb = aws_sdk_elasticloadbalancing::Client::new(&config);
    let (vpc, subnets) = two_zone_vpc(&ec2, 7).await;
    let group = security_group(&ec2, &vpc, "web", &[]).await;
    private_launch_template(&ec2, "web", "", &group).await;

    let mut target_groups = Vec::new();
    for name in ["kept-tg", "gone-tg"] {
        let created = elbv2
            .create_target_group()
            .name(name)
            .protocol(elbv2t::ProtocolEnum::Http)
            .port(8080)
            .vpc_id(&vpc)
            .send()
            .await
            .unwrap();
        target_groups.push(
            created.target_groups()[0]
                .target_group_arn()
                .unwrap()
                .to_owned(),
        );
    }
    for name in ["kept-elb", "gone-elb"] {
        elb.create_load_balancer()
            .load_balancer_name(name)
            .set_subnets(Some(subnets.clone()))
            .listeners(
                elbt::Listener::builder()
                    .protocol("HTTP")
                    .load_balancer_port(80)
                    .instance_port(8080)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    empty_group(&aws_sdk_autoscaling::Client::new(&config), "web", &subnets)
        .set_target_group_arns(Some(target_groups.clone()))
        .load_balancer_names("kept-elb")
        .load_balancer_names("gone-elb")
        .send()
        .await
        .unwrap();
    // A clean-up deletes them and leaves them in the group, as AWS does.
    elbv2
        .delete_target_group()
        .target_group_arn(&target_groups[1])
        .send()
        .await
        .unwrap();
    elb.delete_load_balancer()
        .load_balancer_name("gone-elb")
        .send()
        .await
        .unwrap();

    let inventory = clean_inventory(&moto);
    assert_eq!(
        inventory.missing_target_groups,
        [gone_id(&target_groups[1])]
    );
    assert_eq!(
        inventory.missing_classic_load_balancers,
        [gone_id("gone-elb")]
    );

    // The group serves no application (no listener forwards to it): judged account-wide.
    let output = moto
        .hacheck()
        .args([
            "scan", "--scope", "account", "--select", "HA030", "--format", "json",
        ])
        .output()
        .unwrap();
    let report = crate::support::json_of_judged(&output);
    let result = &report["results"].as_array().unwrap()[0];
    assert_eq!(result["status"], "fail", "{result}");
    assert_eq!(
        result["message"],
        "Auto Scaling group web-asg names target group gone-tg, Classic Load Balancer gone-elb, \
         which AWS says no longer exists: its launches fail when it must replace or add an instance."
    );

    // Without the lookup's answer (an inventory of an earlier hacheck), nothing is claimed.
    let mut earlier = inventory.clone();
    earlier.missing_target_groups.clear();
    earlier.missing_classic_load_balancers.clear();
    let dir = tempfile::tempdir().unwrap();
    let snapshot = dir.path().join("earlier.json");
    std::fs::write(&snapshot, serde_json::to_string(&earlier).unwrap()).unwrap();
    let output = crate::support::hacheck()
        .args([
            "scan",
            "--scope",
            "account",
            "--select",
            "HA030",
            "--format",
            "json",
            "--inventory",
        ])
        .arg(&snapshot)
        .output()
        .unwrap();
    let report = crate::support::json_of_judged(&output);
    assert_eq!(report["results"][0]["status"], "unknown", "{report}");
}

#[tokio::test]
async fn a_deleted_security_group_and_key_pair_a_group_launches_with_fail_ha035() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let ec2 = aws_sdk_ec2::Client::new(&config);
    let (vpc, subnets) = two_zone_vpc(&ec2, 8).await;
    let kept = security_group(&ec2, &vpc, "kept", &[]).await;
    let gone = security_group(&ec2, &vpc, "gone", &[]).await;
    for key in ["ops", "ops-2019"] {
        ec2.create_key_pair().key_name(key).send().await.unwrap();
    }
    let launching = |name: &str, groups: &[&String], key: &str| {
        let request = ec2.create_launch_template().launch_template_name(name);
        let data = aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
            .image_id("ami-12c6146b")
            .key_name(key)
            .set_security_group_ids(Some(groups.iter().map(|g| g.to_string()).collect()));
        request.launch_template_data(data.build()).send()
    };
    launching("web", &[&kept, &gone], "ops-2019").await.unwrap();
    launching("api", &[&kept], "ops").await.unwrap();
    let autoscaling = aws_sdk_autoscaling::Client::new(&config);
    for name in ["web", "api"] {
        empty_group(&autoscaling, name, &subnets)
            .send()
            .await
            .unwrap();
    }
    // A clean-up deletes them and leaves them in the launch template, as AWS does.
    ec2.delete_security_group()
        .group_id(&gone)
        .send()
        .await
        .unwrap();
    ec2.delete_key_pair()
        .key_name("ops-2019")
        .send()
        .await
        .unwrap();

    let inventory = clean_inventory(&moto);
    assert_eq!(inventory.missing_security_groups, [gone_id(&gone)]);
    assert_eq!(inventory.missing_key_pairs, [gone_id("ops-2019")]);

    // The groups serve no application: judged account-wide.
    let output = moto
        .hacheck()
        .args([
            "scan", "--scope", "account", "--select", "HA035", "--format", "json",
        ])
        .output()
        .unwrap();
    let report = crate::support::json_of_judged(&output);
    let status = |group: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["resource"]["id"] == group)
            .unwrap_or_else(|| panic!("{group} judged: {report:#}"))
            .clone()
    };
    assert_eq!(status("api-asg")["status"], "pass");
    let web = status("web-asg");
    assert_eq!(web["status"], "fail", "{web}");
    assert!(
        web["message"].as_str().unwrap().contains(&format!(
            "with security group {gone} and key pair ops-2019, which AWS says no longer exist"
        )),
        "{web}"
    );
}

/// A live inventory of `moto`, collected without a warning.
fn clean_inventory(moto: &Moto) -> Inventory {
    let output = moto.hacheck().arg("inventory").output().unwrap();
    assert_exit(&output, 0);
    let inventory: Inventory = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    inventory
}

/// What AWS answered "not found" for in the tests' region.
fn gone_id(id: &str) -> NotFound {
    NotFound {
        id: id.to_owned(),
        region: REGION.to_owned(),
    }
}

/// A VPC `10.<octet>.0.0/16` with a private subnet in each of two zones.
async fn two_zone_vpc(ec2: &aws_sdk_ec2::Client, octet: u8) -> (String, Vec<String>) {
    let zones = [format!("{REGION}a"), format!("{REGION}b")];
    vpc_with_private_subnets(
        ec2,
        &format!("10.{octet}.0.0/16"),
        &[
            (&format!("10.{octet}.1.0/24"), &zones[0]),
            (&format!("10.{octet}.2.0/24"), &zones[1]),
        ],
    )
    .await
}

/// Group `<template>-asg` over `subnets`, launching launch template `template`'s latest
/// version, with no instance (moto need not launch any): a request to add to and send.
fn empty_group(
    autoscaling: &aws_sdk_autoscaling::Client,
    template: &str,
    subnets: &[String],
) -> aws_sdk_autoscaling::operation::create_auto_scaling_group::builders::CreateAutoScalingGroupFluentBuilder
{
    autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name(format!("{template}-asg"))
        .min_size(0)
        .max_size(2)
        .desired_capacity(0)
        .vpc_zone_identifier(subnets.join(","))
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder()
                .launch_template_name(template)
                .version("$Latest")
                .build(),
        )
}
