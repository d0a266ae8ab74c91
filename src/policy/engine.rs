//! The one hardened Rhai engine every policy runs in.
//!
//! Scripts get no file, network or process access (Rhai has none unless registered) and no
//! `eval`. They run under limits on operations, call depth, expression depth, modules and
//! memory (see [`MAX_RESIDENT_BYTES`] for why not per-value sizes), so a runaway policy is
//! stopped and reported rather than hanging a CI job. `import` resolves only inside the
//! policy directories.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rhai::module_resolvers::ModuleResolver;
use rhai::{Dynamic, Engine, EvalAltResult, ImmutableString, Map, Position, Scope, Shared};

use super::view::InventoryView;

/// Operations every run may use whatever the inventory's size…
const BASE_OPERATIONS: u64 = 2_000_000;
/// …plus this many per resource in the inventory. A loop that never ends meets the limit.
const OPERATIONS_PER_RESOURCE: u64 = 2_000;

/// An engine for compiling and reading metadata: no imports, base limits.
pub fn build(embedded: Embedded, resource_count: usize) -> Engine {
    build_with_library(embedded, &[], resource_count)
}

/// Files compiled into the binary: (path relative to the pack, text).
pub type Embedded = &'static [(&'static str, &'static str)];

/// The built-in policy pack, whose `lib/` remediations import too.
pub const EMBEDDED_POLICIES: Embedded = crate::builtin::POLICIES;

/// The resident memory a policy run may reach before it is stopped. Rhai's own size limits
/// on strings, arrays and maps are not used: with any of them set, Rhai re-measures a whole
/// array after every `push`, which made building a verdict array quadratic (measured: the
/// pack over 100,000 resources did not finish in minutes). A ceiling on the process's
/// memory bounds runaway data just as well, at no cost per operation.
const MAX_RESIDENT_BYTES: u64 = 4 << 30;

/// Operations between two looks at the process's memory.
const MEMORY_CHECK_EVERY: u64 = 1 << 20;

/// Resident set size from `/proc/self/status` (Linux); `None` elsewhere.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Builds the engine. `import` reads from `policy_dirs` first, then the embedded pack.
pub fn build_with_library(
    embedded: Embedded,
    policy_dirs: &[PathBuf],
    resource_count: usize,
) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(BASE_OPERATIONS + OPERATIONS_PER_RESOURCE * resource_count as u64)
        .set_max_call_levels(48)
        .set_max_expr_depths(64, 64)
        .set_max_modules(64)
        .set_module_resolver(PolicyDirResolver::new(embedded, policy_dirs.to_vec()));
    engine.on_progress(|operations| {
        let over = operations % MEMORY_CHECK_EVERY == 0
            && resident_bytes().is_some_and(|rss| rss > MAX_RESIDENT_BYTES);
        over.then(|| format!("stopped: memory above {} GiB", MAX_RESIDENT_BYTES >> 30).into())
    });
    engine.disable_symbol("eval");
    engine.on_print(|text| tracing::info!(target: "hacheck::policy", "{text}"));
    engine.on_debug(|text, source, position| {
        tracing::debug!(target: "hacheck::policy", "{}:{position}: {text}", source.unwrap_or("?"))
    });
    InventoryView::register(&mut engine);
    register_verdicts(&mut engine);
    engine.register_fn("join", |items: rhai::Array, separator: &str| {
        items
            .iter()
            .map(|item| item.to_string())
            .collect::<Vec<_>>()
            .join(separator)
    });
    engine
}

/// `pass(resource, message[, evidence])` and `fail(…)`: the verdicts a policy returns.
fn register_verdicts(engine: &mut Engine) {
    fn verdict(
        status: &str,
        resource: &Dynamic,
        message: ImmutableString,
        evidence: Map,
    ) -> Dynamic {
        let mut result = Map::new();
        result.insert("status".into(), status.into());
        result.insert("resource".into(), resource.clone());
        result.insert("message".into(), message.into());
        result.insert("evidence".into(), evidence.into());
        result.into()
    }
    engine.register_fn("pass", |r: Dynamic, m: ImmutableString| {
        verdict("pass", &r, m, Map::new())
    });
    engine.register_fn("pass", |r: Dynamic, m: ImmutableString, e: Map| {
        verdict("pass", &r, m, e)
    });
    engine.register_fn("fail", |r: Dynamic, m: ImmutableString| {
        verdict("fail", &r, m, Map::new())
    });
    engine.register_fn("fail", |r: Dynamic, m: ImmutableString, e: Map| {
        verdict("fail", &r, m, e)
    });
}

/// Resolves `import "lib/ha" as ha;` to `<policy dir>/lib/ha.rhai` in the first user
/// directory that has it, else to the embedded pack's `lib/ha.rhai`. Absolute paths and
/// `..` are refused so a script cannot read outside the policy directories.
struct PolicyDirResolver {
    embedded: Embedded,
    dirs: Vec<PathBuf>,
    cache: Mutex<HashMap<String, Shared<rhai::Module>>>,
}

impl PolicyDirResolver {
    fn new(embedded: Embedded, dirs: Vec<PathBuf>) -> Self {
        PolicyDirResolver {
            embedded,
            dirs,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// (origin for messages, text) of the module at `relative` (without extension).
    fn find(&self, relative: &Path) -> Option<(String, std::io::Result<String>)> {
        let file = relative.with_extension("rhai");
        if let Some(path) = self
            .dirs
            .iter()
            .map(|dir| dir.join(&file))
            .find(|p| p.is_file())
        {
            return Some((path.display().to_string(), std::fs::read_to_string(&path)));
        }
        let key = file.to_string_lossy().replace('\\', "/");
        self.embedded
            .iter()
            .find(|(name, _)| *name == key)
            .map(|(name, text)| {
                (
                    format!("{}/{name}", super::BUILTIN_DIR),
                    Ok((*text).to_owned()),
                )
            })
    }
}

impl ModuleResolver for PolicyDirResolver {
    fn resolve(
        &self,
        engine: &Engine,
        _source: Option<&str>,
        path: &str,
        position: Position,
    ) -> Result<Shared<rhai::Module>, Box<EvalAltResult>> {
        let relative = Path::new(path);
        let confined = relative
            .components()
            .all(|c| matches!(c, Component::Normal(_)));
        if !confined {
            return Err(EvalAltResult::ErrorInModule(
                path.into(),
                format!("import of `{path}` refused: only paths inside the policy directories")
                    .into(),
                position,
            )
            .into());
        }
        let (origin, text) = self
            .find(relative)
            .ok_or_else(|| EvalAltResult::ErrorModuleNotFound(path.into(), position))?;
        if let Some(module) = self.cache.lock().expect("resolver cache").get(&origin) {
            return Ok(module.clone());
        }
        let text = text.map_err(|error| {
            EvalAltResult::ErrorInModule(path.into(), error.to_string().into(), position)
        })?;
        let mut ast = engine.compile(text).map_err(|error| {
            EvalAltResult::ErrorInModule(path.into(), EvalAltResult::from(error).into(), position)
        })?;
        ast.set_source(origin.as_str());
        let module = rhai::Module::eval_ast_as_new(Scope::new(), &ast, engine)
            .map_err(|error| EvalAltResult::ErrorInModule(path.into(), error, position))?;
        let module: Shared<rhai::Module> = module.into();
        self.cache
            .lock()
            .expect("resolver cache")
            .insert(origin, module.clone());
        Ok(module)
    }
}
