//! Generated accounts: generalisation tested, not hoped for.
//!
//! A seeded generator composes accounts (as snapshot documents, the format users save) from
//! the building blocks real accounts are made of — load balancer kinds (ALB, NLB with and
//! without security groups, Classic), capacity (launch template at `$Latest`, `$Default` or a pinned
//! version), scaling (CPU alarms or target tracking), databases (Multi-AZ instance, Aurora
//! cluster, Multi-AZ DB cluster, shared between applications or not), targets (a group, or
//! instances registered by hand), listeners (forwarding, or a 404 with a host rule that
//! forwards), bastions (tagged, or untagged and found by reference; alone
//! or in a one-instance group), alias records in every form Route 53 stores them,
//! public single instances on any port, and workloads of other systems (EKS nodes, queue
//! workers, NAT instances) — then injects a random set of violations.
//!
//! The truth is the generator's: each violation it injects says which rules fail on which
//! resource, from the rules' documentation, and each application it builds says by which
//! paths its users reach it. None of it is computed by hacheck. For every account the test
//! asserts that the scan fails exactly those findings, that the fix plan is made without a
//! conflict deferred, and that the account the plan would leave keeps every path the
//! generator built.
//!
//! CI runs a fixed seed; `HACHECK_GENERATOR_SEED` runs another and
//! `HACHECK_GENERATED_ACCOUNTS` sets how many accounts. A failing account prints its seed
//! and its composition, so it can be replayed (`HACHECK_GENERATED_DUMP=DIR` also writes its
//! snapshot there). A sample of the same accounts is built for
//! real in moto (`HACHECK_GENERATED_LIVE_ACCOUNTS`, default 3): scanned live, fixed by one
//! apply, planned again. Not generated yet (the rules' cases hold them): mixed-instances
//! overrides and sizes in capacity units, traffic sources, CloudFront fronts, and Classic Load
//! Balancers' zones, subnets and listeners varied.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write as _;
use std::sync::Arc;

use serde_json::Value;

use hacheck::apps::Scope;
use hacheck::config::Config;
use hacheck::inventory::Index;
use hacheck::policy::PolicySet;

use crate::support::generator::*;

/// Every setting a plan of a generated account may ask for, as `hacheck.toml` holds them.
const SETTINGS: &str = "[fix]\nadmin_cidrs = [\"203.0.113.0/24\"]\nalarm_email = \"oncall@example.com\"\napp_port = 8080\n";

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn generated_accounts_fail_exactly_their_injected_violations_and_their_fixes_keep_every_path() {
    let seed = env_number("HACHECK_GENERATOR_SEED", 20_261_202);
    let count = env_number("HACHECK_GENERATED_ACCOUNTS", 100);
    let policies = PolicySet::load(&[]).expect("pack loads");
    let config: Config = toml::from_str(SETTINGS).unwrap();
    let mut failures = Vec::new();
    let mut violations_seen = BTreeSet::new();
    for n in 0..count {
        let account_seed = seed.wrapping_add(n);
        let mut rng = Rng(account_seed);
        let (composition, account) = generate(&mut rng);
        let document = account.snapshot();
        let inventory =
            hacheck::snapshot::parse(&document.to_string(), std::path::Path::new("generated"))
                .unwrap_or_else(|e| panic!("seed {account_seed}: {e}"));
        let index = Arc::new(Index::new(inventory));
        let model = config.app_model(&index, Scope::Apps);
        let evaluation = policies.evaluate(&index, &model, &config.param_overrides());
        assert!(
            evaluation.errors.is_empty(),
            "seed {account_seed}: {:?}",
            evaluation.errors
        );
        let found: BTreeSet<String> = evaluation
            .findings
            .iter()
            .filter(|f| f.status == hacheck::finding::Status::Fail)
            .map(|f| format!("{} {}", f.rule_id, f.resource.id))
            .collect();
        for app in &composition.apps {
            violations_seen.extend(app.violations.iter().map(|v| format!("{v:?}")));
        }

        let mut problems = Vec::new();
        let missed: Vec<&String> = account.expected.difference(&found).collect();
        let extra: Vec<&String> = found.difference(&account.expected).collect();
        if !missed.is_empty() {
            problems.push(format!("missed {missed:?}"));
        }
        if !extra.is_empty() {
            problems.push(format!("false alarms {extra:?}"));
        }
        // One truth per application: `apps` (its paths), `whatif` and HA018 (through
        // it) say alike whether users reach it.
        let paths = hacheck::reach::paths(&index, &model);
        let topology = hacheck::whatif::Topology::new(&index);
        for app in &model.applications {
            let reached = paths
                .iter()
                .any(|p| p.application == app.name && p.serves());
            let behind_lb = app.members.iter().any(|m| {
                matches!(
                    m.role,
                    hacheck::apps::Role::LoadBalancer | hacheck::apps::Role::ClassicLoadBalancer
                )
            });
            let unreached_says =
                |message: &str| message.contains("reached by no path from the internet");
            let zones: Vec<String> = topology.app_zones(app).into_iter().collect();
            let whatif_unreached = topology
                .lose_zones(app, &zones)
                .iter()
                .any(|outcome| outcome.reasons.iter().any(|r| unreached_says(&r.message)));
            let ha018_unreached = evaluation.findings.iter().any(|f| {
                f.rule_id == "HA018"
                    && f.application.as_deref() == Some(app.name.as_str())
                    && unreached_says(&f.message)
            });
            if behind_lb
                && !zones.is_empty()
                && (whatif_unreached == reached || ha018_unreached == reached)
            {
                problems.push(format!(
                    "application {}: apps reaches it: {reached}, whatif: {}, HA018: {}",
                    app.name, !whatif_unreached, !ha018_unreached
                ));
            }
        }
        let built: Vec<String> = account.paths.iter().cloned().collect();
        let reached = projected_paths(&index, &model);
        if reached != built {
            problems.push(format!(
                "paths {reached:#?} where the generator built {built:#?}"
            ));
        }

        let open: Vec<_> = evaluation
            .findings
            .iter()
            .filter(|f| f.status == hacheck::finding::Status::Fail)
            .cloned()
            .collect();
        match hacheck::plan::plan(&index, &model, &policies, &open, &config.fix) {
            Err(error) => problems.push(format!("no plan: {error}")),
            Ok(plan) => {
                if !plan.deferred.is_empty() {
                    problems.push(format!("deferred {:?}", plan.deferred));
                }
                let evaluate = |predicted: &Arc<Index>, only: Option<&BTreeSet<String>>| {
                    let model = config.app_model(predicted, Scope::Apps);
                    let set = only.map(|ids| policies.only(|id| ids.contains(id)));
                    set.as_ref()
                        .unwrap_or(&policies)
                        .evaluate(predicted, &model, &config.param_overrides())
                        .findings
                };
                let guarded = hacheck::plan::predict::guard(plan, &index, &model, &open, &evaluate);
                let after = Arc::new(Index::new(hacheck::plan::predict::predict(
                    index.inventory(),
                    &guarded.plan.steps,
                )));
                let after_model = config.app_model(&after, Scope::Apps);
                let kept = projected_paths(&after, &after_model);
                let lost: Vec<&String> = built.iter().filter(|p| !kept.contains(p)).collect();
                if !lost.is_empty() {
                    problems.push(format!("the fix plan loses {lost:?}"));
                }
            }
        }
        if !problems.is_empty() {
            // `HACHECK_GENERATED_DUMP=DIR` keeps the snapshot, for `hacheck scan --inventory`.
            if let Some(dir) = std::env::var_os("HACHECK_GENERATED_DUMP") {
                let path = std::path::Path::new(&dir).join(format!("seed-{account_seed}.json"));
                std::fs::write(&path, document.to_string()).unwrap();
            }
            failures.push(format!(
                "seed {account_seed} ({composition:?}):\n  {}",
                problems.join("\n  ")
            ));
        }
    }
    // Straight to stderr, past the test harness's capture: CI's log shows how many ran.
    let _ = writeln!(
        std::io::stderr(),
        "generated accounts: {count} from seed {seed}; violations injected: {}",
        violations_seen.len()
    );
    assert_eq!(
        violations_seen.len(),
        VIOLATIONS.len() - 2,
        "every violation is generated at least once"
    );
    assert!(
        failures.is_empty(),
        "{} of {count} generated accounts wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The paths of an account up to the serving group or public instance: the part a
/// generated account fixes by construction (the instances behind a group change with it).
fn projected_paths(index: &Index, model: &hacheck::apps::AppModel) -> Vec<String> {
    let mut paths: Vec<String> = hacheck::reach::paths(index, model)
        .iter()
        .filter(|path| match path.through.last() {
            None => true,
            Some(hop) => ["Auto Scaling group", "redirect", "ip ", "lambda "]
                .iter()
                .any(|kind| hop.starts_with(kind)),
        })
        .map(ToString::to_string)
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// A sample of the generated accounts built for real in moto (through the SDK calls a user
/// would make, [`crate::support::replay`]): the live scan fails exactly the injected
/// violations, `fix --apply --unsafe` completes, and a second plan has nothing left to
/// apply. `HACHECK_GENERATED_LIVE_ACCOUNTS` sets the sample's size (default 3).
///
/// Left out of the sample, because moto cannot hold them: accounts with an unconfirmed SNS
/// subscription (moto confirms every subscription at once), and accounts with a group
/// below two instances, whose fix makes moto launch from a launch-template version ≥ 2
/// with user data (moto 5.2.5's `CreateLaunchTemplateVersion` stores user data unparsed
/// and launching from it fails with HTTP 500). After the apply, HA005 may still fail on a
/// group whose template assigned public IPs: moto's new version ignores `SourceVersion` and
/// so lacks the user data (notes/moto-quirks.md).
/// What replaying an account into moto, scanning, planning with every setting, applying and
/// planning again measured.
struct LiveRun {
    /// Every way the live run differed from the account's truth or did not converge.
    problems: Vec<String>,
    /// Failing `RULE resource` before the apply and after it.
    before: BTreeSet<String>,
    after: BTreeSet<String>,
    /// `RULE resource` → instruction, of the second plan's manual steps (what needs
    /// `--spec`, a setting or a person).
    manual_left: BTreeMap<String, String>,
}

/// Replays `account` into a fresh moto, checks the live scan fails exactly its truth, applies
/// the plan made with every setting given ([`SETTINGS`] and `extra_settings` after them),
/// and checks that a second plan applies nothing and that every failure an automatic
/// step claimed to fix is gone.
async fn judge_and_fix_in_moto(
    composition: &Composition,
    account: &Account,
    extra_settings: &str,
) -> LiveRun {
    use crate::support::moto::Moto;
    use crate::support::stdout;

    let moto = Moto::start();
    let ids = crate::support::replay::replay(&moto, &account.snapshot()).await;
    // HA018 judges an application once, on its first entry point by id: of a pair of
    // public servers, whichever id moto drew first.
    let first_server = ["i-pub", "i-pub2"]
        .iter()
        .filter(|id| {
            account.collections["instances"]
                .iter()
                .any(|i| i["id"] == **id)
        })
        .map(|id| ids.live(id))
        .min();
    // The live scan runs what users run by default: opt-in rules are judged offline only.
    let opt_in: BTreeSet<String> = PolicySet::load(&[])
        .expect("pack loads")
        .policies
        .iter()
        .filter(|p| p.meta.tags.iter().any(|t| t == hacheck::policy::OPT_IN))
        .map(|p| p.meta.id.clone())
        .collect();
    let expected: BTreeSet<String> = account
        .expected
        .iter()
        .filter(|finding| !opt_in.contains(finding.split_once(' ').unwrap().0))
        .map(|finding| match finding.split_once(' ').unwrap() {
            ("HA018", "i-pub") => format!("HA018 {}", first_server.clone().unwrap()),
            (rule, resource) => format!("{rule} {}", ids.live(resource)),
        })
        .collect();
    let report = |moto: &Moto| -> Value {
        let output = moto
            .hacheck()
            .args(["scan", "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_str(&stdout(&output)).unwrap()
    };
    // Every failure: the replay places a group's instances where AWS would.
    let found: BTreeSet<String> =
        crate::support::moto::failing_results_where(&report(&moto), |_| true)
            .into_iter()
            .collect();
    let mut problems = Vec::new();
    let missed: Vec<&String> = expected.difference(&found).collect();
    let extra: Vec<&String> = found.difference(&expected).collect();
    if !missed.is_empty() {
        problems.push(format!("live scan missed {missed:?}"));
    }
    if !extra.is_empty() {
        problems.push(format!("live scan false alarms {extra:?}"));
    }

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hacheck.toml");
    std::fs::write(&config, format!("{SETTINGS}{extra_settings}")).unwrap();
    let plan_json = |moto: &Moto| -> Value {
        let output = moto
            .hacheck()
            .args(["fix", "--format", "json", "--config"])
            .arg(&config)
            .output()
            .unwrap();
        crate::support::json_of_judged(&output)
    };
    let automatic = |plan: &Value| -> Vec<String> {
        plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["safety"] != "manual")
            .map(|s| s["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = plan_json(&moto);
    let applied = moto
        .hacheck()
        .args(["fix", "--apply", "--yes", "--unsafe", "--config"])
        .arg(&config)
        .arg("--journal")
        .arg(dir.path().join("journal.json"))
        .output()
        .unwrap();
    if applied.status.code() != Some(0) {
        problems.push(format!(
            "fix --apply exited {:?}: {}",
            applied.status.code(),
            crate::support::stderr(&applied)
        ));
    }
    let second = plan_json(&moto);
    let left = automatic(&second);
    if !left.is_empty() {
        problems.push(format!("a second plan still applies {left:?}"));
    }
    // What still fails is what the first plan could not fix by itself.
    let fixed_automatically: BTreeSet<String> = first["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["safety"] != "manual")
        .flat_map(|s| s["fixes"].as_array().unwrap().iter())
        .map(|f| f.as_str().unwrap().to_owned())
        .collect();
    let sourceless: BTreeSet<String> = composition
        .apps
        .iter()
        .filter(|app| app.violations.contains(&Violation::PublicLaunch))
        .map(|app| format!("HA005 {}-asg", app.name))
        .collect();
    // moto does not rebalance a group over the zones a fix gave it (AWS's AZRebalance
    // does): zone loss of such a group is judged by `spec_live`, not here.
    let after: BTreeSet<String> = crate::support::moto::failing_results(&report(&moto))
        .into_iter()
        .collect();
    let still: Vec<&String> = after
        .iter()
        .filter(|f| fixed_automatically.contains(*f) && !sourceless.contains(*f))
        .collect();
    if !still.is_empty() {
        problems.push(format!(
            "still failing after the apply that fixed them: {still:?}"
        ));
    }
    let manual_left = second["steps"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["safety"] == "manual")
        .flat_map(|s| {
            let instruction = s["action"]["instruction"].as_str().unwrap().to_owned();
            s["fixes"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |f| (f.as_str().unwrap().to_owned(), instruction.clone()))
        })
        .collect();
    LiveRun {
        problems,
        before: found,
        after,
        manual_left,
    }
}

#[tokio::test]
async fn a_sample_of_generated_accounts_is_judged_alike_in_moto_and_one_fix_converges() {
    let seed = env_number("HACHECK_GENERATOR_SEED", 20_261_202);
    let wanted = env_number("HACHECK_GENERATED_LIVE_ACCOUNTS", 3);
    let mut sampled = 0;
    let mut failures = Vec::new();
    for n in 0.. {
        if sampled == wanted {
            break;
        }
        let account_seed = seed.wrapping_add(n);
        let (composition, account) = generate(&mut Rng(account_seed));
        // Moto refuses any change to a group naming a deleted target group (AWS accepts it
        // and fails the launches): `gone_references_live` holds that shape against moto.
        let beyond_moto = composition.apps.iter().any(|app| {
            app.violations.contains(&Violation::UnconfirmedTopic)
                || app.violations.contains(&Violation::SmallGroup)
                || app.stale_load_balancer
        });
        if beyond_moto {
            continue;
        }
        sampled += 1;
        let problems = judge_and_fix_in_moto(&composition, &account, "")
            .await
            .problems;
        if !problems.is_empty() {
            failures.push(format!(
                "seed {account_seed} ({composition:?}):\n  {}",
                problems.join("\n  ")
            ));
        }
    }
    let _ = writeln!(
        std::io::stderr(),
        "generated accounts against moto: {sampled} from seed {seed}"
    );
    assert!(
        failures.is_empty(),
        "{} of {sampled} generated accounts wrong against moto:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The textbook broken account: an ALB application and a Classic one, each with every
/// violation moto can hold, a public single-zone database, no bastion, and a public web
/// server. With every setting given, one apply closes every failure but those the plan
/// names as manual steps, and a second plan applies nothing.
#[tokio::test]
async fn the_textbook_broken_account_converges_in_one_apply() {
    let every_violation = |lb: LbKind| -> Vec<Violation> {
        VIOLATIONS
            .iter()
            .copied()
            .filter(|v| {
                !matches!(
                    v,
                    // Beyond moto (notes/moto-quirks.md), and exclusive of OneZoneGroup.
                    Violation::UnconfirmedTopic | Violation::SmallGroup
                    // The database's, drawn below.
                    | Violation::SingleZoneDatabase | Violation::PublicDatabase
                )
            })
            .filter(|v| lb == LbKind::Classic || *v != Violation::CrossZoneOff)
            .collect()
    };
    let app = |k: usize, lb: LbKind| AppPlan {
        name: format!("app{k}"),
        lb,
        capacity: Capacity::Latest,
        scaling: Scaling::Alarms,
        database: 0,
        violations: every_violation(lb),
        registered: false,
        backend: Backend::Group,
        signal: Signal::Cpu,
        inclusive: false,
        status_alarm: Some(false),
        draining_off: lb == LbKind::Classic,
        // The ALB application's AMI is deregistered after its group launched.
        image_gone: k == 0,
        lb_one_zone: false,
        // Beyond moto: it refuses to change a group naming a deleted target group.
        stale_load_balancer: false,
        unbalanced: false,
        // Both launch from configurations, which name no key pair here.
        key_gone: false,
    };
    let composition = Composition {
        apps: vec![app(0, LbKind::Alb), app(1, LbKind::Classic)],
        databases: vec![(Database::MultiAzInstance, true, true)],
        bastion_tagged: false,
        bastion_in_group: false,
        no_bastion: true,
        public_instance_port: Some(("tcp", 80)),
        public_instance_record: true,
        public_instance_pair: false,
        eks_nodes: false,
        worker: false,
        nat_instance: false,
        without_backups: Vec::new(),
        // None: HA031's fix subscribes the database to the applications' alarm topic.
        events_subscribed: Vec::new(),
    };
    let account = build(&mut Rng(20_261_206), &composition);
    // The public names the plan cannot guess.
    let names = "[fix.alias_records]\napp0-lb = \"shop.example.com\"\napp1-lb = \"legacy-app.example.com\"\n";
    let run = judge_and_fix_in_moto(&composition, &account, names).await;
    let _ = writeln!(
        std::io::stderr(),
        "textbook broken account: {} failures before the apply, {} after; manual steps left: {:#?}",
        run.before.len(),
        run.after.len(),
        run.manual_left
    );
    assert!(run.problems.is_empty(), "{:#?}", run.problems);
    // HA018 has no remediation of its own: it is explained by a manual step on the same
    // entry point (the lone web server's).
    let explained = |finding: &String| {
        run.manual_left.contains_key(finding)
            || finding.split_once(' ').is_some_and(|(rule, resource)| {
                rule == "HA018"
                    && run
                        .manual_left
                        .keys()
                        .any(|k| k.split_once(' ').is_some_and(|(_, r)| r == resource))
            })
    };
    let unexplained: Vec<&String> = run.after.iter().filter(|f| !explained(f)).collect();
    assert!(
        unexplained.is_empty(),
        "still failing and no manual step of the second plan says why: {unexplained:?}"
    );
}

/// The first generated account (from the CI seed) with every kind of resource a scan reads
/// — a Classic and an ELBv2 load balancer, CPU alarms and their topic — and nothing moto
/// cannot hold: the snapshot document, for tests that need a full account in moto.
pub(crate) fn account_with_every_kind() -> Value {
    (20_261_202u64..)
        .map(|seed| generate(&mut Rng(seed)))
        .find(|(composition, _)| {
            let apps = &composition.apps;
            apps.iter().any(|a| a.lb == LbKind::Classic)
                && apps.iter().any(|a| a.lb == LbKind::Alb && !a.registered)
                // Its tasks' addresses are looked up (DescribeNetworkInterfaces).
                && apps.iter().any(|a| a.backend == Backend::IpTargets)
                && apps.iter().any(|a| a.scaling == Scaling::Alarms)
                && !apps
                    .iter()
                    .any(|a| a.violations.contains(&Violation::UnconfirmedTopic))
        })
        .map(|(_, account)| account.snapshot())
        .expect("the generator makes such accounts")
}
