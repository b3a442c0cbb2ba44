//! `cache warm`: refresh one repository with the TUF client over a [`Fetcher`], download
//! the requested targets, and commit a new generation only if everything verified.
//!
//! The caller chooses the fetcher; the offline paths of this crate take none.

use crate::error::Error;
use crate::layout::load_generation;
use crate::layout::{CacheDir, Staging};
use crate::repo::{
    root_file_name, target_file_name, CachedRepo, State, MAX_ROOTS, SIGSTORE_TRUSTED_ROOT,
    STATE_FORMAT,
};
use crate::verify::{check_for, role_of_file, target_check_id, verify_repo, PLUGIN};
use plugin_api::{Report, VerificationTime};
use plugin_tuf::{FetchError, Fetcher, Updater, UpdaterConfig};
use std::collections::BTreeMap;

/// What to warm.
#[derive(Debug, Clone)]
pub struct WarmRequest {
    /// The repository name in the cache (`sigstore`).
    pub name: String,
    /// The metadata base URL (`https://tuf-repo-cdn.sigstore.dev/`).
    pub metadata_url: String,
    /// The targets base URL (default: `METADATA_URL/targets/`).
    pub targets_url: String,
    /// The initial root (required the first time; must match the cached anchor after).
    pub initial_root: Option<Vec<u8>>,
    /// The targets to cache (`trusted_root.json`).
    pub targets: Vec<String>,
    /// The time, read once by the caller.
    pub now: VerificationTime,
}

/// The outcome of a warm: the verification report of the new state (identical to what
/// `cache verify` reports for it at the same time), or a failure report (nothing written).
#[derive(Debug)]
pub struct WarmOutcome {
    /// The report.
    pub report: Report,
    /// Whether a new generation was committed.
    pub committed: bool,
}

/// Records the bodies of root files fetched, to keep the rotation chain.
struct Recorder<F> {
    inner: F,
    metadata_url: String,
    roots: BTreeMap<u64, Vec<u8>>,
}

impl<F: Fetcher> Fetcher for Recorder<F> {
    fn fetch(&mut self, url: &str, max_len: u64) -> Result<Vec<u8>, FetchError> {
        let data = self.inner.fetch(url, max_len)?;
        if let Some(version) = url
            .strip_prefix(self.metadata_url.as_str())
            .and_then(crate::repo::parse_root_file_name)
        {
            self.roots.insert(version, data.clone());
        }
        Ok(data)
    }
}

fn failure(req: &WarmRequest, id: &str, detail: String) -> WarmOutcome {
    let report = Report::builder(PLUGIN)
        .subject(format!(
            "TUF repository `{}` ({})",
            req.name, req.metadata_url
        ))
        .verified_at(req.now)
        .fail(id, detail)
        .warning("nothing was written: the cache keeps its previous state")
        .finish();
    WarmOutcome {
        report,
        committed: false,
    }
}

/// Maps a client error to a failure report, or to an [`Error`] when it is not a verdict
/// on the repository (network, local I/O, internal).
fn client_failure(
    req: &WarmRequest,
    e: plugin_tuf::Error,
    target: Option<&str>,
) -> Result<WarmOutcome, Error> {
    use plugin_tuf::Error as E;
    let target_id = |t: &str| target_check_id(t);
    match e {
        // A body longer than trusted metadata allows is a verdict on the repository.
        E::Fetch(FetchError::TooLarge { url, limit }) => {
            let file = url.rsplit('/').next().unwrap_or(&url);
            let role = role_of_file(file);
            let id = match target {
                Some(t) => target_id(t),
                None if matches!(role, "snapshot" | "targets") => {
                    crate::checks::role_check(role, "consistency")
                }
                None => crate::checks::role_check(role, "signatures"),
            };
            Ok(failure(
                req,
                &id,
                format!("{url}: longer than the {limit} bytes trusted metadata allows"),
            ))
        }
        E::Fetch(source) => Err(Error::Fetch {
            name: req.name.clone(),
            source,
        }),
        E::Store(s) => Err(Error::corrupt(
            format!("repository {}", req.name),
            s.to_string(),
        )),
        E::TrustedRoot(inner) => Ok(failure(
            req,
            crate::checks::ROOT_SIGNATURES,
            format!("initial root: {inner}"),
        )),
        E::Update(u) => {
            let file = update_file(&u);
            let id = match (target, &u) {
                (Some(t), plugin_tuf::UpdateError::LengthMismatch { file, .. })
                | (Some(t), plugin_tuf::UpdateError::HashMismatch { file, .. })
                    if file == t =>
                {
                    target_id(t)
                }
                _ => check_for(&u, role_of_file(file.as_deref().unwrap_or("targets.json"))),
            };
            Ok(failure(req, &id, u.to_string()))
        }
        other => match target {
            Some(t) => Ok(failure(req, &target_id(t), other.to_string())),
            None => Err(Error::Internal(other.to_string())),
        },
    }
}

/// The metadata file an update error is about, when it names one.
fn update_file(u: &plugin_tuf::UpdateError) -> Option<String> {
    use plugin_tuf::{MetadataError as M, UpdateError as U};
    match u {
        U::Metadata(M::Json { file, .. })
        | U::Metadata(M::Format { file, .. })
        | U::Metadata(M::WrongType { file, .. })
        | U::Metadata(M::TooLarge { file, .. })
        | U::Threshold { file, .. }
        | U::RootVersion { file, .. }
        | U::Rollback { file, .. }
        | U::Expired { file, .. }
        | U::VersionMismatch { file, .. }
        | U::LengthMismatch { file, .. }
        | U::HashMismatch { file, .. }
        | U::UnsupportedHash { file, .. }
        | U::RemovedFromSnapshot { file, .. } => Some(file.clone()),
        U::NotInSnapshot { role, .. } | U::NotDelegated { role, .. } => {
            Some(format!("{role}.json"))
        }
        _ => None,
    }
}

/// Warms repository `req.name` in `cache` through `fetcher` (see the module documentation).
/// Holds the repository's lock throughout, so concurrent warmers run one after the other.
pub fn warm<F: Fetcher>(
    cache: &CacheDir,
    req: &WarmRequest,
    fetcher: F,
) -> Result<WarmOutcome, Error> {
    crate::repo::check_name(&req.name)?;
    if let Some(problem) = crate::repo::target_list_problem(&req.targets)? {
        return Err(Error::InvalidRequest(format!(
            "targets to cache: {problem}"
        )));
    }
    let lock = cache.lock(&req.name)?;
    let previous = match cache.current_generation(&req.name)? {
        Some(gen) => Some(load_generation(&gen)?),
        None => None,
    };
    let anchor = match (&previous, &req.initial_root) {
        (Some(prev), Some(given)) if &prev.anchor != given => {
            return Err(Error::AnchorMismatch {
                name: req.name.clone(),
                anchor: cache
                    .current_generation(&req.name)?
                    .unwrap_or_default()
                    .join("anchor.json"),
            })
        }
        (Some(prev), _) => prev.anchor.clone(),
        (None, Some(given)) => given.clone(),
        (None, None) => {
            return Err(Error::NoAnchor {
                name: req.name.clone(),
            })
        }
    };
    // From here on every early return drops `staging`, which removes its directory.
    let staging = cache.staging(&req.name, &lock)?;
    staging.write("anchor.json", &anchor)?;
    let mut roots = BTreeMap::new();
    match &previous {
        Some(prev) => {
            // Start from the previous state: rollback protection and fast-forward recovery.
            roots = prev.roots.clone();
            let newest = prev.roots.values().next_back().unwrap_or(&prev.anchor);
            staging.write("metadata/root.json", newest)?;
            staging.write("metadata/timestamp.json", &prev.timestamp)?;
            staging.write("metadata/snapshot.json", &prev.snapshot)?;
            staging.write("metadata/targets.json", &prev.targets)?;
            // Local copies the client may reuse (each verified again before use).
            for (stem, data) in &prev.delegated {
                staging.write(&format!("metadata/{stem}.json"), data)?;
            }
            for (t, data) in &prev.target_files {
                if req.targets.contains(t) || t == SIGSTORE_TRUSTED_ROOT {
                    staging.write(&format!("targets/{}", target_file_name(t)?), data)?;
                }
            }
        }
        None => staging.write("metadata/root.json", &anchor)?,
    }
    crate::fsutil::create_dir_all(&staging.path().join("targets"))?;
    let targets = match run_client(req, &staging, fetcher, &mut roots)? {
        ClientOutcome::Failed(failed) => return Ok(*failed),
        ClientOutcome::Done { targets } => targets,
    };
    if roots.len() > MAX_ROOTS {
        return Err(Error::TooManyRoots {
            name: req.name.clone(),
            count: roots.len(),
            limit: MAX_ROOTS,
        });
    }
    for (version, data) in &roots {
        staging.write(&format!("roots/{}", root_file_name(*version)), data)?;
    }
    // Verify the staged state exactly as `cache verify` will, and record its facts.
    let mut state = State {
        format: STATE_FORMAT,
        name: req.name.clone(),
        metadata_url: req.metadata_url.clone(),
        targets_url: req.targets_url.clone(),
        last_refresh: req.now.unix_seconds(),
        source: "warm".to_owned(),
        targets,
        roles: Vec::new(),
    };
    let staged = read_staged(&staging, state.clone())?;
    let verification = verify_repo(&staged, req.now, &[]);
    if !verification.report.ok() {
        return Ok(WarmOutcome {
            report: verification.report,
            committed: false,
        });
    }
    state.roles = verification.roles;
    staging.write("state.json", &state.to_json()?)?;
    cache.commit(&req.name, staging, &lock)?;
    Ok(WarmOutcome {
        report: verification.report,
        committed: true,
    })
}

/// What the TUF client run in the staging directory gave.
enum ClientOutcome {
    /// A verdict against the repository (nothing is committed).
    Failed(Box<WarmOutcome>),
    /// Metadata and targets are staged: the targets cached, in order.
    Done { targets: Vec<String> },
}

/// Runs the TUF client in the staging directory: refresh, then look up and download the
/// requested targets, and the repository's trust-root target (`trusted_root.json`) whenever
/// the trusted metadata lists it (the target a cache exists for, which `cache verify`
/// requires; see `verify`).
fn run_client<F: Fetcher>(
    req: &WarmRequest,
    staging: &Staging,
    fetcher: F,
    roots: &mut BTreeMap<u64, Vec<u8>>,
) -> Result<ClientOutcome, Error> {
    let failed = |o: WarmOutcome| ClientOutcome::Failed(Box::new(o));
    let metadata_url = plugin_tuf::urls::with_trailing_slash(&req.metadata_url);
    let mut recorder = Recorder {
        inner: fetcher,
        metadata_url: metadata_url.clone(),
        roots: BTreeMap::new(),
    };
    let meta_dir = staging.path().join("metadata");
    let target_dir = staging.path().join("targets");
    let mut updater = match Updater::new(
        &meta_dir,
        &metadata_url,
        Some(&req.targets_url),
        &mut recorder,
        req.now,
        UpdaterConfig::default(),
    ) {
        Ok(u) => u,
        Err(e) => return client_failure(req, e, None).map(failed),
    };
    if let Err(e) = updater.refresh() {
        return client_failure(req, e, None).map(failed);
    }
    let mut targets = req.targets.clone();
    if !targets.iter().any(|t| t == SIGSTORE_TRUSTED_ROOT) {
        match updater.get_targetinfo(SIGSTORE_TRUSTED_ROOT) {
            Ok(Some(_)) => targets.push(SIGSTORE_TRUSTED_ROOT.to_owned()),
            Ok(None) => {}
            Err(e) => return client_failure(req, e, Some(SIGSTORE_TRUSTED_ROOT)).map(failed),
        }
    }
    for t in &targets {
        let info = match updater.get_targetinfo(t) {
            Ok(Some(info)) => info,
            Ok(None) => {
                return Ok(failed(failure(
                    req,
                    &target_check_id(t),
                    format!("{t}: not listed in the trusted targets metadata"),
                )))
            }
            Err(e) => return client_failure(req, e, Some(t)).map(failed),
        };
        let cached = updater
            .find_cached_target(&info, &target_dir)
            .map_err(|e| Error::corrupt(&target_dir, e.to_string()))?;
        if cached.is_none() {
            if let Err(e) = updater.download_target(&info, &target_dir) {
                return client_failure(req, e, Some(t)).map(failed);
            }
        }
    }
    // Only the delegated roles this refresh trusted are kept (those the lookups used).
    let trusted_roles: Vec<String> = updater
        .trusted()
        .role_facts()
        .iter()
        .map(|f| plugin_tuf::urls::quote(&f.role))
        .collect();
    for entry in std::fs::read_dir(&meta_dir).map_err(Error::io(&meta_dir, "list"))? {
        let entry = entry.map_err(Error::io(&meta_dir, "list"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(stem) = crate::repo::delegated_stem(&name) {
            if !trusted_roles.iter().any(|r| r == stem) {
                std::fs::remove_file(entry.path()).map_err(Error::io(entry.path(), "remove"))?;
            }
        }
    }
    // Only the targets cached now are kept.
    let keep: Vec<String> = targets
        .iter()
        .map(|t| target_file_name(t))
        .collect::<Result<_, _>>()?;
    for entry in std::fs::read_dir(&target_dir).map_err(Error::io(&target_dir, "list"))? {
        let entry = entry.map_err(Error::io(&target_dir, "list"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if !keep.contains(&name) {
            std::fs::remove_file(entry.path()).map_err(Error::io(entry.path(), "remove"))?;
        }
    }
    // Roots fetched in this refresh all verified (any failure ends the refresh).
    drop(updater);
    roots.append(&mut recorder.roots);
    Ok(ClientOutcome::Done { targets })
}

/// Reads the staged files back, as `cache verify` will read them.
fn read_staged(staging: &Staging, state: State) -> Result<CachedRepo, Error> {
    let mut files = BTreeMap::new();
    files.insert("state.json".to_owned(), state.to_json()?);
    let base = staging.path();
    let mut stack = vec![base.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(Error::io(&dir, "list"))? {
            let entry = entry.map_err(Error::io(&dir, "list"))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(base)
                .map_err(|e| Error::Internal(e.to_string()))?
                .to_string_lossy()
                .replace('\\', "/");
            // Temporary files.
            if rel.rsplit('/').next().is_some_and(|n| n.starts_with('.')) {
                continue;
            }
            files.insert(
                rel,
                crate::fsutil::read(&path, crate::repo::MAX_TARGET_FILE_LEN)?,
            );
        }
    }
    CachedRepo::from_files(files, &base.display().to_string())
}
