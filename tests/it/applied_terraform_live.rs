//! The committed Terraform configurations, planned and applied by real Terraform (1.11,
//! the AWS provider from the machine's local plugin mirror) into a moto server: the plan
//! Terraform prints is the committed one, and what it builds is judged as its plan was,
//! resource by resource (address ↔ id through the state).
//!
//! One test, named to start first: the apply waits on the provider's pollers for a minute
//! and more (its load balancer and database), which the fix round trips of other copies,
//! and the other tests' work, overlap.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::moto::{Moto, is_placement_bound};
use crate::template_cli::{root, scan_json};
use crate::terraform_cli::{committed_plan, statuses};

/// The local provider mirror, or why Terraform cannot run here.
fn mirror() -> Result<PathBuf, String> {
    let mirror = PathBuf::from(
        std::env::var("TF_PLUGIN_MIRROR").unwrap_or_else(|_| "/opt/tf-plugins".to_owned()),
    );
    let version = Command::new("terraform").arg("-version").output();
    match version {
        Ok(output) if output.status.success() && mirror.is_dir() => Ok(mirror),
        Ok(_) | Err(_) if !mirror.is_dir() => Err(format!(
            "no provider mirror at {} (set TF_PLUGIN_MIRROR)",
            mirror.display()
        )),
        _ => Err("`terraform` is not on PATH".to_owned()),
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("terraform");
    command
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .args(args)
        .arg("-no-color");
    command
}

/// `terraform ARGS` in `dir`; its stdout, or a panic with its stderr.
fn terraform(dir: &Path, args: &[&str]) -> String {
    let output = command(dir, args).output().unwrap();
    assert!(
        output.status.success(),
        "terraform {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// A copy of configuration `name` in a fresh directory, initialised from the mirror.
fn initialised(name: &str, mirror: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let source = root().join("tests/terraform").join(name);
    copy_dir(&source, dir.path());
    std::fs::remove_file(dir.path().join("plan.json")).unwrap();
    std::fs::write(
        dir.path().join("cli.tfrc"),
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{}\"\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }}\n}}\n",
            mirror.display()
        ),
    )
    .unwrap();
    terraform(dir.path(), &["init", "-input=false"]);
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// What a plan says will exist: each resource change's address, actions and planned
/// values (the timestamp and Terraform's own bookkeeping aside).
fn changes(plan: &serde_json::Value) -> Vec<(String, serde_json::Value, serde_json::Value)> {
    plan["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap().to_owned(),
                c["change"]["actions"].clone(),
                c["change"]["after"].clone(),
            )
        })
        .collect()
}

/// The configurations applied into moto.
const CONFIGURATIONS: [&str; 2] = ["ha-web", "single-server"];

/// A configuration fixed from its committed plan and planned again, not applied (its
/// Classic Load Balancer's fix is what it is for; an apply would add a minute of the
/// provider's waiters for nothing new).
const PLANNED_ONLY: &str = "classic-web";

/// The certificate the committed plan of `ha-web` names (its variable's default).
const COMMITTED_CERTIFICATE: &str =
    "arn:aws:acm:us-east-1:123456789012:certificate/00000000-1111-2222-3333-444444444444";

#[test]
fn the_configurations_planned_applied_and_fixed_by_terraform() {
    let mirror = match mirror() {
        Ok(mirror) => mirror,
        Err(why) => {
            eprintln!(
                "SKIPPED: Terraform cannot run here: {why}; the committed plans are still judged (terraform_cli)"
            );
            return;
        }
    };
    // Four chains at once: the applies wait on the provider's pollers most of the time, and
    // each Terraform command loads the provider anew, which the others overlap. The fix round
    // trips start once both applies have: on two cores, their plans would delay the applies.
    let (applying, applies_started) = std::sync::mpsc::channel::<()>();
    std::thread::scope(|scope| {
        for name in CONFIGURATIONS {
            let (mirror, applying) = (&mirror, applying.clone());
            scope.spawn(move || planned_applied_and_judged(name, mirror, applying));
        }
        drop(applying);
        // Each apply says when it has started; a chain that failed before says so by ending.
        for _ in CONFIGURATIONS {
            if applies_started.recv().is_err() {
                break;
            }
        }
        scope.spawn(|| {
            a_configuration_fixed_in_its_code_plans_and_passes(
                initialised("ha-web", &mirror).path(),
            )
        });
        scope.spawn(|| {
            a_classic_load_balancer_fixed_in_its_code_drains(
                initialised(PLANNED_ONLY, &mirror).path(),
            )
        });
    });
}

/// Configuration `name` planned once into its own moto server: applied as saved (`applying`
/// hears when), what it builds is judged as its committed plan was, and the plan Terraform
/// printed is the committed one.
fn planned_applied_and_judged(name: &str, mirror: &Path, applying: std::sync::mpsc::Sender<()>) {
    let copy = initialised(name, mirror);
    let dir = copy.path();
    let moto = Moto::start();
    let mut args = vec![
        "plan".to_owned(),
        "-input=false".to_owned(),
        "-out=tfplan".to_owned(),
        format!("-var=endpoint={}", moto.endpoint),
    ];
    let mut certificate = None;
    if name == "ha-web" {
        // The HTTPS listener's certificate must exist: moto issues one at once.
        let issued = moto.json_call(
            "acm",
            "CertificateManager.RequestCertificate",
            r#"{"DomainName": "shop.example.com"}"#,
        );
        let arn = issued["CertificateArn"].as_str().unwrap().to_owned();
        args.push(format!("-var=certificate_arn={arn}"));
        certificate = Some(arn);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    terraform(dir, &args);
    let mut apply = Applying(Some(
        command(dir, &["apply", "-input=false", "tfplan"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let _ = applying.send(());

    // While it applies: the plan is the committed one, the certificate moto issued standing
    // where the committed plan names the variable's default.
    let mut printed = terraform(dir, &["show", "-json", "tfplan"]);
    if let Some(arn) = &certificate {
        printed = printed.replace(arn.as_str(), COMMITTED_CERTIFICATE);
    }
    let printed: serde_json::Value = serde_json::from_str(&printed).unwrap();
    let committed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(committed_plan(name)).unwrap()).unwrap();
    assert_eq!(
        changes(&printed),
        changes(&committed),
        "the committed plan is what Terraform prints for {name}: run scripts/terraform-plans"
    );

    let output = apply.0.take().unwrap().wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "terraform apply of {name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Where AWS would have launched the group's instances: in the template's groups.
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(moto.give_group_instances_their_launch_groups());
    what_terraform_built_is_judged_as_its_plan(name, dir, &moto);
}

/// A `terraform apply` under way: killed and reaped if the test fails before it ends, so
/// that it builds nothing more in a moto server the next test takes (declared after the
/// server, it is dropped before the server is given back).
struct Applying(Option<std::process::Child>);

impl Drop for Applying {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Terraform's plan of the configuration in `dir` (written to `plan.json` there), as
/// `scan --terraform-plan` reports it in JSON.
fn planned_report(dir: &Path) -> serde_json::Value {
    terraform(dir, &["plan", "-input=false", "-out=tfplan"]);
    let json = terraform(dir, &["show", "-json", "tfplan"]);
    std::fs::write(dir.join("plan.json"), json).unwrap();
    let (_, report) = scan_json(&["--terraform-plan", dir.join("plan.json").to_str().unwrap()]);
    report
}

/// A configuration fixed by `fix --terraform-plan --write` plans again, and its plan passes
/// what failed.
fn a_configuration_fixed_in_its_code_plans_and_passes(dir: &Path) {
    let main = dir.join("main.tf");
    let text = std::fs::read_to_string(&main)
        .unwrap()
        .replacen(
            "multi_az                    = true",
            "multi_az                    = false",
            1,
        )
        .replacen(
            "min_size                  = 2",
            "min_size                  = 1",
            1,
        )
        .replacen("threshold           = 75", "threshold           = 90", 1);
    std::fs::write(&main, text).unwrap();
    let before = planned_report(dir);
    assert_eq!(
        crate::template_cli::verdicts(&before, "fail"),
        ["HA004", "HA012", "HA014"]
    );
    crate::terraform_cli::fix_written(dir, &[]);
    let after = planned_report(dir);
    assert_eq!(
        crate::template_cli::verdicts(&after, "fail"),
        Vec::<String>::new(),
        "{after:#}"
    );
}

/// The Classic Load Balancer's draining written by `fix --terraform-plan --write` (from the
/// committed plan, which fails HA027) is valid Terraform, and its new plan passes HA027.
fn a_classic_load_balancer_fixed_in_its_code_drains(dir: &Path) {
    std::fs::copy(committed_plan(PLANNED_ONLY), dir.join("plan.json")).unwrap();
    crate::terraform_cli::fix_written(dir, &[]);
    // The opt-in instance maintenance policy, a nested block, is written as Terraform takes it.
    crate::terraform_cli::fix_written(dir, &["--select", "HA034"]);
    let after = planned_report(dir);
    let passing = crate::template_cli::verdicts(&after, "pass");
    assert!(passing.contains(&"HA027".to_owned()), "{after:#}");
    let (_, policy) = scan_json(&[
        "--select",
        "HA034",
        "--terraform-plan",
        dir.join("plan.json").to_str().unwrap(),
    ]);
    assert_eq!(policy["results"][0]["status"], "pass", "{policy:#}");
}

/// Every result of the plan has its twin on the resource Terraform made of the address,
/// with the same verdict; changed beside Terraform, a resource is mended where Terraform
/// would keep it.
fn what_terraform_built_is_judged_as_its_plan(name: &str, dir: &Path, moto: &Moto) {
    let (_, from_plan) = scan_json(&["--terraform-plan", committed_plan(name).to_str().unwrap()]);
    let state: serde_json::Value =
        serde_json::from_str(&terraform(dir, &["show", "-json"])).unwrap();
    let output = moto
        .hacheck()
        .args(["scan", "--format", "json"])
        .output()
        .unwrap();
    let live: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));

    // Every result of the plan has its twin on the resource Terraform made of the address,
    // with the same verdict; what the plan could not know (an email recipient's
    // confirmation) is known now.
    let ids_of = |address: &str| -> Vec<String> {
        let mut found = Vec::new();
        collect_ids(&state["values"]["root_module"], address, &mut found);
        found
    };
    let mut compared = 0;
    for result in from_plan["results"].as_array().unwrap() {
        let address = result["location"]["logical_id"].as_str().unwrap();
        let rule = result["rule_id"].as_str().unwrap();
        let ids = ids_of(address);
        assert!(!ids.is_empty(), "{address} is in the state");
        let twin = live["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["rule_id"] == rule && ids.iter().any(|id| r["resource"]["id"] == id.as_str())
            })
            .unwrap_or_else(|| {
                panic!(
                    "{rule} on {address} ({ids:?}) is judged live: {:#?}",
                    statuses(&live)
                )
            });
        // moto starts every instance of a group in its first zone, which AWS does not.
        if result["status"] != "unknown" && !is_placement_bound(twin) {
            assert_eq!(
                twin["status"], result["status"],
                "{rule} on {address}: {twin:#}"
            );
        }
        compared += 1;
    }
    assert_eq!(compared, from_plan["results"].as_array().unwrap().len());
    assert!(compared >= 10, "{name}: {compared}");

    if name != "ha-web" {
        return;
    }
    // Changed beside Terraform, the group is mended where Terraform would keep it: its
    // step names the address and attribute, and nothing is applied here.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let config = moto.sdk_config().await;
        aws_sdk_autoscaling::Client::new(&config)
            .update_auto_scaling_group()
            .auto_scaling_group_name("shop-asg")
            .min_size(1)
            .desired_capacity(1)
            .send()
            .await
            .unwrap();
    });
    let state_file = dir.join("state.json");
    std::fs::write(&state_file, serde_json::to_string(&state).unwrap()).unwrap();
    let output = moto
        .hacheck()
        .args(["fix", "--terraform-state"])
        .arg(&state_file)
        .output()
        .unwrap();
    let shown = crate::support::stdout(&output);
    assert!(
        shown.contains("managed by Terraform (`aws_autoscaling_group.app`): change `min_size`"),
        "{shown}{}",
        crate::support::stderr(&output)
    );
}

/// The ids, ARNs and names the state gives the resource at `address`.
fn collect_ids(module: &serde_json::Value, address: &str, out: &mut Vec<String>) {
    for resource in module["resources"].as_array().into_iter().flatten() {
        if resource["address"] == address {
            let values = &resource["values"];
            for key in ["id", "arn", "name", "identifier"] {
                if let Some(value) = values[key].as_str() {
                    out.push(value.to_owned());
                }
            }
            // A record is known by its name and type.
            if let (Some(name), Some(kind)) = (values["fqdn"].as_str(), values["type"].as_str()) {
                out.push(format!("{}. {kind}", name.trim_end_matches('.')));
            }
        }
    }
    for child in module["child_modules"].as_array().into_iter().flatten() {
        collect_ids(child, address, out);
    }
}
