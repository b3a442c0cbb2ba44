//! Loading a Rego policy and evaluating it, fail-closed, with conftest's conventions.
//!
//! Rules are found by name in each namespace (a package, `main` by default): `deny`,
//! `deny_*`, `violation`, `violation_*` deny; `warn`, `warn_*` warn; `exception` sets
//! findings aside (conftest's form: a set of lists of rule-name suffixes, `["unsigned"]`
//! exempting `deny_unsigned` and `violation_unsigned`). Each rule must evaluate to a set (or
//! array) of messages: strings, or objects with a string `msg` (a violation's other members —
//! `item`, `check`, anything — are carried as metadata). A namespace must hold at least one
//! rule that can deny.

use crate::decision::{codes, Decision, Reason};
use regorus::utils::limits::ExecutionTimerConfig;
use regorus::{Engine, Value as RegoValue};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

/// Work units of regorus between two reads of the clock for the time limit. One unit is a
/// statement, a loop step or a builtin call; 16 of them take microseconds, so a limit is
/// overrun by no more than that, and the clock is not read at every step (a tenth of the
/// evaluation time at 1).
const CHECK_INTERVAL: NonZeroU32 = match NonZeroU32::new(16) {
    Some(n) => n,
    None => NonZeroU32::MIN,
};

/// One policy (`.rego`) or data (`.json`) file, read by the caller.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// Its path, as shown in messages and digested.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// How policies are loaded and run.
#[derive(Debug, Clone)]
pub struct PolicyOptions {
    /// Accept Rego v0 syntax (`deny[msg] { … }`); v1 (`deny contains msg if { … }`) is the
    /// default, as in current conftest and OPA 1.x.
    pub rego_v0: bool,
    /// The evaluation time limit, over every rule of every namespace.
    pub timeout: Duration,
    /// Most policy files.
    pub max_files: usize,
    /// Most bytes of one policy file.
    pub max_file_bytes: usize,
}

impl Default for PolicyOptions {
    fn default() -> Self {
        PolicyOptions {
            rego_v0: false,
            timeout: Duration::from_secs(2),
            max_files: 1000,
            max_file_bytes: 1 << 20,
        }
    }
}

/// Why a policy could not be prepared: each is a reason of a no-decision.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", .0.iter().map(Reason::explain).collect::<Vec<_>>().join("; "))]
pub struct PolicyError(pub Vec<Reason>);

/// A prepared policy: parsed, with its rules found, ready to evaluate many inputs.
#[derive(Debug)]
pub struct Policy {
    engine: Engine,
    /// Rule names (first component of each rule head) by namespace (`main`, `a.b`).
    rules: BTreeMap<String, BTreeSet<String>>,
    /// Function names by namespace (a function is never a deny/warn rule).
    functions: BTreeMap<String, BTreeSet<String>>,
    digest: String,
    timeout: Duration,
}

/// The functions a policy may not call, and why: the gate reads no network, environment or
/// clock (regorus is built without `http` and `opa-runtime`, so those are also unknown to it;
/// `time.now_ns` exists with `time` and is refused here, before evaluation).
const REFUSED: &[(&str, &str)] = &[
    ("time.now_ns", codes::READS_CLOCK),
    ("http.send", codes::UNAVAILABLE_BUILTIN),
    ("opa.runtime", codes::UNAVAILABLE_BUILTIN),
    ("net.lookup_ip_addr", codes::UNAVAILABLE_BUILTIN),
];

fn is_denying(rule: &str) -> bool {
    prefixed(rule, "deny") || prefixed(rule, "violation")
}

/// `rule` is `prefix` or `prefix_…`.
fn prefixed(rule: &str, prefix: &str) -> bool {
    rule == prefix
        || rule
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('_'))
}

/// The suffix an exception names: `deny_unsigned` → `unsigned` (none for a bare `deny`).
fn exception_name(rule: &str) -> Option<&str> {
    ["deny_", "violation_", "warn_"]
        .iter()
        .find_map(|p| rule.strip_prefix(p))
}

/// The first component of a rule head's reference (`deny_x` of `deny_x[msg]`, `deny` of
/// `deny contains msg`, `a` of `a.b.c := 1`).
fn head_name(text: &str) -> String {
    text.split(['.', '[', ' ', '(', '\t', '\n'])
        .next()
        .unwrap_or_default()
        .to_owned()
}

impl Policy {
    /// Parses `policies` (`.rego` files) and `data` (JSON objects merged into `data`) into a
    /// prepared policy. A missing policy, a file over budget, a parse error, a data file that
    /// is not an object, or a policy calling a refused function is an error: no decision.
    pub fn load(
        policies: &[PolicyFile],
        data: &[PolicyFile],
        options: &PolicyOptions,
    ) -> Result<Policy, PolicyError> {
        let fail = |code: &str, msg: String| PolicyError(vec![Reason::new(code, msg)]);
        if policies.is_empty() {
            return Err(fail(
                codes::NO_POLICY,
                "no policy file (.rego) was given or found: a gate without a policy decides nothing".into(),
            ));
        }
        if policies.len() > options.max_files {
            return Err(fail(
                codes::POLICY_INVALID,
                format!("more than {} policy files", options.max_files),
            ));
        }
        let mut engine = Engine::new();
        engine.set_rego_v0(options.rego_v0);
        engine.set_strict_builtin_errors(true);
        engine.set_gather_prints(true);
        let mut problems = Vec::new();
        for f in policies {
            if f.text.len() > options.max_file_bytes {
                problems.push(Reason::new(
                    codes::POLICY_INVALID,
                    format!("{}: more than {} bytes", f.path, options.max_file_bytes),
                ));
                continue;
            }
            for (name, code) in REFUSED {
                if f.text.contains(name) {
                    problems.push(Reason::new(
                        code,
                        if *code == codes::READS_CLOCK {
                            format!("{}: calls {name}: the gate's time is input.context.now_ns (the verification time), not the clock", f.path)
                        } else {
                            format!("{}: calls {name}: policies have no network or environment access", f.path)
                        },
                    ));
                }
            }
            if let Err(e) = engine.add_policy(f.path.clone(), f.text.clone()) {
                problems.push(Reason::new(
                    codes::POLICY_INVALID,
                    format!("{}: {}", f.path, one_line(&e.to_string())),
                ));
            }
        }
        for f in data {
            match serde_json::from_str::<Value>(&f.text) {
                Ok(v @ Value::Object(_)) => {
                    let value = RegoValue::from_json_str(&v.to_string());
                    if let Err(e) = value.and_then(|v| engine.add_data(v)) {
                        problems.push(Reason::new(
                            codes::DATA_INVALID,
                            format!("{}: {}", f.path, one_line(&e.to_string())),
                        ));
                    }
                }
                Ok(_) => problems.push(Reason::new(
                    codes::DATA_INVALID,
                    format!("{}: a data file is a JSON object", f.path),
                )),
                Err(e) => problems.push(Reason::new(
                    codes::DATA_INVALID,
                    format!("{}: not JSON: {e}", f.path),
                )),
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError(problems));
        }
        // Rules by namespace, from the parsed modules (as conftest reads them off the AST).
        let packages = engine
            .get_packages()
            .map_err(|e| fail(codes::POLICY_INVALID, one_line(&e.to_string())))?;
        let mut rules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut functions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (module, package) in engine.get_modules().iter().zip(packages) {
            let ns = package.strip_prefix("data.").unwrap_or(&package).to_owned();
            for rule in &module.policy {
                let (text, function) = match rule.as_ref() {
                    regorus::unstable::Rule::Spec { head, .. } => match head {
                        regorus::unstable::RuleHead::Compr { refr, .. }
                        | regorus::unstable::RuleHead::Set { refr, .. } => {
                            (refr.span().text().to_owned(), false)
                        }
                        regorus::unstable::RuleHead::Func { refr, .. } => {
                            (refr.span().text().to_owned(), true)
                        }
                    },
                    regorus::unstable::Rule::Default { refr, args, .. } => {
                        (refr.span().text().to_owned(), !args.is_empty())
                    }
                };
                let target = if function { &mut functions } else { &mut rules };
                target
                    .entry(ns.clone())
                    .or_default()
                    .insert(head_name(&text));
            }
            rules.entry(ns).or_default();
        }
        // Data must not stand where a rule is: regorus lets a value in data replace what
        // the rule computes, so `{"main": {"deny": []}}` would switch a policy off.
        let mut merged = serde_json::Map::new();
        for f in data {
            if let Ok(Value::Object(o)) = serde_json::from_str::<Value>(&f.text) {
                for (k, v) in o {
                    merged.insert(k, v);
                }
            }
        }
        let merged = Value::Object(merged);
        for (ns, names) in rules.iter().chain(functions.iter()) {
            let mut at = Some(&merged);
            let mut path = Vec::new();
            for part in ns.split('.') {
                path.push(part);
                at = at.and_then(|v| v.get(part));
                if let Some(v) = at {
                    if !v.is_object() {
                        problems.push(Reason::new(
                            codes::DATA_INVALID,
                            format!(
                                "data.{} is given a value where the policy has the package {ns}",
                                path.join(".")
                            ),
                        ));
                    }
                }
            }
            if let Some(Value::Object(o)) = at {
                for name in names.iter().filter(|n| o.contains_key(n.as_str())) {
                    problems.push(Reason::new(
                        codes::DATA_INVALID,
                        format!("data.{ns}.{name} is given a value, which would replace the policy's rule {ns}.{name}"),
                    ));
                }
            }
        }
        if !problems.is_empty() {
            return Err(PolicyError(problems));
        }
        Ok(Policy {
            engine,
            rules,
            functions,
            digest: digest_of(policies, data),
            timeout: options.timeout,
        })
    }

    /// `sha256:<hex>` over the policy and data files (paths and contents).
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// The namespaces (packages) the policy defines.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// The rules of a namespace.
    pub fn rules(&self, namespace: &str) -> impl Iterator<Item = &str> {
        self.rules
            .get(namespace)
            .into_iter()
            .flat_map(|r| r.iter().map(String::as_str))
    }

    /// Evaluates the policy over `input` in each namespace and returns the decision (not yet
    /// combined with the evidence's own verdicts: see [`Decision`] and the gate command).
    pub fn evaluate(&mut self, input: &Value, namespaces: &[String]) -> Decision {
        let mut d = Decision::new(self.digest.clone(), namespaces.to_vec());
        // Converted by reference: no copy of the input first.
        match <RegoValue as serde::Deserialize>::deserialize(input) {
            Ok(v) => self.engine.set_input(v),
            Err(e) => {
                d.errors.push(Reason::new(
                    codes::EVAL_ERROR,
                    format!("the input cannot be given to the policy: {e}"),
                ));
                d.settle();
                return d;
            }
        }
        // One time limit over the whole evaluation: regorus restarts its timer for each rule,
        // so each rule gets what is left of it.
        let started = Instant::now();
        let mut out_of_time = false;
        let mut skipped: Vec<String> = Vec::new();
        // Exceptions apply within their own namespace, as conftest's do.
        let mut exempt: BTreeSet<(String, String)> = BTreeSet::new();
        let mut findings: Vec<(bool, String, Reason)> = Vec::new();
        for ns in namespaces {
            let Some(rules) = self.rules.get(ns).cloned() else {
                d.denials.push(Reason::new(
                    codes::NAMESPACE_MISSING,
                    format!(
                        "namespace {ns} is not a package of the policy (packages: {})",
                        self.rules.keys().cloned().collect::<Vec<_>>().join(", ")
                    ),
                ));
                continue;
            };
            for f in self.functions.get(ns).into_iter().flatten() {
                if is_denying(f) || prefixed(f, "warn") || f == "exception" {
                    d.denials.push(
                        Reason::new(
                            codes::RULE_NOT_A_SET,
                            format!("{ns}.{f} is a function, not a set of messages: it is never evaluated as a rule"),
                        )
                        .with_rule(format!("{ns}.{f}")),
                    );
                }
            }
            if !rules.iter().any(|r| is_denying(r)) {
                d.denials.push(Reason::new(
                    codes::NO_DENY_RULES,
                    format!("namespace {ns} has no deny or violation rule: a policy that cannot deny would allow everything"),
                ));
            }
            for rule in &rules {
                let denying = is_denying(rule);
                let warning = prefixed(rule, "warn");
                let is_exception = rule == "exception";
                if !denying && !warning && !is_exception {
                    continue;
                }
                let full = format!("{ns}.{rule}");
                if !is_exception {
                    d.rules_evaluated.push(full.clone());
                }
                if out_of_time {
                    skipped.push(full);
                    continue;
                }
                let value = match self.eval_within(started, &full) {
                    Ok(v) => v,
                    Err(e) => {
                        let reason = eval_error(&full, &e);
                        out_of_time = reason.code == codes::TIMEOUT;
                        d.errors.push(reason);
                        continue;
                    }
                };
                if value == RegoValue::Undefined {
                    continue;
                }
                let json: Value = match serde_json::to_value(&value) {
                    Ok(v) => v,
                    _ => {
                        d.errors.push(
                            Reason::new(
                                codes::EVAL_ERROR,
                                format!("{full}: its value cannot be read"),
                            )
                            .with_rule(&full),
                        );
                        continue;
                    }
                };
                let elements = match json {
                    Value::Array(a) => a,
                    other => {
                        let reason = Reason::new(
                            codes::RULE_NOT_A_SET,
                            format!(
                                "{full} is {} , not a set of messages: write `{rule} contains msg if {{ … }}`",
                                short(&other)
                            ),
                        )
                        .with_rule(&full);
                        if warning {
                            d.warnings.push(reason);
                        } else {
                            d.denials.push(reason);
                        }
                        continue;
                    }
                };
                if is_exception {
                    for e in elements {
                        match e {
                            Value::Array(names) => exempt.extend(
                                names
                                    .into_iter()
                                    .filter_map(|n| n.as_str().map(|n| (ns.clone(), n.to_owned()))),
                            ),
                            Value::String(n) => {
                                exempt.insert((ns.clone(), n));
                            }
                            other => d.denials.push(
                                Reason::new(
                                    codes::BAD_MESSAGE,
                                    format!(
                                        "{full}: an exception is a list of rule names, not {}",
                                        short(&other)
                                    ),
                                )
                                .with_rule(&full),
                            ),
                        }
                    }
                    continue;
                }
                let code = if warning {
                    codes::POLICY_WARN
                } else if prefixed(rule, "violation") {
                    codes::POLICY_VIOLATION
                } else {
                    codes::POLICY_DENY
                };
                for e in elements {
                    let reason = match message(code, &full, e) {
                        Ok(r) => r,
                        Err(r) => {
                            d.denials.push(*r);
                            continue;
                        }
                    };
                    findings.push((warning, ns.clone(), reason));
                }
            }
            // SLSA levels for the VSA, when the policy names them.
            if rules.contains("verified_levels") {
                if let Ok(Ok(Value::Array(levels))) = self
                    .eval_within(started, &format!("{ns}.verified_levels"))
                    .map(|v| v.to_json_str().map(|t| serde_json::from_str::<Value>(&t)))
                    .unwrap_or(Ok(Ok(Value::Null)))
                {
                    d.verified_levels.extend(
                        levels
                            .into_iter()
                            .filter_map(|l| l.as_str().map(str::to_owned)),
                    );
                }
            }
        }
        if let Some(first) = skipped.first() {
            d.errors.push(
                Reason::new(
                    codes::TIMEOUT,
                    format!(
                        "{} more rule(s) not evaluated ({first}{}): the time limit of {} ms was used up",
                        skipped.len(),
                        if skipped.len() > 1 { " …" } else { "" },
                        self.timeout.as_millis()
                    ),
                ),
            );
        }
        for (warning, ns, reason) in findings {
            let name = reason
                .rule
                .as_deref()
                .and_then(|r| r.rsplit('.').next())
                .and_then(exception_name);
            if name.is_some_and(|n| exempt.contains(&(ns.clone(), n.to_owned()))) {
                d.exceptions.push(reason);
            } else if warning {
                d.warnings.push(reason);
            } else {
                d.denials.push(reason);
            }
        }
        d.verified_levels.sort();
        d.verified_levels.dedup();
        d.settle();
        d
    }

    /// Evaluates `data.RULE` with what is left of the time limit that began at `started`.
    fn eval_within(&mut self, started: Instant, rule: &str) -> Result<RegoValue, String> {
        let left = self
            .timeout
            .checked_sub(started.elapsed())
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "the evaluation time limit of {} ms was used up before this rule was evaluated",
                    self.timeout.as_millis()
                )
            })?;
        self.engine
            .set_execution_timer_config(ExecutionTimerConfig {
                limit: left,
                check_interval: CHECK_INTERVAL,
            });
        self.engine
            .eval_rule(format!("data.{rule}"))
            .map_err(|e| e.to_string())
    }

    /// Runs the policy's own tests (`test_*` rules of every namespace) over `input`, as
    /// `conftest verify` does: `(rule, passed, detail)`, in namespace and rule order.
    pub fn run_tests(&mut self, input: &Value) -> Vec<(String, bool, String)> {
        if let Ok(v) = RegoValue::from_json_str(&input.to_string()) {
            self.engine.set_input(v);
        }
        // Each test has the whole time limit.
        let mut out = Vec::new();
        for (ns, rules) in self.rules.clone() {
            for rule in rules.iter().filter(|r| r.starts_with("test_")) {
                let full = format!("{ns}.{rule}");
                let result = self.eval_within(Instant::now(), &full);
                let (passed, detail) = match result {
                    Ok(RegoValue::Bool(true)) => (true, "passed".to_owned()),
                    Ok(RegoValue::Undefined) => (false, "failed (undefined)".to_owned()),
                    Ok(other) => (
                        false,
                        format!(
                            "failed ({})",
                            other
                                .to_json_str()
                                .map(|t| one_line(&t))
                                .unwrap_or_default()
                        ),
                    ),
                    Err(e) => (false, format!("error: {}", one_line(&e))),
                };
                out.push((full, passed, detail));
            }
        }
        out
    }
}

/// `sha256:<hex>` over policy and data files: for each, sorted by path, the path, a zero byte
/// and the SHA-256 of its text. Computed whether or not the policy loads, so every output
/// names the policy it is about.
pub fn digest_of(policies: &[PolicyFile], data: &[PolicyFile]) -> String {
    let mut digest = Sha256::new();
    let mut sorted: Vec<&PolicyFile> = policies.iter().chain(data.iter()).collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    for f in &sorted {
        digest.update(f.path.as_bytes());
        digest.update([0]);
        digest.update(Sha256::digest(f.text.as_bytes()));
    }
    format!("sha256:{}", hex::encode(digest.finalize()))
}

/// A message of a `deny`/`violation`/`warn` rule, or the denial its malformed shape causes.
fn message(code: &str, rule: &str, element: Value) -> Result<Reason, Box<Reason>> {
    match element {
        Value::String(msg) => Ok(Reason::new(code, msg).with_rule(rule)),
        Value::Object(mut map) => {
            let Some(Value::String(msg)) = map.remove("msg") else {
                return Err(Box::new(
                    Reason::new(
                        codes::BAD_MESSAGE,
                        format!("{rule}: a message object has no string msg member"),
                    )
                    .with_rule(rule),
                ));
            };
            let mut r = Reason::new(code, msg).with_rule(rule);
            if let Some(Value::String(item)) = map.remove("item") {
                r.item = Some(item);
            }
            if let Some(Value::String(check)) = map.remove("check") {
                r.check = Some(check);
            }
            if !map.is_empty() {
                r.metadata = Some(Value::Object(map));
            }
            Ok(r)
        }
        other => Err(Box::new(
            Reason::new(
                codes::BAD_MESSAGE,
                format!(
                    "{rule}: a message is a string or an object with msg, not {}",
                    short(&other)
                ),
            )
            .with_rule(rule),
        )),
    }
}

fn eval_error(rule: &str, text: &str) -> Reason {
    let line = one_line(text);
    let code = if line.contains("could not find function") {
        codes::UNAVAILABLE_BUILTIN
    } else if line.to_lowercase().contains("time limit")
        || line.to_lowercase().contains("timed out")
        || line.contains("execution time")
    {
        codes::TIMEOUT
    } else {
        codes::EVAL_ERROR
    };
    Reason::new(code, line).with_rule(rule)
}

/// A value, shortened for a message.
fn short(v: &Value) -> String {
    let mut s = v.to_string();
    if s.len() > 80 {
        let mut end = 77;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str("...");
    }
    s
}

/// An engine message on one line (regorus errors span several, with a source excerpt).
fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with('|') && !l.chars().all(|c| c == '^' || c == ' ')
        })
        .collect::<Vec<_>>()
        .join(" ")
}
