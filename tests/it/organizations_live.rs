//! Several accounts in one run against moto, which implements Organizations and keeps each
//! account's resources apart behind the credentials STS `AssumeRole` returns: the accounts
//! are listed (or named), entered through their role, judged one by one, and every result
//! names its account — the same names in two accounts are two resources.

use aws_sdk_ec2::config::Credentials;

use crate::support::moto::{ACCOUNT, Moto};
use crate::support::seed::{instance, security_group};
use crate::support::{assert_exit, stdout};

/// SDK configuration acting in `account` through its `OrganizationAccountAccessRole`.
async fn as_account(base: &aws_config::SdkConfig, account: &str) -> aws_config::SdkConfig {
    let assumed = aws_sdk_sts::Client::new(base)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("seed")
        .send()
        .await
        .unwrap();
    let keys = assumed.credentials().unwrap();
    base.to_builder()
        .credentials_provider(aws_sdk_ec2::config::SharedCredentialsProvider::new(
            Credentials::new(
                keys.access_key_id(),
                keys.secret_access_key(),
                Some(keys.session_token().to_owned()),
                None,
                "seed",
            ),
        ))
        .build()
}

/// An organisation (the moto account its management account) with members `shop` and
/// `blog`: their account ids.
async fn organization(config: &aws_config::SdkConfig) -> Vec<String> {
    let organizations = aws_sdk_organizations::Client::new(config);
    organizations
        .create_organization()
        .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let mut members = Vec::new();
    for name in ["shop", "blog"] {
        let created = organizations
            .create_account()
            .account_name(name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .unwrap();
        let status = created.create_account_status().unwrap();
        members.push(status.account_id().unwrap().to_owned());
    }
    members
}

/// A web server in the account's default VPC: group `web` open to the world on 8080, and
/// instance `web-1`, public (an application of one instance) or not (no application).
/// Returns (instance, group, VPC).
async fn web_server(config: &aws_config::SdkConfig, public: bool) -> (String, String, String) {
    let ec2 = aws_sdk_ec2::Client::new(config);
    let subnets = ec2.describe_subnets().send().await.unwrap();
    let subnet = &subnets.subnets()[0];
    let vpc = subnet.vpc_id().unwrap();
    let group = security_group(&ec2, vpc, "web", &[(8080, "0.0.0.0/0")]).await;
    let id = instance(
        &ec2,
        "ami-12c6146b",
        subnet.subnet_id().unwrap(),
        &group,
        public,
        "web-1",
    )
    .await;
    (id, group, vpc.to_owned())
}

fn failing_by_account(report: &serde_json::Value) -> Vec<(String, String, String)> {
    let mut found: Vec<(String, String, String)> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail")
        .map(|r| {
            (
                r["account"].as_str().unwrap().to_owned(),
                r["rule_id"].as_str().unwrap().to_owned(),
                r["resource"]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn an_organization_is_scanned_account_by_account_and_each_finding_stays_in_its_account() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let members = organization(&config).await;
    let (shop, blog) = (members[0].clone(), members[1].clone());
    // The same names in both accounts; only the shop's server is public.
    let (server, group, vpc) = web_server(&as_account(&config, &shop).await, true).await;
    web_server(&as_account(&config, &blog).await, false).await;

    let output = moto
        .hacheck()
        .args(["scan", "--organization", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let mut accounts: Vec<(String, String)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    accounts.sort();
    let mut expected = vec![
        (ACCOUNT.to_owned(), "scanned".to_owned()),
        (shop.clone(), "scanned".to_owned()),
        (blog.clone(), "scanned".to_owned()),
    ];
    expected.sort();
    assert_eq!(accounts, expected, "the management account is a member too");
    // A lone public server: public address, no group, open to the world, no bastion in
    // its VPC, nothing left when its zone goes.
    let fails = |rule: &str, id: &str| (shop.clone(), rule.to_owned(), id.to_owned());
    assert_eq!(
        failing_by_account(&report),
        vec![
            fails("HA001", &server),
            fails("HA002", &server),
            fails("HA009", &group),
            fails("HA011", &vpc),
            fails("HA018", &server),
        ],
        "the shop's server fails in the shop's account, and nothing in the others"
    );
    let names: Vec<&str> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["account_name"].as_str())
        .collect();
    assert!(
        names.contains(&"shop") && names.contains(&"blog"),
        "{names:?}"
    );

    // Named accounts, one excluded; SARIF carries the account.
    let output = moto
        .hacheck()
        .args([
            "scan",
            "--format",
            "sarif",
            "--account",
            &shop,
            "--account",
            &blog,
        ])
        .args(["--exclude-account", &blog])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let sarif: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for result in results {
        assert_eq!(result["properties"]["account"], shop.as_str(), "{result}");
    }

    // An account that cannot be entered is reported, the others are scanned, and the run
    // exits 2: an incomplete organisation is never taken for a clean one. (moto answers a
    // role in a malformed account id with the caller's own credentials; the identity check
    // refuses them, as it would AWS's AccessDenied.)
    let output = moto
        .hacheck()
        .args([
            "scan",
            "--format",
            "json",
            "--account",
            &shop,
            "--account",
            "abcdefabcdef",
        ])
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert!(
        err.contains("error: account abcdefabcdef was not scanned: the role's credentials are for account `123456789012`"),
        "{err}"
    );
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(report["summary"]["missing_accounts"], 1);
    assert_eq!(
        failing_by_account(&report).len(),
        5,
        "the shop is still judged"
    );

    // Shards 1/2 and 2/2 are disjoint, cover every account, and merged equal the run of
    // them all (results, accounts and exit status).
    let dir = tempfile::tempdir().unwrap();
    let mut shard_files = Vec::new();
    let mut shard_accounts = Vec::new();
    for shard in ["1/2", "2/2"] {
        let output = moto
            .hacheck()
            .args([
                "scan",
                "--organization",
                "--format",
                "json",
                "--shard",
                shard,
            ])
            .output()
            .unwrap();
        let part = crate::support::json_of_judged(&output);
        // A shard may hold no account (then the report lists none).
        let none = Vec::new();
        shard_accounts.extend(
            part["accounts"]
                .as_array()
                .unwrap_or(&none)
                .iter()
                .map(|a| a["account_id"].as_str().unwrap().to_owned()),
        );
        let file = dir.path().join(format!("shard-{}.json", &shard[..1]));
        std::fs::write(&file, stdout(&output)).unwrap();
        shard_files.push(file);
    }
    shard_accounts.sort();
    let mut all: Vec<String> = expected.iter().map(|(id, _)| id.clone()).collect();
    all.sort();
    assert_eq!(shard_accounts, all, "every account in exactly one shard");
    let merged = crate::support::hacheck()
        .args(["merge", "--format", "json"])
        .args(&shard_files)
        .output()
        .unwrap();
    assert_exit(&merged, 1);
    let merged: serde_json::Value = serde_json::from_str(&stdout(&merged)).unwrap();
    let whole = moto
        .hacheck()
        .args(["scan", "--organization", "--format", "json"])
        .output()
        .unwrap();
    let whole: serde_json::Value = serde_json::from_str(&stdout(&whole)).unwrap();
    assert_eq!(failing_by_account(&merged), failing_by_account(&whole));
    assert_eq!(merged["summary"], whole["summary"]);
    assert_eq!(merged["results"], whole["results"]);
    assert_eq!(merged["accounts"].as_array().unwrap().len(), 3);

    // The shards' SARIF logs merge into the whole run's alerts.
    let fingerprints = |log: &serde_json::Value| -> Vec<String> {
        let mut prints: Vec<String> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {}", r["ruleId"], r["partialFingerprints"]))
            .collect();
        prints.sort();
        prints
    };
    let mut logs = Vec::new();
    for shard in ["1/2", "2/2"] {
        let output = moto
            .hacheck()
            .args([
                "scan",
                "--organization",
                "--shard",
                shard,
                "--format",
                "sarif",
            ])
            .output()
            .unwrap();
        let file = dir.path().join(format!("shard-{}.sarif", &shard[..1]));
        std::fs::write(&file, stdout(&output)).unwrap();
        logs.push(file);
    }
    let merged_log = crate::support::hacheck()
        .args(["merge", "--format", "sarif"])
        .args(&logs)
        .output()
        .unwrap();
    assert_exit(&merged_log, 1);
    let merged_log: serde_json::Value = serde_json::from_str(&stdout(&merged_log)).unwrap();
    crate::scan_cli::validate(
        &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/sarif-schema-2.1.0.json"),
        &merged_log,
    );
    let whole_log = moto
        .hacheck()
        .args(["scan", "--organization", "--format", "sarif"])
        .output()
        .unwrap();
    let whole_log: serde_json::Value = serde_json::from_str(&stdout(&whole_log)).unwrap();
    assert_eq!(fingerprints(&merged_log), fingerprints(&whole_log));
    let mixed = crate::support::hacheck()
        .args(["merge", "--format", "sarif"])
        .arg(&logs[0])
        .arg(&shard_files[0])
        .output()
        .unwrap();
    assert!(assert_exit(&mixed, 2).contains("reports of one format at a time"));

    // One snapshot per account, judged offline as the same organisation.
    let snapshots = dir.path().join("snapshots");
    let output = moto
        .hacheck()
        .args(["inventory", "--organization", "--output"])
        .arg(&snapshots)
        .output()
        .unwrap();
    assert_exit(&output, 0);
    let mut files: Vec<String> = std::fs::read_dir(&snapshots)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut wanted: Vec<String> = all.iter().map(|id| format!("{id}.json")).collect();
    wanted.sort();
    assert_eq!(files, wanted);
    let output = crate::support::hacheck()
        .args(["scan", "--format", "json", "--inventory"])
        .arg(&snapshots)
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let offline: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(failing_by_account(&offline), failing_by_account(&whole));
    // `apps` and `whatif` over the directory: one report per account, only the shop's
    // server an application, down when its zone goes.
    let apps = crate::support::hacheck()
        .args(["apps", "--format", "json", "--inventory"])
        .arg(&snapshots)
        .output()
        .unwrap();
    assert_exit(&apps, 0);
    let apps: serde_json::Value = serde_json::from_str(&stdout(&apps)).unwrap();
    let with_apps: Vec<&str> = apps
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| !a["report"]["applications"].as_array().unwrap().is_empty())
        .map(|a| a["account_id"].as_str().unwrap())
        .collect();
    assert_eq!(with_apps, [shop.as_str()]);
    assert_eq!(apps.as_array().unwrap().len(), 3);
    // The same live, account by account.
    let live = moto
        .hacheck()
        .args(["apps", "--organization", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&live, 0);
    let live: serde_json::Value = serde_json::from_str(&stdout(&live)).unwrap();
    assert_eq!(live.as_array().unwrap().len(), 3);
    let ids = |doc: &serde_json::Value| -> Vec<String> {
        doc.as_array()
            .unwrap()
            .iter()
            .map(|a| a["account_id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(ids(&live), ids(&apps));
    let whatif = crate::support::hacheck()
        .args(["whatif", "--lose-az", "each", "--inventory"])
        .arg(&snapshots)
        .output()
        .unwrap();
    assert_exit(&whatif, 1);
    assert!(
        stdout(&whatif).contains(&format!("account {shop}:")),
        "{}",
        stdout(&whatif)
    );

    // The table groups by account.
    let output = moto
        .hacheck()
        .args(["scan", "--organization"])
        .output()
        .unwrap();
    let table = stdout(&output);
    assert!(
        table.contains(&format!("account {shop} (shop): application ")),
        "{table}"
    );
    assert!(
        table.contains("3 accounts: 3 scanned, 0 not scanned"),
        "{table}"
    );
}

/// Collects every account of the organisation through `faulty`: the inventories by
/// account id, and the accounts that failed.
async fn collect_organization(
    config: &aws_config::SdkConfig,
    faulty: &crate::support::faults::FaultyClient,
) -> (
    std::collections::BTreeMap<String, hacheck::inventory::Inventory>,
    Vec<hacheck::collect::accounts::AccountFailure>,
) {
    use hacheck::collect::accounts::{AccountOptions, DEFAULT_ROLE};
    let options = AccountOptions {
        organization: true,
        role: DEFAULT_ROLE.to_owned(),
        ..AccountOptions::default()
    };
    let base = config
        .to_builder()
        .http_client(faulty.clone())
        .retry_config(
            hacheck::collect::retry_config()
                .with_initial_backoff(std::time::Duration::from_millis(5)),
        )
        .build();
    let context = hacheck::collect::AwsContext {
        base,
        regions: vec![crate::support::moto::REGION.to_owned()],
        calls: hacheck::collect::CallCounter::default(),
        account: None,
    };
    let mut collected = std::collections::BTreeMap::new();
    let failures =
        hacheck::commands::for_each_account_in(&context, false, &options, |target, inventory| {
            collected.insert(target.id, inventory);
            Ok(())
        })
        .await
        .unwrap();
    (collected, failures)
}

/// Faults stay in the account they happen in (injected at the HTTP layer into the requests
/// signed with that account's credentials, as moto neither throttles, nor expires
/// sessions, nor checks trust policies): throttling and server errors on 30 % of an
/// account's calls, credentials that expire mid-scan (renewed by entering again), a
/// service down for good in one account (its retries do not spend the others' retry
/// budget), and a refused role, which costs only its account.
#[tokio::test]
async fn faults_of_one_account_stay_in_that_account() {
    use crate::support::faults::{Fault, FaultyClient};

    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let members = organization(&config).await;
    let shop: &'static str = Box::leak(members[0].clone().into_boxed_str());
    let blog: &'static str = Box::leak(members[1].clone().into_boxed_str());
    web_server(&as_account(&config, shop).await, true).await;
    web_server(&as_account(&config, blog).await, false).await;
    let http = || aws_smithy_http_client::Builder::new().build_http();
    let mut all = vec![ACCOUNT.to_owned(), shop.to_owned(), blog.to_owned()];
    all.sort();
    let complete =
        |collected: &std::collections::BTreeMap<String, hacheck::inventory::Inventory>,
         accounts: &[&str]| {
            for account in accounts {
                let inventory = &collected[*account];
                assert!(
                    inventory.warnings.is_empty(),
                    "{account}: {:?}",
                    inventory.warnings
                );
                let expected = usize::from(*account == shop || *account == blog);
                assert_eq!(inventory.instances.len(), expected, "{account}");
            }
        };

    // Throttling and server errors on 30 % of the shop's calls: retried, all collected.
    let faulty = FaultyClient::new(http(), Fault::Transient { percent: 30 }).in_account(shop);
    let (collected, failures) = collect_organization(&config, &faulty).await;
    assert!(failures.is_empty(), "{failures:?}");
    assert_eq!(collected.keys().cloned().collect::<Vec<_>>(), all);
    complete(&collected, &[ACCOUNT, shop, blog]);
    assert!(
        faulty.counts().0 > 3,
        "faults were injected: {:?}",
        faulty.counts()
    );

    // The shop's credentials expire after 5 calls: entered again, collected whole.
    let faulty = FaultyClient::new(
        http(),
        Fault::Expire {
            after: 5,
            renewed_too: false,
        },
    )
    .in_account(shop);
    let (collected, failures) = collect_organization(&config, &faulty).await;
    assert!(failures.is_empty(), "{failures:?}");
    complete(&collected, &[ACCOUNT, shop, blog]);
    assert!(
        faulty.counts().0 > 0,
        "credentials expired: {:?}",
        faulty.counts()
    );

    // Renewed ones expire too: the shop is reported with the reason, the others complete.
    let faulty = FaultyClient::new(
        http(),
        Fault::Expire {
            after: 5,
            renewed_too: true,
        },
    )
    .in_account(shop);
    let (collected, failures) = collect_organization(&config, &faulty).await;
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].account_id, shop);
    assert!(
        failures[0].reason.contains("expired mid-scan"),
        "{}",
        failures[0].reason
    );
    assert!(!collected.contains_key(shop));
    complete(&collected, &[ACCOUNT, blog]);

    // Every service down for good in the shop, three runs long: each call spends its
    // retries and fails…
    let faulty = FaultyClient::new(http(), Fault::Unavailable).in_account(shop);
    for _ in 0..3 {
        let (collected, failures) = collect_organization(&config, &faulty).await;
        assert!(failures.is_empty(), "{failures:?}");
        assert!(
            collected[shop].warnings.len() > 5,
            "{:?}",
            collected[shop].warnings
        );
        complete(&collected, &[ACCOUNT, blog]);
    }
    // …which leaves the blog's retry budget whole: every first attempt it makes fails once,
    // and every call is retried. (With one budget per service and region for the whole
    // process, as the SDK has by default, the shop's failed calls would have spent it: the
    // SDK's bucket holds 500 tokens and a call that fails six times takes 40 for good.)
    let faulty = FaultyClient::new(http(), Fault::Transient { percent: 100 }).in_account(blog);
    let (collected, failures) = collect_organization(&config, &faulty).await;
    assert!(failures.is_empty(), "{failures:?}");
    complete(&collected, &[ACCOUNT, shop, blog]);
    assert!(faulty.counts().0 > 10, "{:?}", faulty.counts());

    // The blog's role refused: the blog is reported, the others are collected.
    let faulty = FaultyClient::new(
        http(),
        Fault::Refuse {
            action: "Action=AssumeRole",
            containing: blog,
        },
    );
    let (collected, failures) = collect_organization(&config, &faulty).await;
    let mut others = vec![ACCOUNT.to_owned(), shop.to_owned()];
    others.sort();
    assert_eq!(collected.keys().cloned().collect::<Vec<_>>(), others);
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert_eq!(failures[0].account_id, blog);
    assert!(
        failures[0].reason.contains("AccessDenied"),
        "{}",
        failures[0].reason
    );
}

/// The accounts a run reports, sorted: (id, status).
fn reported_accounts(report: &serde_json::Value) -> Vec<(String, String)> {
    let mut accounts: Vec<(String, String)> = report["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["account_id"].as_str().unwrap().to_owned(),
                a["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    accounts.sort();
    accounts
}

#[tokio::test]
async fn an_organizational_unit_and_an_accounts_file_select_their_accounts() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let members = organization(&config).await;
    let (shop, blog) = (members[0].clone(), members[1].clone());
    web_server(&as_account(&config, &shop).await, true).await;
    web_server(&as_account(&config, &blog).await, true).await;
    // Units: `workloads` holds `prod` (shop) below it; blog stays at the root.
    let organizations = aws_sdk_organizations::Client::new(&config);
    let root = organizations.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned();
    let unit = |parent: String, name: &'static str| {
        let organizations = organizations.clone();
        async move {
            organizations
                .create_organizational_unit()
                .parent_id(parent)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit()
                .unwrap()
                .id()
                .unwrap()
                .to_owned()
        }
    };
    let workloads = unit(root.clone(), "workloads").await;
    let prod = unit(workloads.clone(), "prod").await;
    organizations
        .move_account()
        .account_id(&shop)
        .source_parent_id(&root)
        .destination_parent_id(&prod)
        .send()
        .await
        .unwrap();

    let output = moto
        .hacheck()
        .args(["scan", "--ou", &workloads, "--format", "json"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(
        reported_accounts(&report),
        [(shop.clone(), "scanned".to_owned())],
        "the unit below counts, the root's accounts do not"
    );
    assert!(
        failing_by_account(&report)
            .iter()
            .all(|(account, _, _)| *account == shop)
    );

    // A file: blog by name with its own regions, shop through a role that does not exist.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("accounts.toml");
    std::fs::write(
        &file,
        format!(
            "[[account]]\nid = \"{blog}\"\nname = \"blog\"\nregions = [\"us-east-1\"]\n\n[[account]]\nid = \"{shop}\"\nrole = \"arn:aws:iam::{{account}}:role/NoSuchRole\"\n"
        ),
    )
    .unwrap();
    let output = moto
        .hacheck()
        .args([
            "scan",
            "--accounts",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let accounts = reported_accounts(&report);
    assert!(
        accounts.contains(&(blog.clone(), "scanned".to_owned())),
        "{accounts:?}"
    );
    assert_eq!(
        report["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["account_id"] == blog.as_str())
            .unwrap()["account_name"],
        "blog"
    );
    // moto enforces no trust policy, so the file's role for shop is checked where it is
    // chosen (`accounts::tests::an_accounts_file_sets_each_accounts_role_and_regions`).

    std::fs::write(&file, "[[account]]\nid = \"12345\"\n").unwrap();
    let bad = moto
        .hacheck()
        .args(["scan", "--accounts", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = assert_exit(&bad, 2);
    assert!(
        err.contains("accounts file") && err.contains("`12345` is not an account id"),
        "{err}"
    );
    std::fs::write(&file, "[[account]]\nid = \"123456789012\"\nrole = 3\n").unwrap();
    let bad = moto
        .hacheck()
        .args(["scan", "--accounts", file.to_str().unwrap()])
        .output()
        .unwrap();
    let err = assert_exit(&bad, 2);
    assert!(err.contains("line 3"), "{err}");
}

/// A public database named `shop-db` in the account of `config`.
async fn public_database(config: &aws_config::SdkConfig) {
    aws_sdk_rds::Client::new(config)
        .create_db_instance()
        .db_instance_identifier("shop-db")
        .engine("postgres")
        .db_instance_class("db.t3.micro")
        .allocated_storage(20)
        .master_username("app")
        .master_user_password("secret-secret")
        .publicly_accessible(true)
        .send()
        .await
        .unwrap();
}

async fn is_public(config: &aws_config::SdkConfig) -> bool {
    let answer = aws_sdk_rds::Client::new(config)
        .describe_db_instances()
        .db_instance_identifier("shop-db")
        .send()
        .await
        .unwrap();
    answer.db_instances()[0].publicly_accessible().unwrap()
}

#[tokio::test]
async fn a_fix_acts_in_the_one_account_it_names() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let members = organization(&config).await;
    let (shop, blog) = (
        as_account(&config, &members[0]).await,
        as_account(&config, &members[1]).await,
    );
    // The same database, by name, in two accounts.
    public_database(&shop).await;
    public_database(&blog).await;
    let output = moto
        .hacheck()
        .args([
            "fix",
            "--scope",
            "account",
            "--account",
            &members[0],
            "--apply",
            "--yes",
            "--journal",
        ])
        .arg(tempfile::tempdir().unwrap().path().join("journal.json"))
        .output()
        .unwrap();
    let err = crate::support::stderr(&output);
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{err}"
    );
    assert!(
        stdout(&output).contains("shop-db (db instance: public access)"),
        "{}",
        stdout(&output)
    );
    assert!(
        !is_public(&shop).await,
        "the named account's database is private now"
    );
    assert!(is_public(&blog).await, "the other account's is untouched");
    // A role that enters another account than named is refused before anything is planned.
    let role = format!(
        "arn:aws:iam::{}:role/OrganizationAccountAccessRole",
        members[1]
    );
    let output = moto
        .hacheck()
        .args(["fix", "--account", &members[0], "--role", &role])
        .output()
        .unwrap();
    assert!(assert_exit(&output, 2).contains(&format!(
        "the role entered account `{}`, not `{}`",
        members[1], members[0]
    )));
}
