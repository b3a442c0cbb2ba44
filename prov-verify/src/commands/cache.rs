//! `prov-verify cache ...`: the offline cache: warm it online, check it, move it to an
//! air-gapped machine.
//!
//! Only `cache warm` uses the network, and only this module's `warm` function constructs an
//! HTTP fetcher, after refusing `--offline`. Every other subcommand (and `warm` under
//! `--offline`, which is refused) runs without any fetcher: verification replays the TUF
//! workflow over cached bytes. The time is read once here (or given with `--at`).

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::read_small_file;
use clap::{Args, Subcommand};
use offline_cache::{CacheDir, Error as CacheError, DEFAULT_REPOSITORY, SIGSTORE_TRUSTED_ROOT};
use plugin_api::{Insecure, VerificationTime};
use std::path::PathBuf;
use std::time::Duration;

/// Per-request time limit of `cache warm`.
const HTTP_TIMEOUT: Duration = Duration::from_secs(60);

#[derive(Debug, Subcommand)]
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
}

#[derive(Debug, Args)]
pub struct WarmArgs {
    /// TUF repository metadata URL (Sigstore: https://tuf-repo-cdn.sigstore.dev/)
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// Targets URL; default: URL/targets/
    #[arg(long, value_name = "URL")]
    pub targets_url: Option<String>,

    /// The initial trusted root.json (required the first time; later it must be the same)
    #[arg(long, value_name = "FILE")]
    pub root: Option<PathBuf>,

    /// Name of the repository in the cache
    #[arg(long, default_value = DEFAULT_REPOSITORY, value_name = "NAME")]
    pub name: String,

    /// Target to cache; repeatable
    #[arg(long = "target", value_name = "PATH", default_value = SIGSTORE_TRUSTED_ROOT)]
    pub targets: Vec<String>,

    /// Verification time (RFC 3339, e.g. 2026-06-01T00:00:00Z); default: now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Time to judge expiry at (RFC 3339); default: now
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

    /// Verification time (RFC 3339, e.g. 2026-06-01T00:00:00Z); default: now
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

    /// INSECURE: accept expired TUF metadata (recorded in the report, with a warning)
    #[arg(long)]
    pub allow_expired_cache: bool,

    /// Verification time (RFC 3339, e.g. 2026-06-01T00:00:00Z); default: now
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
            let value = serde_json::json!({
                "cache_dir": cache.path().display().to_string(),
                "at": offline_cache::format_time(now),
                "repositories": repos,
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
            let root = args.root.as_deref().map(read_small_file).transpose()?;
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
    }
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
    let initial_root = args.root.as_deref().map(read_small_file).transpose()?;
    let metadata_url = with_slash(&args.url);
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
    let fetcher = offline_cache::HttpFetcher::new(HTTP_TIMEOUT);
    let out = offline_cache::warm(cache, &req, fetcher).map_err(cache_error)?;
    Ok(Outcome::Report(out.report))
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
fn cache_dir(g: &crate::cli::GlobalArgs) -> Result<PathBuf, CliError> {
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
        Some(text) => offline_cache::parse_time(text).ok_or_else(|| {
            CliError::malformed(
                "--at",
                format!("{text:?} is not an RFC 3339 UTC time such as 2026-06-01T00:00:00Z"),
            )
        }),
        // The one read of the clock: recorded in the report as the verification time.
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| VerificationTime::from_unix_seconds(d.as_secs()))
            .map_err(|e| CliError::Internal(format!("system clock before 1970: {e}"))),
    }
}

fn cache_error(e: CacheError) -> CliError {
    match e {
        CacheError::Io { path, source, .. } => CliError::io(&path, source),
        other => CliError::malformed("cache", other),
    }
}
