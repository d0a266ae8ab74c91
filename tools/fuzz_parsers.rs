//! A bounded mutation fuzzer for the parsers of user input: snapshots, CloudFormation
//! templates (read, judged and written back as a fix), stack specs, config and suppressions. It mutates the bundled examples (flip, delete, duplicate, truncate,
//! splice in hostile tokens) and checks that every parse ends in a value or in an error of
//! one line — never a panic. cargo-fuzz needs a nightly toolchain; this runs on stable.
//!
//! ./scripts/fuzz-parsers [SECONDS] [SEED]   (not part of CI: it runs for a bounded time)

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

/// xorshift64*: small, deterministic from its seed, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "\"",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "null",
    "true",
    "-1",
    "0",
    "1e999",
    "-0.0",
    "99999999999999999999",
    "\u{0}",
    "\u{feff}",
    "\\u0000",
    "\"\\ud800\"",
    "= ",
    "[[",
    "]]",
    "\n[app]\n",
    "\n[network]\n",
    "0.0.0.0/0",
    "/33",
    "\"\"\"",
    "'",
    "#",
    "\u{10ffff}",
    "!Ref ",
    "!GetAtt ",
    "!Sub '${",
    "!If [",
    "&a ",
    "*a",
    "\t",
    "\r\n",
    "\n---\n",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..=rng.below(4) {
        let at = rng.below(bytes.len() + 1);
        match rng.below(5) {
            0 if !bytes.is_empty() => {
                let at = at.min(bytes.len() - 1);
                bytes[at] ^= 1 << rng.below(8);
            }
            1 => {
                let end = (at + rng.below(64)).min(bytes.len());
                bytes.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(256)).min(bytes.len());
                let copy = bytes[at..end].to_vec();
                let to = rng.below(bytes.len() + 1);
                bytes.splice(to..to, copy);
            }
            3 => bytes.truncate(at),
            _ => {
                let token = TOKENS[rng.below(TOKENS.len())].as_bytes();
                bytes.splice(at..at, token.iter().copied());
            }
        }
    }
    bytes
}

/// Parses `bytes` as `kind`; `Err` holds the error line.
fn parse(kind: &str, bytes: &[u8], scratch: &Path) -> Result<(), String> {
    let text = String::from_utf8_lossy(bytes);
    let origin = Path::new("fuzzed");
    fn line(error: &(dyn std::error::Error + 'static)) -> String {
        hacheck::error_line(error)
    }
    match kind {
        "snapshot" => hacheck::snapshot::parse(&text, origin)
            .map(drop)
            .map_err(|e| line(&e)),
        "suppressions" => hacheck::suppress::Suppressions::parse(&text, origin, |_| true)
            .map(drop)
            .map_err(|e| line(&e)),
        "spec" | "config" => {
            let file = scratch.join(format!("{kind}.toml"));
            std::fs::write(&file, bytes).unwrap();
            if kind == "spec" {
                hacheck::plan::spec::Spec::load(&file)
                    .map(drop)
                    .map_err(|e| line(&e))
            } else {
                hacheck::config::Config::load(Some(&file))
                    .map(drop)
                    .map_err(|e| line(&e))
            }
        }
        "template" => {
            let file = scratch.join("template.yaml");
            std::fs::write(&file, bytes).unwrap();
            let options = hacheck::template::TemplateOptions {
                paths: vec![file],
                parameters: Vec::new(),
                region: "us-east-1".into(),
                account: hacheck::template::PLACEHOLDER_ACCOUNT.into(),
            };
            let inventory = hacheck::template::load(&options).map_err(|e| line(&e))?;
            // What reads a template must also judge it and write its fix without a panic.
            let index = std::sync::Arc::new(hacheck::inventory::Index::new(inventory));
            let model = hacheck::apps::discover(
                &index,
                hacheck::apps::Scope::Account,
                &Default::default(),
                &[],
            );
            let policies = hacheck::policy::PolicySet::load(&[]).expect("pack loads");
            let findings = policies
                .evaluate(&index, &model, &Default::default())
                .findings;
            let open: Vec<_> = findings.into_iter().filter(|f| f.failed()).collect();
            if let Ok(plan) =
                hacheck::plan::plan(&index, &model, &policies, &open, &Default::default())
            {
                hacheck::template::edit::plan_edits(&plan, &index);
            }
            Ok(())
        }
        _ => unreachable!(),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args
        .next()
        .map_or(60, |s| s.parse().expect("SECONDS is a number"));
    let seed: u64 = args.next().map_or_else(
        || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        },
        |s| s.parse().expect("SEED is a number"),
    );
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read(root.join(path)).unwrap();
    let corpus: Vec<(&str, Vec<u8>)> = vec![
        ("snapshot", read("examples/single-server.json")),
        ("snapshot", read("examples/compliant.json")),
        ("spec", read("examples/stack.toml")),
        ("template", read("examples/templates/ha-web.yaml")),
        ("template", read("examples/templates/single-server.yaml")),
        ("template", read("tests/fixtures/templates/app.yaml")),
        ("config", b"[policies.HA004]\nmin_size = 3\n[scope]\nbastion_tag = \"role=bastion\"\n[[apps]]\nname = \"shop\"\ninclude = [{ tag = \"app=shop\" }]\n".to_vec()),
        ("suppressions", b"[[suppress]]\nrule = \"HA001\"\nresource = \"i-*\"\nreason = \"migration\"\nexpires = 2027-01-01\n".to_vec()),
    ];
    let scratch = std::env::temp_dir().join(format!("hacheck-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let failures_dir = root.join("target/fuzz-failures");
    std::panic::set_hook(Box::new(|_| {}));

    let mut rng = Rng(seed);
    let (mut runs, mut accepted, mut failures) = (0u64, 0u64, 0u64);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    while Instant::now() < deadline {
        let (kind, input) = &corpus[rng.below(corpus.len())];
        let bytes = mutate(&mut rng, input);
        runs += 1;
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| parse(kind, &bytes, &scratch)));
        let problem = match outcome {
            Ok(Ok(())) => {
                accepted += 1;
                None
            }
            Ok(Err(message)) if message.contains('\n') => {
                Some(format!("multi-line error: {message:?}"))
            }
            Ok(Err(_)) => None,
            Err(_) => Some("panic".to_owned()),
        };
        if let Some(problem) = problem {
            failures += 1;
            std::fs::create_dir_all(&failures_dir).unwrap();
            let saved = failures_dir.join(format!("{kind}-{seed}-{runs}"));
            std::fs::write(&saved, &bytes).unwrap();
            println!("{kind}: {problem} (input saved to {})", saved.display());
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    println!(
        "seed {seed}: {runs} inputs in {seconds} s, {accepted} accepted, {} refused with one line, {failures} failures",
        runs - accepted - failures
    );
    std::process::exit(i32::from(failures > 0));
}
