//! `prov-verify cache ...`: the offline cache: warm it online, check it, move it to an
//! air-gapped machine.
//!
//! Only `cache warm` uses the network, and only this module's `warm` function constructs an
//! HTTPS fetcher (Mozilla roots, or `--ca-file`; plain http to loopback only), after refusing
//! `--offline`. `--sigstore` is the public-good repository with the embedded initial root. Every other subcommand (and `warm` under
//! `--offline`, which is refused) runs without any fetcher: verification replays the TUF
//! workflow over cached bytes. The time is read once here (or given with `--at`).
//!
//! `cache add-crl` stores X.509 CRLs under `CACHE_DIR/crls/` for `x509 verify` without
//! `--crl` (`cached_crls`); they need no trust: path validation verifies each CRL's
//! signature against its issuer when it is used. `cache export` / `cache import` carry them.

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_small_file;
use clap::{Args, Subcommand};
use offline_cache::{CacheDir, Error as CacheError, DEFAULT_REPOSITORY, SIGSTORE_TRUSTED_ROOT};
use plugin_api::{Insecure, VerificationTime};
use plugin_x509::{crls_from_pem_or_der, Crl};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Per-request time limit of `cache warm`.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

/// The directory of the cache holding CRLs (DER, named `sha256-<hex>.crl`); the same layout
/// `cache export` / `cache import` carry.
pub(crate) const CRL_DIR: &str = offline_cache::CRL_DIR;
/// Most CRLs the cache holds.
pub(crate) const MAX_CACHED_CRLS: usize = offline_cache::MAX_CACHED_CRLS;
/// Most CRLs in one file given to `cache add-crl`.
const MAX_CRLS_PER_FILE: usize = 16;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CacheCommand {
    /// Fetch and verify a TUF repository's metadata and targets into the cache (network)
    Warm(WarmArgs),
    /// Show what is cached: versions, expiry dates, last refresh (no verification)
    Status(StatusArgs),
    /// Re-verify a cached repository at the current time, offline: a report of named checks
    Verify(VerifyArgs),
    /// Write one cached repository to a .tgz for an air-gapped machine
    Export(ExportArgs),
    /// Read a .tgz made by `cache export`, re-verify it, and add it to the cache
    Import(ImportArgs),
    /// Add CRLs (PEM or DER) to the cache, for `x509 verify` without --crl (no trust needed:
    /// a CRL's signature is verified against its issuer when it is used)
    AddCrl(AddCrlArgs),
}

#[derive(Debug, Args)]
pub struct AddCrlArgs {
    /// CRL files: DER, or PEM with one or more `X509 CRL` blocks (1 MiB each at most)
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct WarmArgs {
    /// TUF repository metadata URL: https://, or plain http:// to a loopback host only
    #[arg(long, value_name = "URL", required_unless_present = "sigstore")]
    pub url: Option<String>,

    /// The Sigstore public-good repository: https://tuf-repo-cdn.sigstore.dev/ with the
    /// embedded initial root (version 15, from the sigstore 4.5.1 package), repository
    /// `sigstore`, target trusted_root.json
    #[arg(long, conflicts_with_all = ["url", "targets_url", "root", "name"])]
    pub sigstore: bool,

    /// Targets URL; default: URL/targets/
    #[arg(long, value_name = "URL")]
    pub targets_url: Option<String>,

    /// The initial trusted root.json (required the first time; later it must be the same)
    #[arg(long, value_name = "FILE")]
    pub root: Option<PathBuf>,

    /// Trust the CA certificates of this PEM file for HTTPS instead of the built-in Mozilla
    /// root set (a private mirror, a TLS-inspecting proxy); to trust both, give a bundle
    /// holding both
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,

    /// Name of the repository in the cache
    #[arg(long, default_value = DEFAULT_REPOSITORY, value_name = "NAME")]
    pub name: String,

    /// Target to cache; repeatable
    #[arg(long = "target", value_name = "PATH", default_value = SIGSTORE_TRUSTED_ROOT)]
    pub targets: Vec<String>,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Time to judge expiry at: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Name of the repository in the cache
    #[arg(long, default_value = DEFAULT_REPOSITORY, value_name = "NAME")]
    pub name: String,

    /// INSECURE: accept expired TUF metadata (recorded in the report, with a warning)
    #[arg(long)]
    pub allow_expired_cache: bool,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The archive to write
    #[arg(value_name = "FILE.tgz")]
    pub file: PathBuf,

    /// Name of the repository in the cache
    #[arg(long, default_value = DEFAULT_REPOSITORY, value_name = "NAME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The archive to read
    #[arg(value_name = "FILE.tgz")]
    pub file: PathBuf,

    /// The trusted initial root.json, for a repository not cached yet (the archive's own
    /// anchor is never trusted)
    #[arg(long, value_name = "FILE")]
    pub root: Option<PathBuf>,

    /// Use the embedded Sigstore initial root as --root (for an archive of `cache warm
    /// --sigstore`)
    #[arg(long, conflicts_with = "root")]
    pub sigstore: bool,

    /// INSECURE: accept expired TUF metadata (recorded in the report, with a warning)
    #[arg(long)]
    pub allow_expired_cache: bool,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds; default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

pub fn run(cmd: &CacheCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    let cache = CacheDir::new(cache_dir(g)?);
    match cmd {
        CacheCommand::Warm(args) => warm(&cache, args, g),
        CacheCommand::Status(args) => {
            let now = verification_time(args.at.as_deref())?;
            let repos = offline_cache::status(&cache, now).map_err(cache_error)?;
            let crls: Vec<serde_json::Value> = cached_crls(cache.path())?
                .iter()
                .map(|(name, crl)| crl_summary(name, crl))
                .collect();
            let value = serde_json::json!({
                "cache_dir": cache.path().display().to_string(),
                "at": offline_cache::format_time(now),
                "repositories": repos,
                "crls": crls,
            });
            Ok(Outcome::Data(value))
        }
        CacheCommand::Verify(args) => {
            let now = verification_time(args.at.as_deref())?;
            let v = offline_cache::verify_cached(
                &cache,
                &args.name,
                now,
                &insecure(args.allow_expired_cache),
            )
            .map_err(cache_error)?;
            Ok(Outcome::Report(v.report))
        }
        CacheCommand::Export(args) => {
            offline_cache::export(&cache, &args.name, &args.file).map_err(cache_error)?;
            Ok(Outcome::Data(serde_json::json!({
                "exported": args.name,
                "file": args.file.display().to_string(),
            })))
        }
        CacheCommand::Import(args) => {
            let now = verification_time(args.at.as_deref())?;
            let root = if args.sigstore {
                Some(offline_cache::SIGSTORE_ROOT.to_vec())
            } else {
                args.root.as_deref().map(read_small_file).transpose()?
            };
            let out = offline_cache::import(
                &cache,
                &args.file,
                root.as_deref(),
                now,
                &insecure(args.allow_expired_cache),
            )
            .map_err(cache_error)?;
            Ok(Outcome::Report(out.report))
        }
        CacheCommand::AddCrl(args) => add_crls(cache.path(), &args.files),
    }
}

/// The cache file name of a CRL: `sha256-<hex of its DER>.crl`.
fn crl_file_name(crl: &Crl) -> String {
    format!("sha256-{}.crl", hex::encode(crl.sha256()))
}

/// Whether `name` is a cache CRL file name (`sha256-` 64 lowercase hex digits `.crl`).
fn is_crl_file_name(name: &str) -> bool {
    offline_cache::is_crl_file_name(name)
}

/// The names of the CRL files in `crl_dir` (sorted; none if the directory does not exist),
/// at most [`MAX_CACHED_CRLS`]. Hidden entries (a writer's temporary `.tmp-*` files) are
/// ignored; any other entry is an error naming it: a CRL placed there under another name
/// would otherwise be silently unused, and a revocation it records missed.
fn crl_file_names(crl_dir: &Path) -> Result<Vec<String>, CliError> {
    let entries = match std::fs::read_dir(crl_dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(CliError::io(crl_dir, e)),
    };
    let mut names = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| CliError::io(crl_dir, e))?;
        let name = entry.file_name();
        match name.to_str() {
            Some(n) if is_crl_file_name(n) => {
                if names.len() >= MAX_CACHED_CRLS {
                    return Err(CliError::malformed(
                        crl_dir.display().to_string(),
                        format!("more than {MAX_CACHED_CRLS} CRLs in the cache"),
                    ));
                }
                names.push(n.to_owned());
            }
            Some(n) if n.starts_with('.') => {
                tracing::debug!(entry = ?name, "a writer's temporary file; ignored")
            }
            _ => {
                return Err(CliError::malformed(
                    crl_dir.join(&name).display().to_string(),
                    "not a cached CRL file name (sha256-<64 lowercase hex digits>.crl): a CRL kept here under another name would be silently unused; add CRLs with `prov-verify cache add-crl`, and remove this entry",
                ))
            }
        }
    }
    names.sort();
    Ok(names)
}

/// Every CRL of the cache at `cache_dir` (sorted by file name), each a regular file of at most
/// 1 MiB that parses as one DER CRL whose SHA-256 is its name; anything else is an error
/// naming the file (exit 2: a damaged cache is never skipped silently). No CRL is trusted
/// here: path validation verifies each against its issuer's key when it is used.
pub(crate) fn cached_crls(cache_dir: &Path) -> Result<Vec<(String, Crl)>, CliError> {
    let crl_dir = cache_dir.join(CRL_DIR);
    let mut out = Vec::new();
    for name in crl_file_names(&crl_dir)? {
        let path = crl_dir.join(&name);
        let meta = std::fs::symlink_metadata(&path).map_err(|e| CliError::io(&path, e))?;
        if !meta.is_file() {
            return Err(CliError::malformed(
                path.display().to_string(),
                "not a regular file (links are not followed)",
            ));
        }
        let bytes = read_small_file(&path)?;
        let crl = Crl::from_der(&bytes)
            .map_err(|e| CliError::malformed(path.display().to_string(), e))?;
        if crl_file_name(&crl) != name {
            return Err(CliError::malformed(
                path.display().to_string(),
                "content does not match its name (damaged cache); remove the file",
            ));
        }
        out.push((name, crl));
    }
    Ok(out)
}

fn crl_summary(name: &str, crl: &Crl) -> serde_json::Value {
    serde_json::json!({
        "file": format!("{CRL_DIR}/{name}"),
        "issuer": crl.issuer(),
        "this_update": plugin_api::time::format_rfc3339(crl.this_update()),
        "next_update": crl.next_update().map(plugin_api::time::format_rfc3339),
        "revoked": crl.revoked_count(),
    })
}

/// `cache add-crl`: parses every file first (nothing is written unless all parse), then
/// stores each new CRL as DER under its content address, atomically.
fn add_crls(cache_dir: &Path, files: &[PathBuf]) -> Result<Outcome, CliError> {
    let mut new: BTreeMap<String, Crl> = BTreeMap::new();
    for path in files {
        let bytes = read_small_file(path)?;
        let crls = crls_from_pem_or_der(&bytes, MAX_CRLS_PER_FILE)
            .map_err(|e| CliError::malformed(path.display().to_string(), e))?;
        for crl in crls {
            new.insert(crl_file_name(&crl), crl);
        }
    }
    let crl_dir = cache_dir.join(CRL_DIR);
    let existing = crl_file_names(&crl_dir)?;
    let (present, absent): (Vec<_>, Vec<_>) = new
        .into_iter()
        .partition(|(name, _)| existing.binary_search(name).is_ok());
    if existing.len().saturating_add(absent.len()) > MAX_CACHED_CRLS {
        return Err(CliError::malformed(
            crl_dir.display().to_string(),
            format!(
                "adding {} CRLs to the {} cached would exceed the limit of {MAX_CACHED_CRLS}",
                absent.len(),
                existing.len()
            ),
        ));
    }
    if !absent.is_empty() {
        std::fs::create_dir_all(&crl_dir).map_err(|e| CliError::io(&crl_dir, e))?;
    }
    for (i, (name, crl)) in absent.iter().enumerate() {
        write_atomic(&crl_dir, name, crl.der(), i)?;
    }
    if !absent.is_empty() {
        let dir = std::fs::File::open(&crl_dir).map_err(|e| CliError::io(&crl_dir, e))?;
        dir.sync_all().map_err(|e| CliError::io(&crl_dir, e))?;
    }
    tracing::info!(added = absent.len(), already = present.len(), dir = %crl_dir.display(), "CRLs cached");
    Ok(Outcome::Data(serde_json::json!({
        "cache_dir": cache_dir.display().to_string(),
        "added": absent.iter().map(|(n, c)| crl_summary(n, c)).collect::<Vec<_>>(),
        "already_cached": present.iter().map(|(n, c)| crl_summary(n, c)).collect::<Vec<_>>(),
    })))
}

/// Writes `bytes` to `dir/name`: a temporary file in `dir`, synced, renamed over the name.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8], n: usize) -> Result<(), CliError> {
    let tmp = dir.join(format!(".tmp-{}-{n}-{name}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, dir.join(name))
    })();
    result.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CliError::io(&tmp, e)
    })
}

/// The only place an HTTP fetcher is made; `--offline` is refused before it.
fn warm(
    cache: &CacheDir,
    args: &WarmArgs,
    g: &crate::cli::GlobalArgs,
) -> Result<Outcome, CliError> {
    if g.offline {
        return Err(CliError::Usage(
            "cache warm fetches from the network, which --offline forbids".into(),
        ));
    }
    let now = verification_time(args.at.as_deref())?;
    let (url, initial_root) = if args.sigstore {
        (
            offline_cache::SIGSTORE_URL.to_owned(),
            Some(offline_cache::SIGSTORE_ROOT.to_vec()),
        )
    } else {
        let url = args
            .url
            .clone()
            .ok_or_else(|| CliError::Usage("cache warm needs --url or --sigstore".into()))?;
        (url, args.root.as_deref().map(read_small_file).transpose()?)
    };
    let metadata_url = with_slash(&url);
    let targets_url = match &args.targets_url {
        Some(u) => with_slash(u),
        None => format!("{metadata_url}targets/"),
    };
    let req = offline_cache::WarmRequest {
        name: args.name.clone(),
        metadata_url,
        targets_url,
        initial_root,
        targets: args.targets.clone(),
        now,
    };
    // Refuse a plain-http URL to a remote host before anything else (no connection).
    for u in [&req.metadata_url, &req.targets_url] {
        check_url_arg(u)?;
    }
    let fetcher = match &args.ca_file {
        None => offline_cache::HttpFetcher::new(HTTP_TIMEOUT),
        Some(path) => {
            let pem = read_small_file(path)?;
            offline_cache::HttpFetcher::with_ca_pem(HTTP_TIMEOUT, &pem)
                .map_err(|e| CliError::malformed(path.display().to_string(), e))?
        }
    };
    let out = offline_cache::warm(cache, &req, fetcher).map_err(cache_error)?;
    Ok(Outcome::Report(out.report))
}

fn check_url_arg(url: &str) -> Result<(), CliError> {
    offline_cache::check_url(url).map_err(|e| CliError::Usage(e.to_string()))
}

fn with_slash(url: &str) -> String {
    if url.ends_with('/') {
        url.to_owned()
    } else {
        format!("{url}/")
    }
}

fn insecure(allow_expired: bool) -> Vec<Insecure> {
    if allow_expired {
        vec![Insecure::AllowExpiredCache]
    } else {
        Vec::new()
    }
}

/// `--cache-dir` / `PROV_VERIFY_CACHE_DIR`, else `$XDG_CACHE_HOME/prov-verify`, else
/// `$HOME/.cache/prov-verify`.
pub(crate) fn cache_dir(g: &crate::cli::GlobalArgs) -> Result<PathBuf, CliError> {
    if let Some(dir) = &g.cache_dir {
        return Ok(dir.clone());
    }
    let from_env = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    if let Some(xdg) = from_env("XDG_CACHE_HOME") {
        return Ok(xdg.join("prov-verify"));
    }
    if let Some(home) = from_env("HOME") {
        return Ok(home.join(".cache").join("prov-verify"));
    }
    Err(CliError::Usage(
        "no cache directory: pass --cache-dir or set PROV_VERIFY_CACHE_DIR".into(),
    ))
}

fn verification_time(at: Option<&str>) -> Result<VerificationTime, CliError> {
    match at {
        Some(text) => crate::commands::verify::parse_time(text, "--at"),
        // The one read of the clock: recorded in the report as the verification time.
        None => crate::commands::now(),
    }
}

fn cache_error(e: CacheError) -> CliError {
    match e {
        CacheError::Io { path, source, .. } => CliError::io(&path, source),
        other => CliError::malformed("cache", other),
    }
}
