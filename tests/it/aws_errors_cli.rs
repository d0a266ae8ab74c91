//! One-line errors when AWS cannot be reached: an unreachable endpoint, missing credentials,
//! no region.

use crate::support::moto::{Moto, REGION};
use crate::support::{assert_exit, hacheck};

#[tokio::test]
async fn unreachable_endpoint_is_a_one_line_error() {
    let output = hacheck()
        .args([
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--region",
            REGION,
            "inventory",
        ])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with(
            "error: cannot identify the AWS account (DispatchFailure): dispatch failure: io error"
        ),
        "{err}"
    );
    // The causes in words, never the SDK's `Debug` dump of them.
    assert!(
        !err.contains("DispatchFailure {") && !err.contains("ConnectorError"),
        "{err}"
    );
}

#[tokio::test]
async fn missing_credentials_is_a_one_line_error() {
    let moto = Moto::start();
    let output = hacheck()
        .args([
            "--endpoint-url",
            &moto.endpoint,
            "--region",
            REGION,
            "inventory",
        ])
        .output()
        .unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("credentials"), "{err}");
}

#[test]
fn missing_region_is_a_one_line_error() {
    let output = hacheck().arg("inventory").output().unwrap();
    let err = assert_exit(&output, 2);
    assert_eq!(
        err.trim(),
        "error: no AWS region: pass `--region` or set `AWS_REGION` or a region in your AWS profile"
    );
}
