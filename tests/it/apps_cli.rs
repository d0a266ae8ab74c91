//! `hacheck apps` on the bundled examples: members, and the paths by which users reach each
//! application, as a table and as JSON.

use crate::support::{assert_exit, hacheck, stdout};

fn apps(args: &[&str]) -> String {
    let output = hacheck().arg("apps").args(args).output().unwrap();
    assert_exit(&output, 0);
    stdout(&output)
}

#[test]
fn the_table_says_how_users_reach_each_application() {
    let table = apps(&["--example", "compliant"]);
    let reached: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("reached:"))
        .collect();
    assert_eq!(
        reached,
        [
            "reached: internet → load balancer shop-alb :443/tcp → target group shop-tg → Auto Scaling group shop-asg :8080/tcp",
            "reached: internet → load balancer shop-alb :443/tcp → target group shop-tg → instance i-0app0a :8080/tcp",
            "reached: internet → load balancer shop-alb :443/tcp → target group shop-tg → instance i-0app0b :8080/tcp",
            "reached: internet → load balancer shop-alb :80/tcp → redirect to :443",
        ]
    );
    // The seed's application is its public instance itself, on every port it opens to the world
    // but SSH.
    let table = apps(&["--example", "single-server"]);
    let reached: Vec<&str> = table
        .lines()
        .filter(|l| l.starts_with("reached:"))
        .collect();
    assert_eq!(reached.len(), 3, "{table}");
    assert!(
        reached
            .iter()
            .all(|l| l.contains("instance i-1swiftcode 203.0.113.10"))
    );
    assert!(!table.contains(":22/tcp"), "{table}");
}

#[test]
fn json_lists_the_paths_beside_the_model() {
    let document: serde_json::Value =
        serde_json::from_str(&apps(&["--example", "compliant", "--format", "json"])).unwrap();
    assert_eq!(document["applications"][0]["name"], "shop-alb");
    let paths = document["paths"].as_array().unwrap();
    assert_eq!(paths.len(), 4);
    assert_eq!(paths[0]["application"], "shop-alb");
    assert_eq!(paths[0]["entry"], "load balancer shop-alb :443/tcp");
    assert_eq!(paths[0]["through"][0], "target group shop-tg");
}
