//! The same stack in two regions of one account, against moto: every lookup is keyed by
//! account, region and id, so one region's resources never answer for the other's.

use aws_config::Region;

use crate::support::moto::Moto;
use crate::support::{assert_exit, stdout};

const WEST: &str = "us-west-2";

/// The bundled spec, moved to `region` with its public name `record`: the resource names
/// (`shop-…`) stay the same, as in a stack deployed to two regions.
fn spec_in(region: &str, record: &str) -> String {
    std::fs::read_to_string(crate::support::example("stack.toml"))
        .unwrap()
        .replace("region = \"us-east-1\"", &format!("region = \"{region}\""))
        .replace("us-east-1a", &format!("{region}a"))
        .replace("us-east-1b", &format!("{region}b"))
        .replace("shop.example.com", record)
}

#[tokio::test]
async fn a_region_missing_its_alarms_fails_alone_though_the_other_has_the_same_names() {
    let moto = Moto::start();
    let config = moto.sdk_config().await;
    aws_sdk_route53::Client::new(&config)
        .create_hosted_zone()
        .name("example.com")
        .caller_reference("two-regions")
        .send()
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (region, record) in [
        ("us-east-1", "shop.example.com"),
        (WEST, "shop-west.example.com"),
    ] {
        let spec = dir.path().join(format!("{region}.toml"));
        std::fs::write(&spec, spec_in(region, record)).unwrap();
        let output = moto
            .hacheck_in(&[region])
            .args(["fix", "--apply", "--yes", "--unsafe", "--spec"])
            .arg(&spec)
            .arg("--journal")
            .arg(dir.path().join(format!("{region}.journal")))
            .output()
            .unwrap();
        let err = assert_exit(&output, 0);
        assert!(err.contains(" 0 refused or failed"), "{region}: {err}");
    }

    // us-west-2's copy loses its CPU alarms; us-east-1's alarms have the same names.
    let west = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(&config)
            .region(Region::new(WEST))
            .build(),
    );
    let alarms: Vec<String> = west
        .describe_alarms()
        .send()
        .await
        .unwrap()
        .metric_alarms()
        .iter()
        .filter_map(|a| a.alarm_name().map(str::to_owned))
        .collect();
    assert!(!alarms.is_empty(), "the spec made alarms in {WEST}");
    west.delete_alarms()
        .set_alarm_names(Some(alarms))
        .send()
        .await
        .unwrap();

    let output = moto
        .hacheck_in(&["us-east-1", WEST])
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    assert_exit(&output, 1);
    let report: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let verdicts = |rule: &str| -> Vec<(String, String, String)> {
        let mut found: Vec<(String, String, String)> = report["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["rule_id"] == rule)
            .map(|r| {
                (
                    r["resource"]["region"].as_str().unwrap().to_owned(),
                    r["resource"]["id"].as_str().unwrap().to_owned(),
                    r["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        found.sort();
        found
    };
    for rule in ["HA014", "HA015"] {
        let found = verdicts(rule);
        let groups: Vec<&str> = found.iter().map(|(_, id, _)| id.as_str()).collect();
        assert_eq!(groups.len(), 2, "{rule}: {found:?}");
        assert_eq!(
            groups[0], groups[1],
            "{rule}: one name in both regions: {found:?}"
        );
        assert_eq!(
            found
                .iter()
                .map(|(region, _, status)| (region.as_str(), status.as_str()))
                .collect::<Vec<_>>(),
            vec![("us-east-1", "pass"), (WEST, "fail")],
            "{rule}"
        );
    }
}
