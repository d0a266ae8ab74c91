//! What the benchmarks of a whole scan of code (a template, a plan) share: each stage timed
//! over several runs — read and convert, index and model, the whole pack — and what the
//! last run found.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use hacheck::apps::{Scope, ScopeSettings};
use hacheck::inventory::{Index, Inventory};
use hacheck::policy::{ParamOverrides, PolicySet};

pub struct Stages {
    pub load: Vec<Duration>,
    pub judge: Vec<Duration>,
    pub total: Vec<Duration>,
    /// Of the last run: inventory resources, results, failing results, failures per rule.
    pub resources: usize,
    pub results: usize,
    pub failing: usize,
    pub failing_rules: BTreeMap<String, usize>,
}

/// Reads with `load` and judges with the whole built-in pack, `runs` times.
pub fn scan(runs: usize, load: impl Fn() -> Inventory) -> Stages {
    let set = PolicySet::load(&[]).expect("pack loads");
    let mut stages = Stages {
        load: Vec::new(),
        judge: Vec::new(),
        total: Vec::new(),
        resources: 0,
        results: 0,
        failing: 0,
        failing_rules: BTreeMap::new(),
    };
    for _ in 0..runs {
        let start = Instant::now();
        let inventory = load();
        let loaded = start.elapsed();
        stages.resources = inventory.resource_counts().iter().map(|(_, n)| n).sum();
        let index = std::sync::Arc::new(Index::new(inventory));
        let model = hacheck::apps::discover(&index, Scope::Apps, &ScopeSettings::default(), &[]);
        let judged = Instant::now();
        let evaluation = set.evaluate(&index, &model, &ParamOverrides::new());
        stages.judge.push(judged.elapsed());
        stages.load.push(loaded);
        stages.total.push(start.elapsed());
        stages.results = evaluation.findings.len();
        stages.failing_rules.clear();
        for finding in evaluation.findings.iter().filter(|f| f.failed()) {
            *stages
                .failing_rules
                .entry(finding.rule_id.clone())
                .or_insert(0) += 1;
        }
        stages.failing = stages.failing_rules.values().sum();
    }
    stages
}

/// The median of `times`, in milliseconds.
pub fn median(times: &[Duration]) -> f64 {
    let mut times = times.to_vec();
    times.sort();
    times[times.len() / 2].as_secs_f64() * 1e3
}
