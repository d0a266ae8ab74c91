//! Benchmark: `scan --terraform-plan` of a plan of about 1,000 resource instances (the
//! committed reference-architecture plan called as 24 modules, each with its own names),
//! read, resolved, converted, indexed, modelled and judged by the whole pack. Prints the
//! median of several runs of each stage; asserts nothing.
//!
//! cargo bench --bench terraform_plan

use std::time::{Duration, Instant};

use hacheck::terraform::TerraformOptions;

mod support;

const COPIES: usize = 24;
const RUNS: usize = 9;

/// The committed plan, its resources and configuration called as module `app{n}`, `COPIES`
/// times, each copy's names made its own.
fn plan() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/terraform/ha-web/plan.json"
    );
    let original: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut plan = original.clone();
    let mut changes = Vec::new();
    let mut calls = serde_json::Map::new();
    for n in 0..COPIES {
        let renamed = |value: &serde_json::Value| -> serde_json::Value {
            let text = serde_json::to_string(value)
                .unwrap()
                .replace("shop-", &format!("shop{n}-"))
                .replace("shop.example.com", &format!("shop{n}.example.com"));
            serde_json::from_str(&text).unwrap()
        };
        for change in original["resource_changes"].as_array().unwrap() {
            let mut change = renamed(change);
            let address = change["address"].as_str().unwrap().to_owned();
            change["address"] = format!("module.app{n}.{address}").into();
            let module = change["module_address"]
                .as_str()
                .map_or(format!("module.app{n}"), |m| format!("module.app{n}.{m}"));
            change["module_address"] = module.into();
            changes.push(change);
        }
        calls.insert(
            format!("app{n}"),
            serde_json::json!({"source": "./app", "module": renamed(&original["configuration"]["root_module"])}),
        );
    }
    plan["resource_changes"] = changes.into();
    plan["configuration"]["root_module"] = serde_json::json!({"module_calls": calls});
    plan
}

fn main() {
    let dir = std::env::temp_dir().join(format!("hacheck-terraform-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("plan.json");
    let plan = plan();
    let instances = plan["resource_changes"].as_array().unwrap().len();
    std::fs::write(&path, serde_json::to_string(&plan).unwrap()).unwrap();
    let options = TerraformOptions {
        plan: path,
        dir: None,
        region: "us-east-1".into(),
        account: hacheck::template::PLACEHOLDER_ACCOUNT.into(),
    };
    let text = std::fs::read_to_string(&options.plan).unwrap();
    let parse: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let json: serde_json::Value = serde_json::from_str(&text).unwrap();
            std::hint::black_box(json);
            start.elapsed()
        })
        .collect();
    let stages = support::scan(RUNS, || {
        hacheck::terraform::load(&options).expect("the plan loads")
    });
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "plan of {instances} resource instances → {} inventory resources, {} results ({} failing)",
        stages.resources, stages.results, stages.failing
    );
    println!(
        "read + resolve + convert:      {:>8.1} ms (median of {RUNS}; parsing the {} MB of JSON alone {:.1} ms)",
        support::median(&stages.load),
        text.len() / 1_000_000,
        support::median(&parse)
    );
    println!(
        "judge (model and pack):        {:>8.1} ms",
        support::median(&stages.judge)
    );
    println!(
        "total:                         {:>8.1} ms",
        support::median(&stages.total)
    );
}
