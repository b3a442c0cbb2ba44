//! tuf-conformance adapter: the client CLI protocol of the upstream suite
//! (`../shared/conformance/tuf/README.md`) over `plugin_tuf`.
//!
//! ```text
//! tuf-client --metadata-dir DIR init TRUSTED_ROOT
//! tuf-client --metadata-url URL --metadata-dir DIR refresh
//! tuf-client --metadata-url URL --metadata-dir DIR --target-name PATH... \
//!            --target-dir DIR --target-base-url URL download
//! ```
//!
//! Options may come in any order around the command word. Exit 0 on full success, 1 on any
//! failure (including usage errors and panics, as the protocol demands). The system clock
//! is read once, at startup, and passed in (so `faketime` works).
#![forbid(unsafe_code)]

use plugin_api::VerificationTime;
use plugin_tuf::{HttpFetcher, Updater, UpdaterConfig};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(Debug, Default)]
struct Args {
    metadata_dir: Option<PathBuf>,
    metadata_url: Option<String>,
    target_names: Vec<String>,
    target_dir: Option<PathBuf>,
    target_base_url: Option<String>,
    command: Option<String>,
    trusted_root: Option<PathBuf>,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args::default();
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--metadata-dir" => args.metadata_dir = Some(value(&arg)?.into()),
            "--metadata-url" => args.metadata_url = Some(value(&arg)?),
            "--target-name" => args.target_names.push(value(&arg)?),
            "--target-dir" => args.target_dir = Some(value(&arg)?.into()),
            "--target-base-url" => args.target_base_url = Some(value(&arg)?),
            "init" | "refresh" | "download" if args.command.is_none() => {
                args.command = Some(arg);
            }
            other if other.starts_with("--") => return Err(format!("unknown option {other}")),
            other => {
                if args.command.as_deref() == Some("init") && args.trusted_root.is_none() {
                    args.trusted_root = Some(other.into());
                } else {
                    return Err(format!("unexpected argument {other:?}"));
                }
            }
        }
    }
    Ok(args)
}

fn required<'a, T: ?Sized>(v: Option<&'a T>, name: &str) -> Result<&'a T, String> {
    v.ok_or_else(|| format!("{name} is required"))
}

fn updater(
    args: &Args,
    now: VerificationTime,
    with_targets: bool,
) -> Result<Updater<HttpFetcher>, String> {
    let metadata_dir = required(args.metadata_dir.as_deref(), "--metadata-dir")?;
    let metadata_url = required(args.metadata_url.as_deref(), "--metadata-url")?;
    let target_base_url = if with_targets {
        Some(required(
            args.target_base_url.as_deref(),
            "--target-base-url",
        )?)
    } else {
        None
    };
    Updater::new(
        metadata_dir,
        metadata_url,
        target_base_url,
        HttpFetcher::new(Duration::from_secs(60)),
        now,
        UpdaterConfig::default(),
    )
    .map_err(|e| e.to_string())
}

fn init(args: &Args) -> Result<(), String> {
    let metadata_dir = required(args.metadata_dir.as_deref(), "--metadata-dir")?;
    let trusted_root = required(args.trusted_root.as_deref(), "TRUSTED_ROOT")?;
    let limit = UpdaterConfig::default().root_max_length;
    let bytes = read_limited(trusted_root, limit)?;
    plugin_tuf::MetadataStore::new(metadata_dir)
        .persist("root", &bytes)
        .map_err(|e| e.to_string())
}

fn read_limited(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    plugin_api::bounded::read_file(path, limit).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => {
            format!("{}: larger than {limit} bytes", path.display())
        }
        other => format!("{}: {}", path.display(), other.into_io_error()),
    })
}

fn run(args: &Args, now: VerificationTime) -> Result<(), String> {
    match args.command.as_deref() {
        Some("init") => init(args),
        Some("refresh") => updater(args, now, false)?
            .refresh()
            .map_err(|e| e.to_string()),
        Some("download") => {
            let target_dir = required(args.target_dir.as_deref(), "--target-dir")?;
            if args.target_names.is_empty() {
                return Err("--target-name is required".to_owned());
            }
            let mut updater = updater(args, now, true)?;
            updater.refresh().map_err(|e| e.to_string())?;
            for name in &args.target_names {
                let info = updater
                    .get_targetinfo(name)
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("target {name:?}: not found"))?;
                let cached = updater
                    .find_cached_target(&info, target_dir)
                    .map_err(|e| e.to_string())?;
                if cached.is_none() {
                    updater
                        .download_target(&info, target_dir)
                        .map_err(|e| e.to_string())?;
                }
            }
            Ok(())
        }
        _ => Err("expected a command: init, refresh or download".to_owned()),
    }
}

fn main() -> ExitCode {
    // The one clock read: everything below is judged at this instant.
    let Ok(since_epoch) = SystemTime::now().duration_since(UNIX_EPOCH) else {
        eprintln!("tuf-client: the system clock is before 1970");
        return ExitCode::from(1);
    };
    let now = VerificationTime::from_unix_seconds(since_epoch.as_secs());
    let result = std::panic::catch_unwind(|| {
        let args = parse_args(std::env::args().skip(1))?;
        run(&args, now)
    });
    match result {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(msg)) => {
            eprintln!("tuf-client: {msg}");
            ExitCode::from(1)
        }
        Err(_) => {
            eprintln!("tuf-client: internal error");
            ExitCode::from(1)
        }
    }
}
