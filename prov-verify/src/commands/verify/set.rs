//! Evidence sets: many plans, verified in parallel, and a summary report.

use super::execute::execute_detailed;
use super::plan::{plan_from_json, Plan, SetJson};
use super::*;

/// One item of a set, verified.
#[derive(Debug)]
pub struct SetItem {
    /// Its name (given, or `item-N`).
    pub name: String,
    /// Its plugin.
    pub plugin: String,
    /// The report, or why no verdict could be reached for it.
    pub result: Result<Report, CliError>,
    /// What the gate reads besides the report (kept only when asked for).
    pub evidence: Option<ItemInputs>,
}

/// An item's inputs as the plugin read them: the subject's SHA-256 and the signature bytes
/// (the same bytes the plugin verified, never read again).
#[derive(Debug, Clone, Default)]
pub struct ItemInputs {
    /// SHA-256 (hex) of the subject file, if the item had one.
    pub subject_sha256: Option<String>,
    /// The subject file's name, if any.
    pub subject_name: Option<String>,
    /// The signature material.
    pub signature: Vec<u8>,
    /// The subject's bytes, when asked for (a policy bundle, read once and verified).
    pub subject: Option<Vec<u8>>,
}

/// Whether `name` is a valid item name (it appears at the start of output lines).
fn is_item_name(name: &str) -> bool {
    name.len() <= 64
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
}

/// The bytes a plan's files hold now (a missing file counts 0: its read fails later).
fn plan_bytes(plan: &Plan) -> u64 {
    let size = |p: &PathBuf| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    plan.subject
        .iter()
        .chain(plan.signature.iter())
        .chain(plan.roots.iter().map(|(_, p)| p))
        .chain(plan.certs.iter())
        .chain(plan.crls.iter())
        .map(size)
        .fold(0u64, u64::saturating_add)
}

pub(super) fn run_set(
    path: &Path,
    cli_at: Option<&str>,
    cache: Option<&offline_cache::CacheDir>,
) -> Result<Outcome, CliError> {
    let (items, summary) = verify_set(path, cli_at, cache, false)?;
    Ok(Outcome::Set { items, summary })
}

/// Verifies every item of the set at `path` (in parallel) and returns them, in set order,
/// with the summary report. With `keep_inputs`, each item also carries the inputs its plugin
/// read ([`ItemInputs`]).
pub fn verify_set(
    path: &Path,
    cli_at: Option<&str>,
    cache: Option<&offline_cache::CacheDir>,
    keep_inputs: bool,
) -> Result<(Vec<SetItem>, Report), CliError> {
    let bytes = read_limited(path, MAX_REQUEST_FILE)?;
    let set: SetJson = strict_json(&bytes, path)?;
    let field = path.display().to_string();
    if set.version != 1 {
        return Err(CliError::malformed(
            &field,
            format!("unsupported set version {} (expected 1)", set.version),
        ));
    }
    if set.items.is_empty() {
        return Err(CliError::malformed(&field, "the set has no items"));
    }
    if set.items.len() > MAX_SET_ITEMS {
        return Err(CliError::malformed(
            &field,
            format!("more than {MAX_SET_ITEMS} items"),
        ));
    }
    // Every time is checked before anything is verified; the file's times are the ones it
    // was written for, so `--at` is refused beside them rather than silently overridden.
    if let Some(at) = &set.at {
        parse_time(at, &format!("{field}: at"))?;
    }
    if cli_at.is_some() && (set.at.is_some() || set.items.iter().any(|i| i.at.is_some())) {
        return Err(CliError::Usage(format!(
            "--at cannot be used with {field}: the set gives its own verification time"
        )));
    }
    let base = path.parent().unwrap_or(Path::new(""));
    let mut names = std::collections::BTreeSet::new();
    let mut plans = Vec::new();
    for (i, item) in set.items.iter().enumerate() {
        let name = item
            .name
            .clone()
            .unwrap_or_else(|| format!("item-{}", i + 1));
        if !is_item_name(&name) {
            return Err(CliError::malformed(
                format!("{field}: items[{i}].name"),
                "an item name is 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit",
            ));
        }
        if !names.insert(name.clone()) {
            return Err(CliError::malformed(
                format!("{field}: items[{i}].name"),
                format!("duplicate item name {name:?}"),
            ));
        }
        // A malformed item (unknown plugin, bad field) makes the set malformed: no verdict.
        let plan = plan_from_json(item, base, cli_at, Some(&set))
            .map_err(|e| CliError::malformed(format!("{field}: items[{i}] ({name})"), e))?;
        plans.push((name, plan));
    }
    // One budget over every file the set names (each read is bounded on its own as well).
    let mut total: u64 = 0;
    for (_, plan) in &plans {
        total = total.saturating_add(plan_bytes(plan));
    }
    if total > MAX_SET_BYTES {
        return Err(CliError::malformed(
            &field,
            format!(
                "its inputs total {total} bytes, over the {MAX_SET_BYTES}-byte budget of a set"
            ),
        ));
    }
    let items: Vec<SetItem> = plans
        .par_iter()
        .map(|(name, plan)| {
            let (result, evidence) = if keep_inputs {
                match execute_detailed(plan, cache) {
                    Ok((report, inputs)) => (Ok(report), Some(inputs)),
                    Err(e) => (Err(e), None),
                }
            } else {
                (execute(plan, cache), None)
            };
            SetItem {
                name: name.clone(),
                plugin: plan.plugin.clone(),
                result,
                evidence,
            }
        })
        .collect();
    let mut b = Report::builder("evidence-set").subject(field.clone());
    for (i, item) in items.iter().enumerate() {
        let id = format!("evidence-set.item-{}", i + 1);
        b = match &item.result {
            Ok(r) if r.ok() => b.pass(
                id,
                format!(
                    "{} ({}): verified, {} checks",
                    item.name,
                    item.plugin,
                    r.checks().len()
                ),
            ),
            Ok(r) => b.fail(
                id,
                format!(
                    "{} ({}): {}",
                    item.name,
                    item.plugin,
                    r.first_failure()
                        .map(|c| format!("{} failed", c.id))
                        .or_else(|| r.errors().first().cloned())
                        .unwrap_or_else(|| "not verified".into())
                ),
            ),
            Err(e) => b.fail(
                id,
                format!("{} ({}): no verdict: {e}", item.name, item.plugin),
            ),
        };
    }
    Ok((items, b.finish()))
}
