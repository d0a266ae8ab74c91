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
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            crate::support::stderr(&output)
        );
        let part: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
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

/// Faults stay local (injected at the HTTP layer, as moto neither throttles nor checks
/// trust policies): with 30 % of first attempts throttled or failed, every account is still
/// collected whole; with one account's role refused, that account is reported with the
/// reason and the others are collected.
#[tokio::test]
async fn throttling_is_absorbed_and_a_refused_role_costs_only_its_account() {
    use crate::support::faults::{Fault, FaultyClient};
    use hacheck::collect::accounts::{AccountOptions, DEFAULT_ROLE};

    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let members = organization(&config).await;
    web_server(&as_account(&config, &members[0]).await, true).await;
    let options = AccountOptions {
        organization: true,
        role: DEFAULT_ROLE.to_owned(),
        ..AccountOptions::default()
    };
    let through = |fault: Fault| {
        let http = aws_smithy_http_client::Builder::new().build_http();
        let faulty = FaultyClient::new(http, fault);
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
        };
        (context, faulty)
    };

    let (context, faulty) = through(Fault::Transient { percent: 30 });
    let mut collected = Vec::new();
    let failures =
        hacheck::commands::for_each_account_in(&context, false, &options, |target, inventory| {
            assert!(
                inventory.warnings.is_empty(),
                "{}: {:?}",
                target.id,
                inventory.warnings
            );
            collected.push((target.id, inventory.instances.len()));
            Ok(())
        })
        .await
        .unwrap();
    assert!(failures.is_empty(), "{failures:?}");
    collected.sort();
    let mut all = vec![ACCOUNT.to_owned(), members[0].clone(), members[1].clone()];
    all.sort();
    assert_eq!(
        collected
            .iter()
            .map(|(id, _)| id.clone())
            .collect::<Vec<_>>(),
        all
    );
    assert!(
        collected.contains(&(members[0].clone(), 1)),
        "the shop's server is collected: {collected:?}"
    );
    assert!(
        faulty.counts().0 > 10,
        "faults were injected: {:?}",
        faulty.counts()
    );

    let blog: &'static str = Box::leak(members[1].clone().into_boxed_str());
    let (context, _) = through(Fault::Refuse {
        action: "Action=AssumeRole",
        containing: blog,
    });
    let mut collected = Vec::new();
    let failures =
        hacheck::commands::for_each_account_in(&context, false, &options, |target, _| {
            collected.push(target.id);
            Ok(())
        })
        .await
        .unwrap();
    collected.sort();
    let mut others = vec![ACCOUNT.to_owned(), members[0].clone()];
    others.sort();
    assert_eq!(collected, others);
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
