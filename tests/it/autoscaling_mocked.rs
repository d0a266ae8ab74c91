//! Auto Scaling steps moto does not implement, against injected Auto Scaling answers.
//!
//! The rolling replacement (instance refresh): start and progress, failure, rollback, and an
//! interrupted apply that resumes waiting for the refresh it started instead of starting a
//! second one. The instance maintenance policy (moto neither stores nor returns one): set
//! when the group has none, satisfied when it already launches first, refused when it
//! changed since the plan. A launch configuration naming its security groups by name is
//! not converted (moto would take the names; AWS's launch template takes ids only).

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_autoscaling::operation::describe_auto_scaling_groups::DescribeAutoScalingGroupsOutput;
use aws_sdk_autoscaling::operation::describe_instance_refreshes::DescribeInstanceRefreshesOutput;
use aws_sdk_autoscaling::operation::start_instance_refresh::StartInstanceRefreshOutput;
use aws_sdk_autoscaling::operation::update_auto_scaling_group::UpdateAutoScalingGroupOutput;
use aws_sdk_autoscaling::types::{
    AutoScalingGroup, InstanceMaintenancePolicy, InstanceRefresh, InstanceRefreshStatus,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, mock};
use hacheck::change::{Action, Safety, SetMaintenancePolicy, StartInstanceRefresh};
use hacheck::execute::{ApplyReport, Executor, Journal, Outcome, Watch};
use hacheck::inventory::MaintenancePolicy;
use hacheck::plan::{Plan, Step};

const STEP: &str = "instance-refresh:shop-asg";

fn plan() -> Plan {
    plan_of(
        STEP,
        Action::StartInstanceRefresh(StartInstanceRefresh {
            group: "shop-asg".into(),
            min_healthy_percentage: 90,
            max_healthy_percentage: None,
        }),
        Safety::Unsafe,
    )
}

/// A plan of one step of group `shop-asg`.
fn plan_of(id: &str, action: Action, safety: Safety) -> Plan {
    Plan {
        format_version: hacheck::plan::PLAN_FORMAT_VERSION,
        account_id: "123456789012".into(),
        inventory_fingerprint: "test".into(),
        steps: vec![Step {
            id: id.into(),
            region: "us-east-1".into(),
            action,
            safety,
            fixes: vec!["HA001 i-0app0a".into()],
            depends_on: Vec::new(),
            applications: Vec::new(),
        }],
        refused: Vec::new(),
        deferred: Vec::new(),
    }
}

fn refresh(status: InstanceRefreshStatus, percent: i32, reason: Option<&str>) -> InstanceRefresh {
    InstanceRefresh::builder()
        .instance_refresh_id("refresh-1")
        .auto_scaling_group_name("shop-asg")
        .status(status)
        .percentage_complete(percent)
        .instances_to_update(2 - percent * 2 / 100)
        .set_status_reason(reason.map(str::to_owned))
        .build()
}

fn answer(refreshes: Vec<InstanceRefresh>) -> DescribeInstanceRefreshesOutput {
    DescribeInstanceRefreshesOutput::builder()
        .set_instance_refreshes(Some(refreshes))
        .build()
}

/// `DescribeInstanceRefreshes` of the group's latest refresh: none yet.
fn no_refresh_yet() -> Rule {
    mock!(aws_sdk_autoscaling::Client::describe_instance_refreshes)
        .match_requests(|r| r.instance_refresh_ids().is_empty())
        .then_output(|| answer(Vec::new()))
}

/// `DescribeInstanceRefreshes` of `refresh-1`: the given states, one per call, the last
/// repeated.
fn states(states: Vec<(InstanceRefreshStatus, i32, Option<&'static str>)>) -> Rule {
    let mut sequence = mock!(aws_sdk_autoscaling::Client::describe_instance_refreshes)
        .match_requests(|r| r.instance_refresh_ids() == ["refresh-1"])
        .sequence();
    let last = states.len() - 1;
    for (position, (status, percent, reason)) in states.into_iter().enumerate() {
        let make = move || answer(vec![refresh(status.clone(), percent, reason)]);
        sequence = if position == last {
            return sequence.output(make).repeatedly().build();
        } else {
            sequence.output(make)
        };
    }
    unreachable!("the last state returns")
}

fn start() -> Rule {
    mock!(aws_sdk_autoscaling::Client::start_instance_refresh)
        .match_requests(|r| {
            r.auto_scaling_group_name() == Some("shop-asg")
                && r.preferences().and_then(|p| p.min_healthy_percentage()) == Some(90)
                && r.preferences().and_then(|p| p.skip_matching()) == Some(true)
        })
        .then_output(|| {
            StartInstanceRefreshOutput::builder()
                .instance_refresh_id("refresh-1")
                .build()
        })
}

/// Applies the plan once, journaled at `journal`, with an executor whose Auto Scaling client
/// answers only from `rules` (every other client points at a closed port: the step must not
/// call them). Returns the report and the progress lines it printed.
async fn apply_once(
    journal: &Path,
    rules: &[&Rule],
    timeout: Duration,
) -> (ApplyReport, Vec<String>) {
    apply_plan(&plan(), journal, rules, timeout).await
}

/// Applies `plan` as [`apply_once`] does.
async fn apply_plan(
    plan: &Plan,
    journal: &Path,
    rules: &[&Rule],
    timeout: Duration,
) -> (ApplyReport, Vec<String>) {
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .http_client(hacheck::collect::https_client())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url("http://127.0.0.1:9")
        .credentials_provider(aws_sdk_autoscaling::config::Credentials::new(
            "testing", "testing", None, None, "tests",
        ))
        .load()
        .await;
    let context = hacheck::collect::AwsContext {
        base: sdk.clone(),
        regions: vec!["us-east-1".into()],
        calls: hacheck::collect::CallCounter::default(),
        account: None,
    };
    let mut clients = hacheck::collect::RegionClients::new(&context, "us-east-1");
    let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
    for rule in rules {
        interceptor = interceptor.with_rule(rule);
    }
    clients.autoscaling = aws_sdk_autoscaling::Client::from_conf(
        aws_sdk_autoscaling::config::Builder::from(&sdk)
            .http_client(aws_smithy_mocks::create_mock_http_client())
            .interceptor(interceptor)
            .build(),
    );
    let lines = Arc::new(Mutex::new(Vec::new()));
    let heard = lines.clone();
    let watch = Watch {
        poll: Duration::from_millis(1),
        timeout,
        report: Arc::new(move |line| heard.lock().unwrap().push(line)),
    };
    let executor =
        Executor::new(vec![clients], aws_sdk_route53::Client::new(&sdk), true).with_watch(watch);
    let mut journal = Journal::open(journal, plan).unwrap();
    let report = executor.apply(plan, &mut journal, &|_, _| {}).await;
    let lines = lines.lock().unwrap().clone();
    (report, lines)
}

fn outcome(report: &ApplyReport) -> &Outcome {
    &report.steps.iter().find(|(id, _)| id == STEP).unwrap().1
}

#[tokio::test]
async fn a_refresh_starts_reports_progress_and_succeeds() {
    let (none, start, states) = (
        no_refresh_yet(),
        start(),
        states(vec![
            (InstanceRefreshStatus::Pending, 0, None),
            (InstanceRefreshStatus::InProgress, 50, None),
            (InstanceRefreshStatus::InProgress, 50, None),
            (InstanceRefreshStatus::Successful, 100, None),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (report, lines) = apply_once(
        &dir.path().join("journal.json"),
        &[&none, &start, &states],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        outcome(&report),
        &Outcome::Applied {
            output: Some("refresh-1".into())
        }
    );
    assert_eq!(start.num_calls(), 1);
    assert_eq!(
        lines,
        [
            "instance refresh refresh-1 of shop-asg: started, keeping 90 % healthy",
            "instance refresh refresh-1 of shop-asg: Pending, 0 % done, 2 instances to go",
            "instance refresh refresh-1 of shop-asg: InProgress, 50 % done, 1 instances to go",
            "instance refresh refresh-1 of shop-asg: Successful, 100 % done, 0 instances to go",
        ]
    );
}

#[tokio::test]
async fn a_failed_refresh_fails_the_step_with_the_reason() {
    let (none, start, states) = (
        no_refresh_yet(),
        start(),
        states(vec![
            (InstanceRefreshStatus::InProgress, 50, None),
            (
                InstanceRefreshStatus::Failed,
                50,
                Some("new instances did not pass health checks"),
            ),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = apply_once(
        &dir.path().join("journal.json"),
        &[&none, &start, &states],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        outcome(&report),
        &Outcome::Failed {
            error: "instance refresh refresh-1 of shop-asg ended Failed after replacing 50 % of the instances: new instances did not pass health checks; applying again starts a new one that skips the instances already replaced".into()
        }
    );
    assert!(!report.complete());
}

#[tokio::test]
async fn a_rolled_back_refresh_is_reported_as_rolled_back() {
    let (none, start, states) = (
        no_refresh_yet(),
        start(),
        states(vec![
            (InstanceRefreshStatus::InProgress, 50, None),
            (
                InstanceRefreshStatus::RollbackInProgress,
                50,
                Some("alarm shop-5xx went into ALARM"),
            ),
            (
                InstanceRefreshStatus::RollbackSuccessful,
                100,
                Some("alarm shop-5xx went into ALARM"),
            ),
        ]),
    );
    let dir = tempfile::tempdir().unwrap();
    let (report, lines) = apply_once(
        &dir.path().join("journal.json"),
        &[&none, &start, &states],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        outcome(&report),
        &Outcome::Failed {
            error: "instance refresh refresh-1 of shop-asg was rolled back; the group runs its previous launch settings again: alarm shop-5xx went into ALARM".into()
        }
    );
    assert!(
        lines.iter().any(|l| l.contains("RollbackInProgress")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn an_interrupted_apply_resumes_waiting_for_the_refresh_it_started() {
    let dir = tempfile::tempdir().unwrap();
    let journal_path = dir.path().join("journal.json");

    // First apply: started, then gave up waiting (the refresh goes on).
    let (none, start_first, running) = (
        no_refresh_yet(),
        start(),
        states(vec![(InstanceRefreshStatus::InProgress, 50, None)]),
    );
    let (report, _) = apply_once(
        &journal_path,
        &[&none, &start_first, &running],
        Duration::ZERO,
    )
    .await;
    let Outcome::Failed { error } = outcome(&report) else {
        panic!("{report:?}");
    };
    assert!(error.contains("is still InProgress after 0 s"), "{error}");
    assert_eq!(start_first.num_calls(), 1);
    let journal_text = std::fs::read_to_string(&journal_path).unwrap();
    assert!(
        journal_text.contains("\"instance-refresh:shop-asg\": \"refresh-1\""),
        "{journal_text}"
    );

    // Second apply: the journal names refresh-1, which it waits for; nothing new starts,
    // even though the group's latest refresh would say there is none running.
    let (none, start_again, finishing) = (
        no_refresh_yet(),
        start(),
        states(vec![
            (InstanceRefreshStatus::InProgress, 50, None),
            (InstanceRefreshStatus::Successful, 100, None),
        ]),
    );
    let (report, lines) = apply_once(
        &journal_path,
        &[&none, &start_again, &finishing],
        Duration::from_secs(60),
    )
    .await;
    assert_eq!(
        outcome(&report),
        &Outcome::Applied {
            output: Some("refresh-1".into())
        }
    );
    assert_eq!(start_again.num_calls(), 0);
    assert_eq!(
        lines[0],
        "instance refresh refresh-1 of shop-asg: joined, InProgress, 50 % done, 1 instances to go"
    );

    // Third apply: done, from the journal; no call at all.
    let (report, _) = apply_once(&journal_path, &[], Duration::from_secs(60)).await;
    assert_eq!(
        outcome(&report),
        &Outcome::Journaled {
            output: Some("refresh-1".into())
        }
    );
}

const POLICY_STEP: &str = "maintenance-policy:shop-asg";

/// Launch before terminating on `shop-asg`, planned when it had `before`.
fn maintenance_plan(before: MaintenancePolicy) -> Plan {
    plan_of(
        POLICY_STEP,
        Action::SetMaintenancePolicy(SetMaintenancePolicy {
            group: "shop-asg".into(),
            min_healthy_percentage: 100,
            max_healthy_percentage: 110,
            before,
        }),
        Safety::Safe,
    )
}

/// `DescribeAutoScalingGroups` of `shop-asg`, with the policy `(min, max)` if any.
fn group_with(policy: Option<(i32, i32)>) -> Rule {
    mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups)
        .match_requests(|r| r.auto_scaling_group_names() == ["shop-asg"])
        .then_output(move || {
            let group = AutoScalingGroup::builder()
                .auto_scaling_group_name("shop-asg")
                .set_instance_maintenance_policy(policy.map(|(min, max)| {
                    InstanceMaintenancePolicy::builder()
                        .min_healthy_percentage(min)
                        .max_healthy_percentage(max)
                        .build()
                }))
                .build();
            DescribeAutoScalingGroupsOutput::builder()
                .auto_scaling_groups(group)
                .build()
        })
}

fn update_to_launch_first() -> Rule {
    mock!(aws_sdk_autoscaling::Client::update_auto_scaling_group)
        .match_requests(|r| {
            r.auto_scaling_group_name() == Some("shop-asg")
                && r.instance_maintenance_policy()
                    .map(|p| (p.min_healthy_percentage(), p.max_healthy_percentage()))
                    == Some((Some(100), Some(110)))
        })
        .then_output(|| UpdateAutoScalingGroupOutput::builder().build())
}

async fn apply_policy(before: MaintenancePolicy, rules: &[&Rule]) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    let plan = maintenance_plan(before);
    let (report, _) = apply_plan(
        &plan,
        &dir.path().join("journal.json"),
        rules,
        Duration::from_secs(60),
    )
    .await;
    report
        .steps
        .into_iter()
        .find(|(id, _)| id == POLICY_STEP)
        .unwrap()
        .1
}

#[tokio::test]
async fn a_group_without_a_policy_gets_one_that_launches_first() {
    let (group, update) = (group_with(None), update_to_launch_first());
    let outcome = apply_policy(MaintenancePolicy::default(), &[&group, &update]).await;
    assert_eq!(outcome, Outcome::Applied { output: None });
    assert_eq!(update.num_calls(), 1);

    // A policy AWS reports cleared (`-1`) is none too.
    let (cleared, update) = (group_with(Some((-1, -1))), update_to_launch_first());
    let outcome = apply_policy(MaintenancePolicy::default(), &[&cleared, &update]).await;
    assert_eq!(outcome, Outcome::Applied { output: None });
    assert_eq!(update.num_calls(), 1);
}

#[tokio::test]
async fn a_group_that_already_launches_first_is_left_alone() {
    let (group, update) = (group_with(Some((100, 200))), update_to_launch_first());
    let outcome = apply_policy(MaintenancePolicy::default(), &[&group, &update]).await;
    assert_eq!(outcome, Outcome::Satisfied { output: None });
    assert_eq!(update.num_calls(), 0);
}

#[tokio::test]
async fn a_policy_changed_since_the_plan_is_refused() {
    let (group, update) = (group_with(Some((50, 150))), update_to_launch_first());
    let outcome = apply_policy(MaintenancePolicy::default(), &[&group, &update]).await;
    assert_eq!(
        outcome,
        Outcome::Refused {
            reason: "`shop-asg` now has instance maintenance policy min 50 %, max 150 %; the plan expected none".into()
        }
    );
    assert_eq!(update.num_calls(), 0);

    // The policy the plan saw is changed as planned.
    let (group, update) = (group_with(Some((50, 150))), update_to_launch_first());
    let planned = MaintenancePolicy::from_bounds(Some(50), Some(150));
    let outcome = apply_policy(planned, &[&group, &update]).await;
    assert_eq!(outcome, Outcome::Applied { output: None });
    assert_eq!(update.num_calls(), 1);
}

/// A launch configuration that names its groups by name (EC2-Classic days) is not turned
/// into a launch template whose network interface would carry names: nothing is created.
#[tokio::test]
async fn a_launch_configuration_naming_groups_by_name_is_not_converted() {
    use aws_sdk_autoscaling::operation::describe_launch_configurations::DescribeLaunchConfigurationsOutput;
    use aws_sdk_autoscaling::types::LaunchConfiguration;
    use hacheck::change::ConvertLaunchConfiguration;

    let group =
        mock!(aws_sdk_autoscaling::Client::describe_auto_scaling_groups).then_output(|| {
            DescribeAutoScalingGroupsOutput::builder()
                .auto_scaling_groups(
                    AutoScalingGroup::builder()
                        .auto_scaling_group_name("shop-asg")
                        .launch_configuration_name("shop-lc")
                        .build(),
                )
                .build()
        });
    let configuration = mock!(aws_sdk_autoscaling::Client::describe_launch_configurations)
        .then_output(|| {
            DescribeLaunchConfigurationsOutput::builder()
                .launch_configurations(
                    LaunchConfiguration::builder()
                        .launch_configuration_name("shop-lc")
                        .image_id("ami-1")
                        .instance_type("t3.small")
                        .security_groups("sg-0app")
                        .security_groups("web")
                        .build(),
                )
                .build()
        });
    let step = "launch-template:shop-asg";
    let plan = plan_of(
        step,
        Action::ConvertLaunchConfiguration(ConvertLaunchConfiguration {
            group: "shop-asg".into(),
            launch_configuration: "shop-lc".into(),
            template_name: "shop-asg".into(),
        }),
        Safety::Safe,
    );
    let dir = tempfile::tempdir().unwrap();
    let (report, _) = apply_plan(
        &plan,
        &dir.path().join("journal.json"),
        &[&group, &configuration],
        Duration::from_secs(60),
    )
    .await;
    let outcome = &report.steps.iter().find(|(id, _)| id == step).unwrap().1;
    assert_eq!(
        outcome,
        &Outcome::Failed {
            error: "launch configuration `shop-lc` names security groups by name (web): a launch template takes their ids; convert it by hand".into()
        }
    );
}
