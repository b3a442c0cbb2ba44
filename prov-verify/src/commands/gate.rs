//! `prov-verify gate`: verify an evidence set, then decide with a fail-closed Rego policy
//! (docs/gate.md). Exit 0 allow, 1 deny (or warnings with `--fail-on-warn`), 2 no decision.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_limited;
use clap::{Args, Subcommand, ValueEnum};
use gate::decision::codes;
use gate::{Decision, GateInput, ItemEvidence, Policy, PolicyFile, PolicyOptions, Reason};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Largest policy or data file.
const MAX_POLICY_FILE: u64 = 1 << 20;
/// Most policy files.
const MAX_POLICY_FILES: usize = 1000;
/// Largest VSA signing key file.
const MAX_KEY_FILE: u64 = 64 << 10;

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct GateArgs {
    #[command(subcommand)]
    pub command: Option<GateCommand>,

    #[command(flatten)]
    pub run: GateRunArgs,
}

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum GateCommand {
    /// Run the policy's own Rego unit tests (`test_*` rules), as `conftest verify` does
    Test {
        /// A policy directory (every .rego file below it) or file; repeatable
        #[arg(required = true, value_name = "DIR|FILE")]
        policy: Vec<PathBuf>,

        /// A JSON data file merged into `data`; repeatable
        #[arg(long, value_name = "FILE")]
        data: Vec<PathBuf>,

        /// The input the tests see (default: an empty object)
        #[arg(long, value_name = "FILE")]
        input: Option<PathBuf>,

        /// Rego syntax version
        #[arg(long, value_enum, default_value_t = RegoVersion::V1)]
        rego_version: RegoVersion,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RegoVersion {
    /// `deny contains msg if { … }` (OPA 1.x, conftest's default)
    V1,
    /// `deny[msg] { … }` (older policies)
    V0,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GateOutput {
    /// The decision and why, for a person
    Text,
    /// Every reason and every report
    Json,
    /// SARIF 2.1.0 (code scanning)
    Sarif,
    /// JUnit XML (GitLab test reports)
    Junit,
    /// GitHub Actions annotations
    Github,
}

#[derive(Debug, Args)]
pub struct GateRunArgs {
    /// A policy directory (every .rego file below it) or .rego file; repeatable
    #[arg(long, value_name = "DIR|FILE")]
    pub policy: Vec<PathBuf>,

    /// The evidence set to verify (docs/evidence-set.md)
    #[arg(long, value_name = "SET.json")]
    pub set: Option<PathBuf>,

    /// A JSON data file merged into `data`; repeatable (not with --policy-bundle, whose data
    /// travels signed inside it)
    #[arg(long, value_name = "FILE", conflicts_with = "policy_bundle")]
    pub data: Vec<PathBuf>,

    /// A signed policy bundle (a gzip tar of .rego and data.json files, as OPA builds them),
    /// instead of --policy; needs --policy-bundle-request
    #[arg(
        long,
        value_name = "B.tgz",
        conflicts_with = "policy",
        requires = "policy_bundle_request"
    )]
    pub policy_bundle: Option<PathBuf>,

    /// The verify request (docs/evidence-set.md, one item) that vouches for the bundle: its
    /// subject is the bundle, its plugin checks the detached signature (x509: a raw or CMS
    /// signature under pinned roots; cosign: a Sigstore bundle, keyless or key)
    #[arg(long, value_name = "REQ.json", requires = "policy_bundle")]
    pub policy_bundle_request: Option<PathBuf>,

    /// A policy namespace (package) to evaluate; repeatable (default: main)
    #[arg(long, value_name = "NS")]
    pub namespace: Vec<String>,

    /// Treat warnings as a denial (exit 1)
    #[arg(long)]
    pub fail_on_warn: bool,

    /// Output format
    #[arg(short = 'o', long, value_enum)]
    pub output: Option<GateOutput>,

    /// Write a signed SLSA verification summary (DSSE envelope) here; needs --vsa-key and
    /// --resource-uri
    #[arg(long, value_name = "FILE", requires_all = ["vsa_key", "resource_uri", "vsa_subject"])]
    pub vsa_out: Option<PathBuf>,

    /// The VSA signing key: PKCS#8 PEM, Ed25519 or ECDSA P-256
    #[arg(long, value_name = "KEY.pem", requires = "vsa_out")]
    pub vsa_key: Option<PathBuf>,

    /// The VSA's resourceUri: the artifact the decision is about
    #[arg(long, value_name = "URI", requires = "vsa_out")]
    pub resource_uri: Option<String>,

    /// The VSA's verifier.id
    #[arg(
        long,
        value_name = "ID",
        requires = "vsa_out",
        default_value = "https://prov-verify.invalid/gate/v1"
    )]
    pub verifier_id: String,

    /// Accept evidence items verified with an insecure mode (each still named in every
    /// output); without it, such an item denies the release
    #[arg(long)]
    pub allow_insecure_evidence: bool,

    /// An evidence item whose subject the VSA is about (the release artifact); repeatable;
    /// needed with --vsa-out
    #[arg(long, value_name = "ITEM", requires = "vsa_out")]
    pub vsa_subject: Vec<String>,

    /// Evaluation time limit, in milliseconds, over every rule
    #[arg(long, value_name = "MS", default_value_t = 2000)]
    pub timeout_ms: u64,

    /// Rego syntax version
    #[arg(long, value_enum, default_value_t = RegoVersion::V1)]
    pub rego_version: RegoVersion,

    /// Built-in SLSA checks (slsa-verifier's flags, as `cosign verify-blob-attestation`
    /// takes them): every verified SLSA provenance attestation must satisfy them
    #[command(flatten)]
    pub slsa: crate::commands::cosign::SlsaArgs,

    /// Built-in SLSA check: a workflow input the build was run with, KEY=VALUE; repeatable
    #[arg(long, value_name = "KEY=VALUE")]
    pub build_workflow_input: Vec<String>,

    /// The verification time (RFC 3339 or Unix seconds), unless the set gives its own;
    /// also the policy's input.context.now (default: now)
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(args: &GateArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match &args.command {
        Some(GateCommand::Test {
            policy,
            data,
            input,
            rego_version,
        }) => run_tests(policy, data, input.as_deref(), *rego_version),
        None => decide(&args.run, g),
    }
}

/// Every .rego file of the paths given (a directory: every .rego file below it, sorted).
fn policy_files(paths: &[PathBuf]) -> Result<Vec<PolicyFile>, CliError> {
    let mut files = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| CliError::io(p, e))?;
        let found: Vec<PathBuf> = if meta.is_dir() {
            let mut v = Vec::new();
            for entry in walkdir::WalkDir::new(p)
                .follow_links(false)
                .sort_by_file_name()
            {
                let entry = entry.map_err(|e| CliError::Usage(format!("{}: {e}", p.display())))?;
                if entry.file_type().is_symlink() {
                    return Err(CliError::malformed(
                        entry.path().display().to_string(),
                        "a symbolic link in a policy directory: links are not followed (a policy file skipped without a word could switch a rule off); give the file itself",
                    ));
                }
                if entry.file_type().is_file()
                    && entry.path().extension().is_some_and(|x| x == "rego")
                {
                    v.push(entry.path().to_path_buf());
                }
                if v.len() > MAX_POLICY_FILES {
                    return Err(CliError::Usage(format!(
                        "{}: more than {MAX_POLICY_FILES} policy files",
                        p.display()
                    )));
                }
            }
            v
        } else {
            vec![p.clone()]
        };
        for f in found {
            files.push(read_policy_file(&f)?);
        }
    }
    Ok(files)
}

/// Most entries, and most unpacked bytes, of a policy bundle.
const MAX_BUNDLE_ENTRIES: usize = 1000;
const MAX_BUNDLE_UNPACKED: u64 = 16 << 20;

/// The policies (`*.rego`) and data (`data.json`, `*/data.json`) of a bundle's bytes, read in
/// memory within budgets; regular files only; `.manifest` and other files are skipped.
fn read_bundle(path: &Path, bytes: &[u8]) -> Result<(Vec<PolicyFile>, Vec<PolicyFile>), CliError> {
    use std::io::Read as _;
    let bad = |reason: String| CliError::malformed(path.display().to_string(), reason);
    let gz = flate2::read::GzDecoder::new(bytes).take(MAX_BUNDLE_UNPACKED + 1);
    let mut archive = tar::Archive::new(gz);
    let mut policies = Vec::new();
    let mut data = Vec::new();
    let mut total: u64 = 0;
    let entries = archive
        .entries()
        .map_err(|e| bad(format!("not a gzip tar: {e}")))?;
    for (i, entry) in entries.enumerate() {
        if i >= MAX_BUNDLE_ENTRIES {
            return Err(bad(format!("more than {MAX_BUNDLE_ENTRIES} entries")));
        }
        let mut entry = entry.map_err(|e| bad(format!("not a readable gzip tar: {e}")))?;
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            return Err(bad(format!(
                "{}: only regular files and directories may be in a policy bundle",
                String::from_utf8_lossy(&entry.path_bytes())
            )));
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let name = name.trim_start_matches("./").to_owned();
        let is_data = name == "data.json" || name.ends_with("/data.json");
        if !name.ends_with(".rego") && !is_data {
            continue;
        }
        let size = entry.header().size().unwrap_or(u64::MAX);
        total = total.saturating_add(size);
        if size > MAX_POLICY_FILE || total > MAX_BUNDLE_UNPACKED {
            return Err(bad(format!(
                "{name}: over the budget ({MAX_POLICY_FILE} bytes a file, {MAX_BUNDLE_UNPACKED} in all)"
            )));
        }
        let mut text = String::new();
        entry
            .read_to_string(&mut text)
            .map_err(|e| bad(format!("{name}: {e}")))?;
        let file = PolicyFile {
            path: format!("{}:{name}", path.display()),
            text,
        };
        if is_data {
            // OPA nests a data file under its directory: dir/sub/data.json is data.dir.sub.
            let dirs: Vec<&str> = name
                .trim_end_matches("data.json")
                .split('/')
                .filter(|s| !s.is_empty())
                .collect();
            let mut value: Value = serde_json::from_str(&file.text)
                .map_err(|e| bad(format!("{name}: not JSON: {e}")))?;
            for d in dirs.iter().rev() {
                value = json!({ *d: value });
            }
            data.push(PolicyFile {
                path: file.path,
                text: value.to_string(),
            });
        } else {
            policies.push(file);
        }
    }
    Ok((policies, data))
}

/// A policy or data file: read within its budget, UTF-8.
fn read_policy_file(path: &Path) -> Result<PolicyFile, CliError> {
    let bytes = read_limited(path, MAX_POLICY_FILE)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::malformed(path.display().to_string(), "not UTF-8"))?;
    Ok(PolicyFile {
        path: path.display().to_string(),
        text,
    })
}

fn data_files(paths: &[PathBuf]) -> Result<Vec<PolicyFile>, CliError> {
    paths.iter().map(|p| read_policy_file(p)).collect()
}

fn options(rego: RegoVersion, timeout_ms: u64) -> PolicyOptions {
    PolicyOptions {
        rego_v0: rego == RegoVersion::V0,
        timeout: Duration::from_millis(timeout_ms.max(1)),
        ..PolicyOptions::default()
    }
}

/// The in-toto statements a verified item's signature material carries: a Sigstore bundle's
/// DSSE payload (read again from the bytes the plugin verified, only once it verified).
fn statements(plugin: &str, signature: &[u8]) -> Vec<Value> {
    if plugin != "cosign" {
        return Vec::new();
    }
    match plugin_cosign::Bundle::from_json(signature).map(|b| b.content) {
        Ok(plugin_cosign::Content::Dsse(env)) if env.payload_type == gate::vsa::PAYLOAD_TYPE => {
            serde_json::from_slice::<Value>(&env.payload)
                .ok()
                .filter(|v| v.get("_type").is_some())
                .into_iter()
                .collect()
        }
        _ => Vec::new(),
    }
}

fn decide(a: &GateRunArgs, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    let output = match (a.output, g.json) {
        (Some(o), false) => o,
        (None, true) => GateOutput::Json,
        (None, false) => GateOutput::Text,
        (Some(GateOutput::Json), true) => GateOutput::Json,
        (Some(_), true) => {
            return Err(CliError::Usage(
                "--json and -o/--output name two formats: give one".into(),
            ))
        }
    };
    let Some(set_path) = &a.set else {
        return Err(CliError::Usage(
            "give the evidence set to decide on: --set SET.json".into(),
        ));
    };
    let namespaces: Vec<String> = if a.namespace.is_empty() {
        vec!["main".to_owned()]
    } else {
        a.namespace.clone()
    };

    let cache = crate::commands::cache::cache_dir(g)
        .ok()
        .map(|d| offline_cache::CacheDir::new(&d));
    // A signed bundle: verified first, and read from the very bytes that verified.
    let mut bundle_failure: Option<Reason> = None;
    let mut bundle_digest: Option<String> = None;
    let (policies, mut data) = match (&a.policy_bundle, &a.policy_bundle_request) {
        (Some(bundle), Some(request)) => {
            let (report, bytes) = crate::commands::verify::verify_request_of(
                request,
                bundle,
                a.at.as_deref(),
                cache.as_ref(),
            )?;
            use sha2::Digest as _;
            bundle_digest = Some(format!(
                "sha256:{}",
                hex::encode(sha2::Sha256::digest(&bytes))
            ));
            if report.ok() {
                read_bundle(bundle, &bytes)?
            } else {
                bundle_failure = Some(Reason::new(
                    codes::POLICY_UNSIGNED,
                    format!(
                        "{}: the policy bundle did not verify ({}): {}",
                        bundle.display(),
                        report.plugin(),
                        report
                            .first_failure()
                            .map(|c| format!("{}: {}", c.id, c.detail))
                            .unwrap_or_else(|| "not ok".into())
                    ),
                ));
                (Vec::new(), Vec::new())
            }
        }
        _ => (policy_files(&a.policy)?, Vec::new()),
    };
    data.extend(data_files(&a.data)?);
    let policy = match &bundle_failure {
        Some(r) => Err(gate::PolicyError(vec![r.clone()])),
        None => Policy::load(&policies, &data, &options(a.rego_version, a.timeout_ms)),
    };

    // The evidence: verified whatever the policy, so a broken policy still shows it.
    let set_json: Option<Value> = read_limited(set_path, 1 << 20)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let empty = set_json
        .as_ref()
        .and_then(|v| v.get("items"))
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty);
    let mut items: Vec<ItemEvidence> = Vec::new();
    // Each verified item's signature material, for the built-in SLSA checks.
    let mut signatures: Vec<Vec<u8>> = Vec::new();
    let mut set_problem: Option<Reason> = None;
    if !empty {
        // The set's own times verify its items; --at covers those that give none (and is
        // the policy's input.context.now either way).
        let set_has_times = set_json.as_ref().is_some_and(|v| {
            v.get("at").is_some()
                || v.get("items")
                    .and_then(Value::as_array)
                    .is_some_and(|items| items.iter().any(|i| i.get("at").is_some()))
        });
        if set_has_times && a.at.is_some() {
            return Err(CliError::Usage(format!(
                "--at cannot be used with {}: the set gives its own verification times",
                set_path.display()
            )));
        }
        let cli_at = a.at.as_deref();
        match crate::commands::verify::verify_set(set_path, cli_at, cache.as_ref(), true) {
            Ok((set_items, _summary)) => {
                for item in set_items {
                    let inputs = item.evidence.clone().unwrap_or_default();
                    let ok = item.result.as_ref().is_ok_and(plugin_api::Report::ok);
                    signatures.push(if ok {
                        inputs.signature.clone()
                    } else {
                        Vec::new()
                    });
                    items.push(ItemEvidence {
                        statements: if ok {
                            statements(&item.plugin, &inputs.signature)
                        } else {
                            Vec::new()
                        },
                        name: item.name,
                        plugin: item.plugin,
                        report: item.result.map_err(|e| e.to_string()),
                        subject_sha256: inputs.subject_sha256,
                        subject_name: inputs.subject_name,
                    });
                }
            }
            Err(e) => {
                set_problem = Some(Reason::new(
                    codes::SET_INVALID,
                    format!("{}: {e}", set_path.display()),
                ))
            }
        }
    }
    // The decision's time: --at, else the set's own time, else the clock (read once).
    let set_at = set_json
        .as_ref()
        .and_then(|v| v.get("at"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    let now = match (&a.at, &set_at) {
        (Some(t), _) => crate::commands::verify::parse_time(t, "--at")?,
        (None, Some(t)) => crate::commands::verify::parse_time(t, "at")?,
        (None, None) => crate::commands::now()?,
    };
    let input = GateInput {
        items,
        now,
        set_name: set_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let mut decision = match policy {
        Ok(mut p) if set_problem.is_none() => p.evaluate(&input.to_json(p.digest()), &namespaces),
        Ok(p) => Decision::new(p.digest().to_owned(), namespaces.clone()),
        Err(e) => {
            let mut d = Decision::new(
                gate::policy::digest_of(&policies, &data),
                namespaces.clone(),
            );
            d.errors.extend(e.0);
            d
        }
    };
    // The evidence's own verdicts, whatever the policy says (exceptions cannot waive them).
    if let Some(p) = set_problem {
        decision.errors.push(p);
    } else if empty {
        decision.denials.push(Reason::new(
            codes::NO_EVIDENCE,
            format!(
                "{}: the evidence set holds no item: nothing was verified",
                set_path.display()
            ),
        ));
    }
    for item in &input.items {
        match &item.report {
            Ok(r) if r.ok() && !r.insecure().is_empty() => {
                let modes: Vec<&str> = r.insecure().iter().map(|m| m.flag()).collect();
                let reason = Reason::new(
                    codes::EVIDENCE_INSECURE,
                    format!(
                        "{} ({}) verified only with insecure mode(s) {}",
                        item.name,
                        item.plugin,
                        modes.join(", ")
                    ),
                )
                .with_item(&item.name);
                if a.allow_insecure_evidence {
                    decision.warnings.push(reason);
                } else {
                    decision.denials.push(reason);
                }
            }
            Ok(r) if r.ok() => {}
            Ok(r) => {
                let mut reason = Reason::new(
                    codes::EVIDENCE_FAILED,
                    match r.first_failure() {
                        Some(c) => format!(
                            "{} ({}) did not verify: {}: {}",
                            item.name, item.plugin, c.id, c.detail
                        ),
                        None => format!(
                            "{} ({}) did not verify: {}",
                            item.name,
                            item.plugin,
                            r.errors()
                                .first()
                                .cloned()
                                .unwrap_or_else(|| "not ok".into())
                        ),
                    },
                )
                .with_item(&item.name);
                if let Some(c) = r.first_failure() {
                    reason = reason.with_check(&c.id);
                }
                decision.denials.push(reason);
            }
            Err(e) => decision.denials.push(
                Reason::new(
                    codes::EVIDENCE_NO_VERDICT,
                    format!("{} ({}): no verdict: {e}", item.name, item.plugin),
                )
                .with_item(&item.name),
            ),
        }
    }
    // A bundle's digest is the policy's identity in every output (and the VSA).
    if let Some(d) = bundle_digest {
        decision.policy_digest = d;
    }
    slsa_checks(a, &input, &signatures, &mut decision)?;
    decision.settle_with(a.fail_on_warn);
    let code = decision.exit_code(a.fail_on_warn);

    if let Some(out) = &a.vsa_out {
        write_vsa(a, out, &decision, &input, code == 0)?;
    }
    let text = match output {
        GateOutput::Text => render_text(&decision, &input),
        GateOutput::Json => {
            let mut t = serde_json::to_string_pretty(&json_output(&decision, &input, code))
                .map_err(|e| CliError::Internal(e.to_string()))?;
            t.push('\n');
            t
        }
        GateOutput::Sarif => {
            let uri = set_path.display().to_string().replace('\\', "/");
            let mut t = serde_json::to_string_pretty(&gate::sarif::render(
                &decision,
                env!("CARGO_PKG_VERSION"),
                &uri,
            ))
            .map_err(|e| CliError::Internal(e.to_string()))?;
            t.push('\n');
            t
        }
        GateOutput::Junit => gate::junit::render(&decision, &input.items),
        GateOutput::Github => gate::github::render(&decision),
    };
    Ok(Outcome::Decided { text, code })
}

/// The SLSA provenance predicate types the built-in checks read.
const SLSA_PROVENANCE: [&str; 2] = [
    "https://slsa.dev/provenance/v0.2",
    "https://slsa.dev/provenance/v1",
];

/// The workflow inputs a provenance records: v1 `externalParameters.inputs` (or
/// `externalParameters.workflow.inputs`), v0.2 `invocation.environment.github_event_payload.inputs`
/// (or `invocation.parameters.inputs`).
fn workflow_inputs(statement: &Value) -> Option<&serde_json::Map<String, Value>> {
    let p = statement.get("predicate")?;
    let at = |path: &[&str]| {
        path.iter()
            .try_fold(p, |v, k| v.get(*k))
            .and_then(Value::as_object)
    };
    at(&["buildDefinition", "externalParameters", "inputs"])
        .or_else(|| {
            at(&[
                "buildDefinition",
                "externalParameters",
                "workflow",
                "inputs",
            ])
        })
        .or_else(|| {
            at(&[
                "invocation",
                "environment",
                "github_event_payload",
                "inputs",
            ])
        })
        .or_else(|| at(&["invocation", "parameters", "inputs"]))
}

/// slsa-verifier's checks, built in: each verified SLSA provenance attestation must satisfy
/// every expectation given (builder, source, tag or branch, with the certificate's claims for
/// a keyless signature; workflow inputs); no provenance at all is a denial.
fn slsa_checks(
    a: &GateRunArgs,
    input: &GateInput,
    signatures: &[Vec<u8>],
    decision: &mut Decision,
) -> Result<(), CliError> {
    let expected: std::collections::BTreeMap<String, String> = a
        .slsa
        .fields()
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
    let mut inputs = Vec::new();
    for kv in &a.build_workflow_input {
        let (k, v) = kv.split_once('=').ok_or_else(|| {
            CliError::Usage(format!("--build-workflow-input {kv:?}: expected KEY=VALUE"))
        })?;
        inputs.push((k.to_owned(), v.to_owned()));
    }
    if expected.is_empty() && inputs.is_empty() {
        return Ok(());
    }
    let mut checked = 0usize;
    for (item, signature) in input.items.iter().zip(signatures) {
        if !item.ok() || item.plugin != "cosign" {
            continue;
        }
        let Ok(bundle) = plugin_cosign::Bundle::from_json(signature) else {
            continue;
        };
        let plugin_cosign::Content::Dsse(env) = &bundle.content else {
            continue;
        };
        let Ok(statement) = serde_json::from_slice::<Value>(&env.payload) else {
            continue;
        };
        let kind = statement
            .get("predicateType")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !SLSA_PROVENANCE.contains(&kind) {
            continue;
        }
        checked += 1;
        let leaf = match &bundle.material {
            plugin_cosign::Material::Certificate(der) => Some(der.as_slice()),
            plugin_cosign::Material::Chain(chain) => chain.first().map(Vec::as_slice),
            _ => None,
        };
        let claims = leaf.map(plugin_cosign::certificate_claims);
        let claims_error;
        let signer = match &claims {
            None => plugin_cosign::slsa::SlsaSigner::Key,
            Some(Ok(c)) => plugin_cosign::slsa::SlsaSigner::Certificate(Ok(c)),
            Some(Err(e)) => {
                claims_error = e.to_string();
                plugin_cosign::slsa::SlsaSigner::Certificate(Err(&claims_error))
            }
        };
        let mut problems = Vec::new();
        if !expected.is_empty() {
            if let Err(e) = plugin_cosign::slsa::check(&env.payload, signer, &expected) {
                problems.push(e);
            }
        }
        for (k, want) in &inputs {
            let found = workflow_inputs(&statement).and_then(|m| m.get(k));
            let found_text = found.map(|v| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            });
            if found_text.as_deref() != Some(want.as_str()) {
                problems.push(format!(
                    "workflow input {k}: the provenance says {}, expected {want:?}",
                    found_text.map_or("nothing".to_owned(), |f| format!("{f:?}"))
                ));
            }
        }
        for p in problems {
            decision.denials.push(
                Reason::new(codes::SLSA, format!("{}: {p}", item.name)).with_item(&item.name),
            );
        }
    }
    if checked == 0 {
        decision.denials.push(Reason::new(
            codes::SLSA,
            "SLSA checks were asked for, and no verified evidence item carries SLSA provenance (v0.2 or v1)",
        ));
    }
    Ok(())
}

fn write_vsa(
    a: &GateRunArgs,
    out: &Path,
    decision: &Decision,
    input: &GateInput,
    passed: bool,
) -> Result<(), CliError> {
    let (Some(key_path), Some(uri)) = (&a.vsa_key, &a.resource_uri) else {
        return Err(CliError::Usage(
            "--vsa-out needs --vsa-key and --resource-uri".into(),
        ));
    };
    let key_bytes = read_limited(key_path, MAX_KEY_FILE)?;
    let key = gate::vsa::SigningKey::from_pem(&String::from_utf8_lossy(&key_bytes))
        .map_err(|e| CliError::malformed(key_path.display().to_string(), e))?;
    let mut subjects: Vec<(String, String)> = Vec::new();
    for name in &a.vsa_subject {
        let item = input
            .items
            .iter()
            .find(|i| &i.name == name)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "--vsa-subject {name}: no item of the set has that name"
                ))
            })?;
        let sha = item.subject_sha256.clone().ok_or_else(|| {
            CliError::Usage(format!(
                "--vsa-subject {name}: the item has no subject file"
            ))
        })?;
        subjects.push((
            item.subject_name
                .clone()
                .unwrap_or_else(|| item.name.clone()),
            sha,
        ));
    }
    subjects.sort();
    subjects.dedup_by(|x, y| x.1 == y.1);
    let inputs: Vec<(String, String)> = input
        .items
        .iter()
        .filter_map(|i| {
            i.report.as_ref().ok().map(|r| {
                use sha2::Digest as _;
                (
                    format!("evidence:{}", i.name),
                    hex::encode(sha2::Sha256::digest(r.to_json().as_bytes())),
                )
            })
        })
        .collect();
    let policy_sha = decision
        .policy_digest
        .strip_prefix("sha256:")
        .unwrap_or_default()
        .to_owned();
    let policy_uri = a
        .policy
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let summary = gate::vsa::Summary {
        verifier_id: &a.verifier_id,
        verifier_version: env!("CARGO_PKG_VERSION"),
        time_verified: input.now.to_rfc3339(),
        resource_uri: uri,
        policy_uri: &policy_uri,
        policy_sha256: &policy_sha,
        inputs,
        subjects,
        passed,
        levels: if passed {
            decision.verified_levels.clone()
        } else {
            Vec::new()
        },
    };
    let text = gate::vsa::sign(&summary.statement(), &key)
        .map_err(|e| CliError::Internal(e.to_string()))?;
    crate::input::write_atomically(out, text.as_bytes())
}

fn verdict_line(item: &ItemEvidence) -> String {
    match &item.report {
        Ok(r) if r.ok() => format!("{} ({}) verified", item.name, item.plugin),
        Ok(r) => format!(
            "{} ({}) FAILED{}",
            item.name,
            item.plugin,
            r.first_failure()
                .map(|c| format!(" at {}", c.id))
                .unwrap_or_default()
        ),
        Err(_) => format!("{} ({}) NO VERDICT", item.name, item.plugin),
    }
}

/// A reason on one line: control characters (a line break in a message) are shown escaped,
/// so no message can print a line of its own.
fn line(r: &Reason) -> String {
    r.explain()
        .chars()
        .flat_map(|c| match c {
            '\n' => vec!['\\', 'n'],
            '\r' => vec!['\\', 'r'],
            c if c.is_control() => format!("\\u{{{:04x}}}", c as u32).chars().collect(),
            c => vec![c],
        })
        .collect()
}

fn render_text(d: &Decision, input: &GateInput) -> String {
    let mut out = format!(
        "{}: {} denial(s), {} warning(s) (policy {}, namespace {})\n",
        d.outcome.name().to_uppercase(),
        d.denials.len() + d.errors.len(),
        d.warnings.len(),
        if d.policy_digest.is_empty() {
            "not loaded"
        } else {
            &d.policy_digest
        },
        d.namespaces.join(", ")
    );
    for r in &d.errors {
        out.push_str(&format!("error  {}\n", line(r)));
    }
    for r in &d.denials {
        out.push_str(&format!("deny   {}\n", line(r)));
    }
    for r in &d.warnings {
        out.push_str(&format!("warn   {}\n", line(r)));
    }
    for r in &d.exceptions {
        out.push_str(&format!("exempt {}\n", line(r)));
    }
    if !input.items.is_empty() {
        out.push_str(&format!(
            "evidence: {}\n",
            input
                .items
                .iter()
                .map(verdict_line)
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    out
}

fn json_output(d: &Decision, input: &GateInput, code: u8) -> Value {
    let items: Vec<Value> = input
        .items
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "plugin": i.plugin,
                "verdict": i.verdict(),
                "report": match &i.report {
                    Ok(r) => serde_json::from_str::<Value>(&r.to_json()).unwrap_or(Value::Null),
                    Err(e) => json!({"error": e}),
                },
            })
        })
        .collect();
    json!({
        "format": "prov-verify-gate/1",
        "outcome": d.outcome.name(),
        "exitCode": code,
        "policyDigest": d.policy_digest,
        "namespaces": d.namespaces,
        "explanation": d.blocking().chain(d.warnings.iter()).map(Reason::explain).collect::<Vec<_>>(),
        "errors": d.errors,
        "denials": d.denials,
        "warnings": d.warnings,
        "exceptions": d.exceptions,
        "verifiedLevels": d.verified_levels,
        "items": items,
    })
}

fn run_tests(
    paths: &[PathBuf],
    data: &[PathBuf],
    input: Option<&Path>,
    rego: RegoVersion,
) -> Result<Outcome, CliError> {
    let policies = policy_files(paths)?;
    let data = data_files(data)?;
    let input: Value = match input {
        Some(p) => serde_json::from_slice(&read_limited(p, 16 << 20)?)
            .map_err(|e| CliError::malformed(p.display().to_string(), e))?,
        None => json!({}),
    };
    let mut policy = match Policy::load(&policies, &data, &options(rego, 10_000)) {
        Ok(p) => p,
        Err(e) => {
            let mut text = String::new();
            for r in &e.0 {
                text.push_str(&format!("error  {}\n", r.explain()));
            }
            return Ok(Outcome::Decided { text, code: 2 });
        }
    };
    let results = policy.run_tests(&input);
    let mut text = String::new();
    let failed = results.iter().filter(|(_, ok, _)| !ok).count();
    for (rule, ok, detail) in &results {
        text.push_str(&format!(
            "{} {rule}: {detail}\n",
            if *ok { "PASS" } else { "FAIL" }
        ));
    }
    text.push_str(&format!(
        "{} tests, {} passed, {failed} failed\n",
        results.len(),
        results.len() - failed
    ));
    // No test at all is not a passing suite.
    let code = if results.is_empty() || failed > 0 {
        1
    } else {
        0
    };
    if results.is_empty() {
        text.push_str("no test_ rule found: nothing was tested\n");
    }
    Ok(Outcome::Decided { text, code })
}
