//! A moto server for one test at a time: started on a free loopback port, given back when
//! dropped (also when the test panics) and reset for the next test, killed when the test
//! process ends. `scripts/test` installs moto and sets `HACHECK_MOTO_SERVER`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_ec2::config::Credentials;

pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// Runs moto (`$1`) on a port the system picks, kills it when stdin reaches end of file,
/// and exits when moto does. (A background job's stdin is /dev/null, hence descriptor 3.)
const WATCHDOG: &str = r#"exec 3<&0; "$1" -H 127.0.0.1 -p 0 </dev/null & server=$!; { read _ignored <&3; kill $server; } & wait $server"#;

pub struct Moto {
    child: Option<Child>,
    port: u16,
    pub endpoint: String,
}

/// Servers a finished test gave back: the next test resets one (moto's `/moto-api/reset`)
/// instead of starting another Python process, which costs seconds of CPU each.
static IDLE: std::sync::Mutex<Vec<(Child, u16)>> = std::sync::Mutex::new(Vec::new());

fn moto_binary() -> PathBuf {
    std::env::var_os("HACHECK_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/moto_server"))
}

/// A program of the test venv `scripts/test` installs moto into (`python`, `cfn-lint`):
/// beside its moto server.
pub fn venv_tool(name: &str) -> PathBuf {
    let tool = moto_binary().with_file_name(name);
    assert!(
        tool.exists(),
        "the test venv's {name} is not at {}: run the tests with ./scripts/test",
        tool.display()
    );
    tool
}

impl Moto {
    /// Starts moto on a port the system picks (`-p 0`), read back from its log line
    /// `Running on http://127.0.0.1:PORT`: no window in which two tests can pick one port.
    pub fn start() -> Moto {
        loop {
            let Some((mut child, port)) = IDLE
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .pop()
            else {
                break;
            };
            // A fresh account: every backend reset; a server that died is dropped.
            if matches!(child.try_wait(), Ok(None))
                && http_request_status(port, "POST", "/moto-api/reset") == Some(200)
            {
                return Moto {
                    child: Some(child),
                    port,
                    endpoint: format!("http://127.0.0.1:{port}"),
                };
            }
            drop(child.stdin.take());
            let _ = child.wait();
        }
        let binary = moto_binary();
        assert!(
            binary.exists(),
            "moto server not found at {}: run the tests with ./scripts/test",
            binary.display()
        );
        // Through a shell that stops moto when our end of its stdin closes, so that a
        // test process that dies without running destructors (an abort) leaves no server.
        let mut child = Command::new("sh")
            .args(["-c", WATCHDOG, "moto-watchdog"])
            .arg(&binary)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("moto_server starts");
        let (sender, receiver) = std::sync::mpsc::channel();
        let log = child.stderr.take().expect("stderr is piped");
        // Reads the port, then keeps draining moto's request log so that it never blocks
        // (`HACHECK_MOTO_LOG=1` prints it, tracebacks of its HTTP 500 answers included).
        let echo = std::env::var_os("HACHECK_MOTO_LOG").is_some();
        std::thread::spawn(move || {
            let mut sender = Some(sender);
            for line in std::io::BufRead::lines(std::io::BufReader::new(log)).map_while(Result::ok)
            {
                if echo {
                    eprintln!("moto: {line}");
                }
                if let Some(port) = line
                    .split("http://127.0.0.1:")
                    .nth(1)
                    .and_then(|rest| rest.trim().parse::<u16>().ok())
                    && let Some(sender) = sender.take()
                {
                    let _ = sender.send(port);
                }
            }
        });
        let port = receiver
            .recv_timeout(Duration::from_secs(60))
            .expect("moto_server reports its port");
        let mut moto = Moto {
            child: Some(child),
            port,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        assert!(
            moto.wait_ready(port),
            "moto server on port {port} did not answer"
        );
        moto
    }

    fn wait_ready(&mut self, port: u16) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Some(Ok(Some(_))) = self.child.as_mut().map(Child::try_wait) {
                return false;
            }
            if http_get_status(port, "/moto-api/data.json") == Some(200) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// SDK configuration for seeding the server.
    pub async fn sdk_config(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .http_client(hacheck::collect::https_client())
            .region(Region::new(REGION))
            .endpoint_url(&self.endpoint)
            .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
            .load()
            .await
    }

    /// The hacheck binary, pointed at this server with test credentials.
    pub fn hacheck(&self) -> Command {
        self.hacheck_in(&[REGION])
    }

    /// The hacheck binary, pointed at this server's `regions`.
    pub fn hacheck_in(&self, regions: &[&str]) -> Command {
        let mut command = super::hacheck();
        command.args(["--endpoint-url", &self.endpoint]);
        for region in regions {
            command.args(["--region", region]);
        }
        command
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing");
        command
    }
}

impl Moto {
    /// hacheck's service clients for this server's region, for tests that swap one out.
    pub async fn region_clients(&self) -> hacheck::collect::RegionClients {
        let context = hacheck::collect::AwsContext {
            base: self.sdk_config().await,
            regions: vec![REGION.to_owned()],
            calls: hacheck::collect::CallCounter::default(),
            account: None,
        };
        hacheck::collect::RegionClients::new(&context, REGION)
    }

    /// `RULE resource` of every failing result of a live scan of this server.
    pub fn failing_findings(&self) -> Vec<String> {
        let output = self
            .hacheck()
            .args(["scan", "--format", "json"])
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_str(&super::stdout(&output)).unwrap();
        failing_results(&report)
    }
}

impl Moto {
    /// Gives each Auto Scaling group's instances the security groups of the launch template
    /// version they were launched from, as AWS does (moto launches them in the VPC's
    /// default group, notes/moto-quirks.md): what a stack that hacheck or Terraform built
    /// would look like on AWS, so that the paths into it are AWS's.
    pub async fn give_group_instances_their_launch_groups(&self) {
        let config = self.sdk_config().await;
        let autoscaling = aws_sdk_autoscaling::Client::new(&config);
        let ec2 = aws_sdk_ec2::Client::new(&config);
        let groups = autoscaling
            .describe_auto_scaling_groups()
            .send()
            .await
            .unwrap();
        for group in groups.auto_scaling_groups() {
            let Some(template) = group.launch_template() else {
                continue;
            };
            let versions = ec2
                .describe_launch_template_versions()
                .set_launch_template_id(template.launch_template_id().map(str::to_owned))
                .set_launch_template_name(template.launch_template_name().map(str::to_owned))
                .versions(template.version().unwrap_or("$Default"))
                .send()
                .await
                .unwrap();
            let Some(data) = versions
                .launch_template_versions()
                .first()
                .and_then(|v| v.launch_template_data())
            else {
                continue;
            };
            let mut security_groups: Vec<String> = data.security_group_ids().to_vec();
            for interface in data.network_interfaces() {
                security_groups.extend(interface.groups().iter().cloned());
            }
            if security_groups.is_empty() {
                continue;
            }
            for instance in group.instances() {
                ec2.modify_instance_attribute()
                    .instance_id(instance.instance_id().unwrap())
                    .set_groups(Some(security_groups.clone()))
                    .send()
                    .await
                    .unwrap();
            }
        }
    }
}

/// Turns a load balancer's deletion protection on, as a well-kept account has it (HA022).
pub async fn protect_from_deletion(elb: &aws_sdk_elasticloadbalancingv2::Client, arn: &str) {
    elb.modify_load_balancer_attributes()
        .load_balancer_arn(arn)
        .attributes(
            aws_sdk_elasticloadbalancingv2::types::LoadBalancerAttribute::builder()
                .key("deletion_protection.enabled")
                .value("true")
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// `fix` options that leave out the placement-bound rule with a plan step: moto never
/// rebalances a group, so HA033's manual step stays in every second plan of a stack whose
/// group moto launched.
pub const IGNORE_PLACEMENT: [&str; 2] = ["--ignore", "HA033"];

/// `RULE resource` of every failing result of a JSON scan report, except those
/// [`is_placement_bound`].
pub fn failing_results(report: &serde_json::Value) -> Vec<String> {
    failing_results_where(report, |r| !is_placement_bound(r))
}

/// `RULE resource` of every failing result of a JSON scan report that `keep` keeps.
pub fn failing_results_where(
    report: &serde_json::Value,
    keep: impl Fn(&serde_json::Value) -> bool,
) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "fail" && keep(r))
        .map(|r| {
            format!(
                "{} {}",
                r["rule_id"].as_str().unwrap(),
                r["resource"]["id"].as_str().unwrap()
            )
        })
        .collect()
}

impl Drop for Moto {
    /// Gives the server back for the next test (it ends with the test process: the
    /// watchdog kills it when the process's end of its stdin closes).
    fn drop(&mut self) {
        if let Some(child) = self.child.take() {
            IDLE.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push((child, self.port));
        }
    }
}

fn http_get_status(port: u16, path: &str) -> Option<u16> {
    http_request_status(port, "GET", path)
}

impl Moto {
    /// Calls an AWS JSON-protocol operation (`CertificateManager.RequestCertificate`) of
    /// `service` (as its signing name, `acm`) for a service no SDK crate of the tests has.
    pub fn json_call(&self, service: &str, target: &str, body: &str) -> serde_json::Value {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        write!(
            stream,
            "POST / HTTP/1.0\r\nHost: 127.0.0.1\r\nX-Amz-Target: {target}\r\nContent-Type: application/x-amz-json-1.1\r\nAuthorization: AWS4-HMAC-SHA256 Credential=testing/20260101/{REGION}/{service}/aws4_request, SignedHeaders=host, Signature=0\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let (_, json) = answer.split_once("\r\n\r\n").unwrap();
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{target}: {e}: {answer}"))
    }
}

fn http_request_status(port: u16, method: &str, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    write!(
        stream,
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
    )
    .ok()?;
    let mut head = [0u8; 12];
    stream.read_exact(&mut head).ok()?;
    std::str::from_utf8(&head[9..12]).ok()?.parse().ok()
}

/// Whether a failure comes from moto's placement of Auto Scaling instances, which makes two
/// rules fail on every stack: the group's instances all run in one zone while the group
/// launches into others too.
///
/// HA018 (survives the loss of a zone) and HA033 (capacity balanced across zones) judge
/// where instances *run*, and moto puts every instance of a group into the group's first
/// subnet and the VPC's default security group (notes/moto-quirks.md): on moto, losing that
/// zone leaves no instance, no path reaches them to begin with, and the other zones hold
/// none. `spec_live` checks `whatif` and HA018 against moto on their own; the generated
/// accounts place instances as AWS would (one per zone, attached) and expect both rules.
pub fn is_placement_bound(result: &serde_json::Value) -> bool {
    let message = result["message"].as_str().unwrap_or_default();
    match result["rule_id"].as_str() {
        Some("HA018") => {
            message.contains("nothing serves until the group's replacements")
                // moto also launches them in the VPC's default security group, which admits
                // no load balancer: no path reaches them (whatif_cli checks that verdict
                // offline).
                || message.contains("reached by no path from the internet even before a zone is lost")
        }
        // Every instance in one zone, the others empty.
        Some("HA033") => result["evidence"]["instances_by_zone"]
            .as_object()
            .is_some_and(|zones| zones.values().filter(|n| n.as_i64() != Some(0)).count() == 1),
        _ => false,
    }
}
