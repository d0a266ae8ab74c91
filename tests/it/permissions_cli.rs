//! `hacheck permissions`: the read actions of a scan — exactly the calls a scan makes,
//! checked against a moto account that has every kind of resource — what a saved plan's
//! actions call, and an audit-role template that cfn-lint accepts.

use std::collections::BTreeSet;

use crate::support::{assert_exit, hacheck, stdout};

fn policy_actions(document: &serde_json::Value, sid: &str) -> Vec<String> {
    document["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == sid)
        .map(|s| {
            s["Action"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A generated account with every kind of resource a scan reads (Classic and ELBv2 load
/// balancers, alarms and topics, databases, records), built in moto and collected: the
/// calls made are the policy's actions, no more (a denied call would be a warning) and no
/// fewer (an action never called is a permission too many).
#[tokio::test]
async fn a_scan_calls_exactly_the_read_actions_the_policy_grants() {
    let moto = crate::support::moto::Moto::start();
    let document = crate::generated::account_with_every_kind();
    crate::support::replay::replay(&moto, &document).await;
    // A rule from a prefix list, whose entries a scan reads.
    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config().await);
    let list = ec2
        .create_managed_prefix_list()
        .prefix_list_name("office")
        .max_entries(1)
        .address_family("IPv4")
        .entries(
            aws_sdk_ec2::types::AddPrefixListEntry::builder()
                .cidr("203.0.113.0/24")
                .build(),
        )
        .send()
        .await
        .unwrap()
        .prefix_list()
        .and_then(|l| l.prefix_list_id())
        .unwrap()
        .to_owned();
    let group = ec2
        .describe_security_groups()
        .send()
        .await
        .unwrap()
        .security_groups()[0]
        .group_id()
        .unwrap()
        .to_owned();
    ec2.authorize_security_group_ingress()
        .group_id(group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .prefix_list_ids(
                    aws_sdk_ec2::types::PrefixListId::builder()
                        .prefix_list_id(list)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    // A launch template naming a key pair, which a scan looks up by name.
    ec2.create_key_pair().key_name("ops").send().await.unwrap();
    ec2.create_launch_template()
        .launch_template_name("with-key")
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder()
                .image_id("ami-12c6146b")
                .key_name("ops")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let context = hacheck::collect::AwsContext {
        base: moto.sdk_config().await,
        regions: vec![crate::support::moto::REGION.to_owned()],
        calls: hacheck::collect::CallCounter::default(),
        account: None,
    };
    let inventory = hacheck::collect::collect(&context, &|_, _, _, _| {})
        .await
        .unwrap();
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    let called: BTreeSet<String> = context
        .calls
        .operations()
        .into_iter()
        .filter(|action| action != "sts:GetCallerIdentity") // needs no permission
        .collect();

    let output = hacheck().arg("permissions").output().unwrap();
    assert_exit(&output, 0);
    let policy: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let granted: BTreeSet<String> = policy_actions(&policy, "HacheckScan").into_iter().collect();
    assert_eq!(called, granted);
}

#[test]
fn a_plan_adds_what_its_actions_call_and_the_role_template_passes_cfn_lint() {
    let dir = tempfile::tempdir().unwrap();
    let plan = dir.path().join("plan.json");
    let output = hacheck()
        .args(["fix", "--example", "single-server", "--out"])
        .arg(&plan)
        .output()
        .unwrap();
    assert!(plan.exists(), "{}", crate::support::stderr(&output));
    let output = hacheck()
        .args(["permissions", "--organization", "--plan"])
        .arg(&plan)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let policy: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let fix = policy_actions(&policy, "HacheckFix");
    assert!(!fix.is_empty(), "{policy}");
    assert!(fix.iter().all(|a| a.contains(':')), "{fix:?}");
    assert_eq!(
        policy_actions(&policy, "HacheckOrganization"),
        [
            "organizations:ListAccounts",
            "organizations:ListAccountsForParent",
            "organizations:ListOrganizationalUnitsForParent",
            "sts:AssumeRole"
        ]
    );

    let output = hacheck()
        .args([
            "permissions",
            "--format",
            "cloudformation",
            "--external-id",
            "audit-2026",
        ])
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let template = dir.path().join("audit-role.json");
    std::fs::write(&template, stdout(&output)).unwrap();
    let lint = std::process::Command::new(crate::support::moto::venv_tool("cfn-lint"))
        .arg(&template)
        .output()
        .expect("cfn-lint comes with moto");
    assert!(
        lint.status.success(),
        "{}{}",
        stdout(&lint),
        crate::support::stderr(&lint)
    );
}
