//! Faults moto cannot produce, injected with aws-smithy-mocks into one client while every
//! other client talks to a real moto server: throttling is retried until the full inventory
//! is in, and AccessDenied on one service becomes a warning while the rest is collected.

use std::time::Duration;

use aws_sdk_ec2::error::ErrorMetadata;
use aws_sdk_ec2::operation::describe_vpcs::{DescribeVpcsError, DescribeVpcsOutput};
use aws_sdk_rds::operation::describe_db_instances::DescribeDBInstancesError;
use aws_smithy_mocks::{MockResponseInterceptor, RuleMode, mock};
use hacheck::collect::{collect_with, retry_config};

use crate::support::faults::{Fault, FaultyClient};
use crate::support::moto::{Moto, REGION};

#[tokio::test]
async fn throttled_calls_are_retried_and_the_inventory_is_complete() {
    let moto = Moto::start();
    let mut clients = moto.region_clients().await;
    let throttled = mock!(aws_sdk_ec2::Client::describe_vpcs)
        .sequence()
        .error(|| {
            DescribeVpcsError::generic(
                ErrorMetadata::builder()
                    .code("RequestLimitExceeded")
                    .message("Request limit exceeded.")
                    .build(),
            )
        })
        .times(3)
        .output(|| {
            DescribeVpcsOutput::builder()
                .vpcs(
                    aws_sdk_ec2::types::Vpc::builder()
                        .vpc_id("vpc-after-throttling")
                        .cidr_block("10.9.0.0/16")
                        .build(),
                )
                .build()
        })
        .build();
    let config = aws_sdk_ec2::config::Builder::from(&moto.sdk_config().await)
        .retry_config(retry_config().with_initial_backoff(Duration::from_millis(5)))
        .interceptor(
            MockResponseInterceptor::new()
                .rule_mode(RuleMode::MatchAny)
                .with_rule(&throttled)
                .allow_passthrough(),
        )
        .build();
    clients.ec2 = aws_sdk_ec2::Client::from_conf(config);

    let inventory = collect_with("123456789012".into(), &[clients], None, &|_, _, _, _| {}).await;
    assert_eq!(
        throttled.num_calls(),
        4,
        "three throttled attempts, then the answer"
    );
    assert!(inventory.warnings.is_empty(), "{:?}", inventory.warnings);
    assert_eq!(inventory.vpcs.len(), 1);
    assert_eq!(inventory.vpcs[0].id, "vpc-after-throttling");
    assert!(
        !inventory.subnets.is_empty(),
        "the other EC2 calls went to moto"
    );
}

#[tokio::test]
async fn access_denied_on_one_service_is_a_warning_and_the_rest_is_collected() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    let subnets = aws_sdk_ec2::Client::new(&config)
        .describe_subnets()
        .send()
        .await
        .unwrap();
    let mut create = aws_sdk_rds::Client::new(&config)
        .create_db_subnet_group()
        .db_subnet_group_name("app-db")
        .db_subnet_group_description("app");
    for subnet in subnets.subnets().iter().take(2) {
        create = create.subnet_ids(subnet.subnet_id().unwrap());
    }
    create.send().await.unwrap();
    let mut clients = moto.region_clients().await;
    let denied = mock!(aws_sdk_rds::Client::describe_db_instances)
        .sequence()
        .error(|| {
            DescribeDBInstancesError::generic(
                ErrorMetadata::builder()
                    .code("AccessDenied")
                    .message("User: arn:aws:iam::123456789012:user/audit is not authorized to perform: rds:DescribeDBInstances")
                    .build(),
            )
        })
        .repeatedly()
        .build();
    let config = aws_sdk_rds::config::Builder::from(&moto.sdk_config().await)
        .interceptor(
            MockResponseInterceptor::new()
                .rule_mode(RuleMode::MatchAny)
                .with_rule(&denied)
                .allow_passthrough(),
        )
        .build();
    clients.rds = aws_sdk_rds::Client::from_conf(config);

    let inventory = collect_with("123456789012".into(), &[clients], None, &|_, _, _, _| {}).await;
    assert_eq!(denied.num_calls(), 1, "AccessDenied is not retried");
    assert_eq!(inventory.warnings.len(), 1, "{:?}", inventory.warnings);
    let warning = &inventory.warnings[0];
    assert_eq!(
        (
            warning.service.as_str(),
            warning.region.as_str(),
            warning.operation.as_str(),
            warning.code.as_str()
        ),
        ("rds", REGION, "DescribeDBInstances", "AccessDenied")
    );
    assert!(warning.message.contains("rds:DescribeDBInstances"));
    assert!(!inventory.vpcs.is_empty(), "EC2 was still collected");
    assert!(
        inventory
            .db_subnet_groups
            .iter()
            .any(|g| g.name == "app-db"),
        "the other RDS call still ran"
    );
}

/// Collects moto's account through `fault`, with a short retry back-off so the test is quick.
async fn collect_through(
    moto: &Moto,
    fault: Option<Fault>,
) -> (hacheck::inventory::Inventory, (usize, usize)) {
    let base = moto.sdk_config().await;
    // moto speaks plain HTTP; the real client is wrapped, not replaced.
    let http = aws_smithy_http_client::Builder::new().build_http();
    let faulty = fault.map(|fault| FaultyClient::new(http, fault));
    let mut builder = base
        .to_builder()
        .retry_config(retry_config().with_initial_backoff(Duration::from_millis(5)));
    if let Some(faulty) = &faulty {
        builder = builder.http_client(faulty.clone());
    }
    let base = builder.build();
    let context = hacheck::collect::AwsContext {
        base: base.clone(),
        regions: vec![REGION.to_owned()],
        calls: hacheck::collect::CallCounter::default(),
        account: None,
    };
    let clients = hacheck::collect::RegionClients::new(&context, REGION);
    let global = hacheck::collect::GlobalClients::new(&context);
    let mut inventory = collect_with(
        "123456789012".into(),
        &[clients],
        Some(global),
        &|_, _, _, _| {},
    )
    .await;
    inventory.collected_at.clear();
    (inventory, faulty.map_or((0, 0), |f| f.counts()))
}

#[tokio::test]
async fn throttling_and_server_errors_on_thirty_percent_of_calls_change_nothing() {
    let moto = Moto::start();
    crate::scope_live::seed_real_account(&moto).await;
    let (clean, _) = collect_through(&moto, None).await;
    let (faulty, (injected, requests)) =
        collect_through(&moto, Some(Fault::Transient { percent: 30 })).await;
    let first_attempts = requests - injected;
    assert!(first_attempts > 25, "{first_attempts} calls");
    assert_eq!(
        injected,
        first_attempts * 30 / 100,
        "30 % of the calls failed once"
    );
    assert!(faulty.warnings.is_empty(), "{:?}", faulty.warnings);
    assert_eq!(
        hacheck::snapshot::to_json(&faulty),
        hacheck::snapshot::to_json(&clean),
        "the same inventory, so the same findings"
    );
}

#[tokio::test]
async fn a_truncated_or_malformed_answer_is_one_warning_naming_the_operation() {
    let moto = Moto::start();
    crate::scope_live::seed_real_account(&moto).await;
    let (clean, _) = collect_through(&moto, None).await;
    for (fault, service, operation) in [
        (
            Fault::Truncate {
                action: "Action=DescribeDBInstances",
            },
            "rds",
            "DescribeDBInstances",
        ),
        (
            Fault::Malformed {
                action: "Action=DescribeAlarms",
            },
            "cloudwatch",
            "DescribeAlarms",
        ),
    ] {
        let (inventory, (injected, _)) = collect_through(&moto, Some(fault)).await;
        assert!(injected >= 1, "{fault:?}");
        assert_eq!(
            inventory.warnings.len(),
            1,
            "{fault:?}: {:?}",
            inventory.warnings
        );
        let warning = &inventory.warnings[0];
        assert_eq!(
            (warning.service.as_str(), warning.operation.as_str()),
            (service, operation)
        );
        assert_eq!(warning.message.lines().count(), 1, "{warning:?}");
        assert!(
            !warning.message.contains("Error {"),
            "no Debug dump: {warning:?}"
        );
        // Everything the failed call did not cover is collected as in a clean run.
        assert_eq!(inventory.vpcs, clean.vpcs);
        assert_eq!(inventory.auto_scaling_groups, clean.auto_scaling_groups);
        assert_eq!(inventory.load_balancers, clean.load_balancers);
    }
}
