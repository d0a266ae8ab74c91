//! The one hardened Rhai engine every policy runs in.
//!
//! Scripts get no file, network or process access (Rhai has none unless registered) and no
//! `eval`. They run under limits on operations, call depth, expression depth and modules, and
//! within the memory budget their caller gives them ([`crate::memory`]: why not Rhai's
//! per-value size limits), so a runaway policy is stopped and reported rather than hanging a
//! CI job or starving the machine. `import` resolves only inside the policy directories.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use rhai::module_resolvers::ModuleResolver;
use rhai::{Dynamic, Engine, EvalAltResult, INT, ImmutableString, Map, Position, Scope, Shared};

use super::view::InventoryView;
use crate::finding::Status;
use crate::memory;

/// Operations every run may use whatever the inventory's size…
const BASE_OPERATIONS: u64 = 2_000_000;
/// …plus this many per resource in the inventory. A loop that never ends meets the limit.
const OPERATIONS_PER_RESOURCE: u64 = 2_000;

/// Heap a script run may hold whatever the inventory's size…
const BASE_MEMORY: u64 = 32 << 20;
/// …plus this much per resource: set at twice what the heaviest built-in rule held per
/// resource on the 100,000-resource benchmark (HA002: 115 MiB for 60,050 judged resources),
/// three times what it holds since verdicts are one value (80 MiB, 2026-12-03).
const MEMORY_PER_RESOURCE: u64 = 4 << 10;

/// The heap one policy or remediation run may hold over an inventory of `resource_count`.
pub fn run_memory_budget(resource_count: usize) -> u64 {
    BASE_MEMORY + MEMORY_PER_RESOURCE * resource_count as u64
}

/// The heap an evaluation's runs may hold together: two runs' worth, so that parallel runs
/// near their own budget still finish, while a pack of them cannot multiply it by the cores.
pub fn evaluation_memory_budget(resource_count: usize) -> u64 {
    2 * run_memory_budget(resource_count)
}

/// An engine for compiling and reading metadata: no imports, base limits.
pub fn build(library: Library, resource_count: usize) -> Engine {
    build_with_library(library, &[], resource_count)
}

/// Files compiled into the binary: (path relative to the pack, text).
pub type Embedded = &'static [(&'static str, &'static str)];

/// Embedded files under the directory they came from (`policies`, `remediations`).
pub struct Pack {
    pub dir: &'static str,
    pub files: Embedded,
}

/// Where `import` looks among the embedded files, in order.
pub type Library = &'static [Pack];

/// Policies import from the pack's `lib/` (`lib/ha`).
pub const POLICY_LIBRARY: Library = &[Pack {
    dir: "policies",
    files: crate::builtin::POLICIES,
}];

/// Remediations import their own helpers (`remediations/lib/fixes`) and the pack's.
pub const REMEDIATION_LIBRARY: Library = &[
    Pack {
        dir: "remediations",
        files: crate::builtin::REMEDIATIONS,
    },
    Pack {
        dir: "policies",
        files: crate::builtin::POLICIES,
    },
];

/// Builds the engine. `import` reads from `policy_dirs` first, then the embedded pack.
pub fn build_with_library(
    library: Library,
    policy_dirs: &[PathBuf],
    resource_count: usize,
) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_max_operations(BASE_OPERATIONS + OPERATIONS_PER_RESOURCE * resource_count as u64)
        .set_max_call_levels(48)
        .set_max_expr_depths(64, 64)
        .set_max_modules(64)
        // No string interning: the interner is one lock all workers share, taken for every
        // interpolated string (each verdict's message), which made two rules run side by side
        // each take nearly twice their time alone.
        .set_max_strings_interned(0)
        .set_module_resolver(PolicyDirResolver::new(library, policy_dirs.to_vec()));
    // Between any two operations: one operation can at most double a value.
    engine.on_progress(|_| memory::exceeded().map(|over| over.to_string().into()));
    register_bounded_builtins(&mut engine);
    engine.disable_symbol("eval");
    engine.on_print(|text| tracing::info!(target: "hacheck::policy", "{text}"));
    engine.on_debug(|text, source, position| {
        tracing::debug!(target: "hacheck::policy", "{}:{position}: {text}", source.unwrap_or("?"))
    });
    InventoryView::register(&mut engine);
    register_verdicts(&mut engine);
    register_descriptions(&mut engine);
    engine.register_fn("join", |items: rhai::Array, separator: &str| {
        items
            .iter()
            .map(|item| item.to_string())
            .collect::<Vec<_>>()
            .join(separator)
    });
    engine
}

/// Items between two looks at the memory budget while a built-in fills a value.
const CHECK_EVERY: usize = 4096;

/// An error stopping the run when the memory budget is exceeded.
fn within_budget() -> Result<(), Box<EvalAltResult>> {
    match memory::exceeded() {
        None => Ok(()),
        Some(over) => {
            Err(EvalAltResult::ErrorTerminated(over.to_string().into(), Position::NONE).into())
        }
    }
}

/// `items` appended to `target`, stopped as soon as the memory budget is exceeded.
fn bounded_extend<T>(
    target: &mut impl Extend<T>,
    items: impl Iterator<Item = T>,
) -> Result<(), Box<EvalAltResult>> {
    let mut items = items.peekable();
    while items.peek().is_some() {
        within_budget()?;
        target.extend(items.by_ref().take(CHECK_EVERY));
    }
    Ok(())
}

/// An array of `items`, stopped as soon as the memory budget is exceeded.
fn bounded_array(items: impl Iterator<Item = Dynamic>) -> Result<rhai::Array, Box<EvalAltResult>> {
    let mut array = rhai::Array::new();
    bounded_extend(&mut array, items).map(|()| array)
}

/// `string` padded to `len` characters by repeating `padding`, or `None` when it is long
/// enough already; stopped as soon as the memory budget is exceeded.
fn padded(string: &str, len: INT, padding: &str) -> Result<Option<String>, Box<EvalAltResult>> {
    let have = string.chars().count();
    let want = usize::try_from(len).unwrap_or(0);
    if want <= have || padding.is_empty() {
        return Ok(None);
    }
    let mut out = String::from(string);
    bounded_extend(&mut out, padding.chars().cycle().take(want - have)).map(|()| Some(out))
}

/// Rhai's built-ins that allocate in proportion to an argument or multiply a value's size in
/// one call (`pad`, `blob`, `to_chars`, `split`), redefined with the same meaning but checking
/// the memory budget as they fill: the progress hook only runs between operations.
fn register_bounded_builtins(engine: &mut Engine) {
    engine.register_fn("pad", |s: &mut ImmutableString, len: INT, c: char| {
        padded(s, len, c.encode_utf8(&mut [0; 4])).map(|p| *s = p.map_or(s.clone(), Into::into))
    });
    engine.register_fn("pad", |s: &mut ImmutableString, len: INT, padding: &str| {
        padded(s, len, padding).map(|p| *s = p.map_or(s.clone(), Into::into))
    });
    engine.register_fn("pad", |array: &mut rhai::Array, len: INT, item: Dynamic| {
        let missing = usize::try_from(len)
            .unwrap_or(0)
            .saturating_sub(array.len());
        bounded_extend(array, std::iter::repeat_n(item, missing))
    });
    engine.register_fn("pad", |blob: &mut rhai::Blob, len: INT, value: INT| {
        let missing = usize::try_from(len).unwrap_or(0).saturating_sub(blob.len());
        bounded_extend(blob, std::iter::repeat_n((value & 0xff) as u8, missing))
    });
    let blob_of = |len: INT, value: INT| {
        let mut blob = rhai::Blob::new();
        let len = usize::try_from(len).unwrap_or(0);
        bounded_extend(&mut blob, std::iter::repeat_n((value & 0xff) as u8, len)).map(|()| blob)
    };
    engine.register_fn("blob", move |len: INT| blob_of(len, 0));
    engine.register_fn("blob", blob_of);
    engine.register_fn("to_chars", |s: &str| {
        bounded_array(s.chars().map(Dynamic::from))
    });
    // Rhai's `split` returns the whole string alone when it is empty or has no delimiter,
    // and `split(d, n)` also when `n` ≤ 1.
    let no_str = |s: &str, d: &str| s.is_empty() || (!d.is_empty() && !s.contains(d));
    let no_char = |s: &str, d: char| s.is_empty() || !s.contains(d);
    engine.register_fn("split", move |s: &mut ImmutableString| {
        split_result(s, s.is_empty(), s.split_whitespace())
    });
    engine.register_fn("split", move |s: &mut ImmutableString, d: &str| {
        split_result(s, no_str(s, d), s.split(d))
    });
    engine.register_fn("split", move |s: &mut ImmutableString, d: char| {
        split_result(s, no_char(s, d), s.split(d))
    });
    engine.register_fn("split", move |s: &mut ImmutableString, d: &str, n: INT| {
        split_result(s, n <= 1 || no_str(s, d), s.splitn(n.max(1) as usize, d))
    });
    engine.register_fn("split", move |s: &mut ImmutableString, d: char, n: INT| {
        split_result(s, n <= 1 || no_char(s, d), s.splitn(n.max(1) as usize, d))
    });
    engine.register_fn("split_rev", move |s: &mut ImmutableString, d: &str| {
        split_result(s, no_str(s, d), s.rsplit(d))
    });
    engine.register_fn("split_rev", move |s: &mut ImmutableString, d: char| {
        split_result(s, no_char(s, d), s.rsplit(d))
    });
    engine.register_fn(
        "split_rev",
        move |s: &mut ImmutableString, d: &str, n: INT| {
            split_result(s, n <= 1 || no_str(s, d), s.rsplitn(n.max(1) as usize, d))
        },
    );
    engine.register_fn(
        "split_rev",
        move |s: &mut ImmutableString, d: char, n: INT| {
            split_result(s, n <= 1 || no_char(s, d), s.rsplitn(n.max(1) as usize, d))
        },
    );
}

/// What `split` returns: `string` alone when `whole`, else its `pieces` (not consumed then).
fn split_result<'a>(
    string: &ImmutableString,
    whole: bool,
    pieces: impl Iterator<Item = &'a str>,
) -> Result<rhai::Array, Box<EvalAltResult>> {
    if whole {
        Ok(vec![Dynamic::from(string.clone())])
    } else {
        bounded_array(pieces.map(|piece| Dynamic::from(ImmutableString::from(piece))))
    }
}

/// A script error as users should read it: the innermost error of a call or module chain,
/// at the innermost position known, in lowercase, without Rhai's own position suffix, on one
/// line. Runs stopped by a limit say which limit.
pub fn describe(error: &EvalAltResult) -> (Position, String) {
    let mut innermost = error;
    let mut position = error.position();
    while let EvalAltResult::ErrorInFunctionCall(.., inner, _)
    | EvalAltResult::ErrorInModule(_, inner, _) = innermost
    {
        innermost = inner;
        if !inner.position().is_none() {
            position = inner.position();
        }
    }
    let message = match innermost {
        EvalAltResult::ErrorTooManyOperations(_) => {
            "stopped after too many operations (an endless loop?)".to_owned()
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            "stopped: calls nested too deep (an endless recursion?)".to_owned()
        }
        EvalAltResult::ErrorTerminated(reason, _) => reason.to_string(),
        EvalAltResult::ErrorRuntime(value, _) => value.to_string(),
        other => {
            let text = other.to_string();
            let text = match text.rfind(" (line ") {
                Some(suffix) if text.ends_with(')') => text[..suffix].to_owned(),
                _ => text,
            };
            lowercase_message(&text)
        }
    };
    (position, crate::one_line(&message))
}

/// Rhai's messages start with a capital ("Function not found", "Expecting name"); ours
/// don't. An acronym or a name (`AWS`, `HA001`) is left as it is.
pub fn lowercase_message(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

/// What `pass(resource, message[, evidence])`, `fail(…)` and `unknown(…)` return (`unknown`:
/// the rule met a value it was not written for, which is never a pass): one value, not a map,
/// so that a verdict costs one allocation (a rule judging 55,000 instances makes 55,000).
/// Scripts may still read `v.status`, `v.resource`, `v.message` and `v.evidence`, and say
/// which field decided with `v.at("multi_az")`, `v.at("ingress", rule)` or, for a field of
/// another resource, `v.at(alarm, "threshold")` (for a template's resource: the line the
/// finding points at).
/// Shared: a script's `results` array is copied when `check` returns it (Rhai returns a
/// variable by copy), and a verdict's copy is then a pointer, not its evidence map.
#[derive(Clone)]
pub struct Verdict(pub std::sync::Arc<VerdictData>);

#[derive(Clone)]
pub struct VerdictData {
    pub status: Status,
    pub resource: Dynamic,
    pub message: ImmutableString,
    pub evidence: Map,
    /// The deciding field, and for a list field the deciding element.
    pub at: Option<(ImmutableString, Option<Dynamic>)>,
    /// The resource the deciding field belongs to, when not the verdict's own (an alarm's
    /// `threshold` decides a group's scaling).
    pub at_resource: Option<super::view::Res>,
    /// How many field reads the run had made when the verdict was given
    /// ([`super::view::reads_so_far`]): the reads since the previous verdict are its own.
    pub reads_end: usize,
}

/// Rust's own descriptions and predicates for scripts, so that a rule and a plan word and
/// judge a security-group rule alike. The predicates read the rule's map as it is (no
/// conversion): rules call them in their innermost loops.
fn register_descriptions(engine: &mut Engine) {
    // A script's string is shared: taking it copies a pointer, not the text.
    fn text(value: &Dynamic) -> Option<ImmutableString> {
        value.clone().into_immutable_string().ok()
    }
    fn port(rule: &Map, field: &str) -> i32 {
        rule.get(field).and_then(|v| v.as_int().ok()).unwrap_or(-1) as i32
    }
    engine.register_fn(
        "covers_tcp_port",
        |rule: &mut Map, port_number: INT| -> bool {
            rule.get("protocol").and_then(text).is_some_and(|protocol| {
                crate::inventory::covers_tcp_port(
                    &protocol,
                    port(rule, "from_port"),
                    port(rule, "to_port"),
                    port_number as i32,
                )
            })
        },
    );
    engine.register_fn("is_security_group_id", |group: &str| {
        crate::inventory::is_security_group_id(group)
    });
    engine.register_fn("is_world", |rule: &mut Map| -> bool {
        ["cidr_ipv4", "cidr_ipv6"]
            .iter()
            .filter_map(|field| rule.get(*field).and_then(text))
            .any(|cidr| crate::inventory::is_world_cidr(&cidr))
            || rule
                .get("prefix_list_cidrs")
                .and_then(|v| v.read_lock::<rhai::Array>())
                .is_some_and(|cidrs| {
                    cidrs
                        .iter()
                        .filter_map(text)
                        .any(|cidr| crate::inventory::is_world_cidr(&cidr))
                })
    });
    // The fields `SgRule::text` reads, straight from the rule's map (HA009 describes every
    // rule it flags); anything else goes through serde, which names what is wrong.
    fn rule_of(rule: &Dynamic) -> Option<crate::inventory::SgRule> {
        let map = rule.read_lock::<Map>()?;
        let optional = |field: &str| match map.get(field) {
            None => Some(None),
            Some(value) if value.is_unit() => Some(None),
            Some(value) => text(value).map(|t| Some(t.to_string())),
        };
        let number = |field: &str| map.get(field)?.as_int().ok().map(|n| n as i32);
        Some(crate::inventory::SgRule {
            protocol: text(map.get("protocol")?)?.to_string(),
            from_port: number("from_port")?,
            to_port: number("to_port")?,
            cidr_ipv4: optional("cidr_ipv4")?,
            cidr_ipv6: optional("cidr_ipv6")?,
            source_group_id: optional("source_group_id")?,
            prefix_list_id: optional("prefix_list_id")?,
            prefix_list_cidrs: Vec::new(),
            description: String::new(),
        })
    }
    engine.register_fn(
        "rule_text",
        |rule: Dynamic| -> Result<ImmutableString, Box<EvalAltResult>> {
            let rule = match rule_of(&rule) {
                Some(rule) => rule,
                None => rhai::serde::from_dynamic(&rule)?,
            };
            Ok(rule.text().into())
        },
    );
}

fn register_verdicts(engine: &mut Engine) {
    let verdict = |status: Status, resource: Dynamic, message: ImmutableString, evidence: Map| {
        Verdict(std::sync::Arc::new(VerdictData {
            status,
            resource,
            message,
            evidence,
            at: None,
            at_resource: None,
            reads_end: super::view::reads_so_far(),
        }))
    };
    // `v.at(...)` is called on a verdict just made: it is taken, not copied.
    fn with_at(
        v: Verdict,
        at: (ImmutableString, Option<Dynamic>),
        at_resource: Option<super::view::Res>,
    ) -> Verdict {
        let mut data = std::sync::Arc::unwrap_or_clone(v.0);
        data.at = Some(at);
        if at_resource.is_some() {
            data.at_resource = at_resource;
        }
        Verdict(std::sync::Arc::new(data))
    }
    engine
        .register_type_with_name::<Verdict>("Verdict")
        .register_get("status", |v: &mut Verdict| {
            ImmutableString::from(match v.0.status {
                Status::Pass => "pass",
                Status::Fail => "fail",
                Status::Unknown => "unknown",
            })
        })
        .register_get("resource", |v: &mut Verdict| v.0.resource.clone())
        .register_get("message", |v: &mut Verdict| v.0.message.clone())
        .register_get("evidence", |v: &mut Verdict| v.0.evidence.clone());
    engine.register_fn("at", |v: Verdict, field: ImmutableString| {
        with_at(v, (field, None), None)
    });
    engine.register_fn(
        "at",
        |v: Verdict, field: ImmutableString, element: Dynamic| {
            with_at(v, (field, Some(element)), None)
        },
    );
    engine.register_fn(
        "at",
        |v: Verdict, resource: super::view::Res, field: ImmutableString| {
            with_at(v, (field, None), Some(resource))
        },
    );
    for (name, status) in [
        ("pass", Status::Pass),
        ("fail", Status::Fail),
        ("unknown", Status::Unknown),
    ] {
        engine.register_fn(name, move |r: Dynamic, m: ImmutableString| {
            verdict(status, r, m, Map::new())
        });
        engine.register_fn(name, move |r: Dynamic, m: ImmutableString, e: Map| {
            verdict(status, r, m, e)
        });
    }
}

/// Resolves `import "lib/ha" as ha;` to `<policy dir>/lib/ha.rhai` in the first user
/// directory that has it, else to the embedded pack's `lib/ha.rhai`. Absolute paths and
/// `..` are refused so a script cannot read outside the policy directories.
struct PolicyDirResolver {
    library: Library,
    dirs: Vec<PathBuf>,
    cache: Mutex<HashMap<String, Shared<rhai::Module>>>,
}

impl PolicyDirResolver {
    fn new(library: Library, dirs: Vec<PathBuf>) -> Self {
        PolicyDirResolver {
            library,
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
        self.library.iter().find_map(|pack| {
            pack.files
                .iter()
                .find(|(name, _)| *name == key)
                .map(|(name, text)| (format!("{}/{name}", pack.dir), Ok((*text).to_owned())))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(engine: &Engine, script: &str) -> String {
        engine.eval::<Dynamic>(script).unwrap().to_string()
    }

    #[test]
    fn bounded_builtins_mean_what_rhais_do() {
        let engine = build(&[], 0);
        let cases = [
            (r#"let t = "hello"; t.pad(10, "(!)"); t"#, "hello(!)(!"),
            (r#"let t = "hi"; t.pad(4, '*'); t.pad(1, '-'); t"#, "hi**"),
            ("let a = [1]; a.pad(3, 0); a", "[1, 0, 0]"),
            (
                "let b = blob(2, 0x1ff); b.pad(3, 7); b.len() + b[0] + b[2]",
                "265",
            ),
            (r#""a,b,,c".split(",")"#, r#"["a", "b", "", "c"]"#),
            (r#""a,b,c".split(',', 2)"#, r#"["a", "b,c"]"#),
            (r#""a,b,c".split_rev(",", 2)"#, r#"["c", "a,b"]"#),
            (r#""a b".split_rev(' ')"#, r#"["b", "a"]"#),
            (r#""abc".split("x")"#, r#"["abc"]"#),
            (r#"" a  b ".split()"#, r#"["a", "b"]"#),
            (r#""hé".to_chars()"#, "['h', 'é']"),
        ];
        for (script, expected) in cases {
            assert_eq!(eval(&engine, script), expected, "{script}");
        }
    }

    #[test]
    fn growth_beyond_the_budget_is_stopped_between_operations_and_inside_builtins() {
        let engine = build(&[], 0);
        for script in [
            r#"let s = "x"; loop { s += s; }"#,
            "let a = [1, 2]; loop { a += a; }",
            "let m = #{}; loop { m = #{ a: m, b: m, c: [m, m] }; }",
            r#"let s = "x"; s.pad(1_000_000_000, "ab")"#,
            "blob(1_000_000_000)",
            "let a = []; a.pad(100_000_000, 1)",
            r#"let s = "x"; s.pad(1_000_000, 'y'); s.to_chars()"#,
        ] {
            let (outcome, _) = memory::with_budget(8 << 20, || engine.eval::<Dynamic>(script));
            let error = outcome.expect_err(script);
            assert!(
                matches!(*error, EvalAltResult::ErrorTerminated(ref reason, _)
                    if reason.to_string() == "stopped: held more than 8 MiB of memory"),
                "{script}: {error}"
            );
        }
    }
}
