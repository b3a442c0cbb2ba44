//! `audit-pack`: build, sign and verify evidence packs. Thin over the `audit_pack` library:
//! this file parses arguments, reads the clock and the environment (only for the default pack
//! date and the recorded verification time), and maps results to exit codes
//! (0 ok / verified, 1 verification failed, 2 usage, input or I/O error).
#![forbid(unsafe_code)]

use audit_pack::{
    build_pack_to_dir, parse_public_key, verify_pack, BuildInput, Limits, OrgSlug, PackDate,
    SigningKey,
};
use clap::{Parser, Subcommand};
use plugin_api::{CheckStatus, VerificationTime};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "audit-pack",
    version,
    about = "Build and verify signed, reproducible evidence packs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build `audit-pack-<org>-<date>.tgz` from an evidence folder and a control map.
    Build {
        /// Organisation slug (a-z, 0-9, '-').
        #[arg(long)]
        org: String,
        /// The evidence folder.
        #[arg(long)]
        evidence: PathBuf,
        /// The control map (CSV).
        #[arg(long)]
        controls: PathBuf,
        /// The private key file that signs the index (see `keygen`).
        #[arg(long)]
        key: PathBuf,
        /// A public key trusted to sign manifests (`*.manifest.json.sig`); repeatable.
        #[arg(long = "manifest-key")]
        manifest_keys: Vec<PathBuf>,
        /// Pack date, YYYY-MM-DD (default: from SOURCE_DATE_EPOCH, else today in UTC).
        #[arg(long)]
        date: Option<String>,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Generate an Ed25519 key pair: NAME.key (private, mode 0600) and NAME.pub.
    Keygen {
        /// Key name (no '+', whitespace or control characters).
        #[arg(long)]
        name: String,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a pack with the index-signing public key.
    Verify {
        /// The pack (.tgz).
        pack: PathBuf,
        /// The public key file of the index signer.
        #[arg(long)]
        key: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

const EXIT_ERROR: u8 = 2;

fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    if meta.len() > 64 << 10 {
        return Err(format!("{what} {}: file too large", path.display()));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{what} {}: {e}", path.display()))
}

fn default_date() -> Result<PackDate, String> {
    let seconds = match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .map_err(|_| format!("SOURCE_DATE_EPOCH={v:?} is not a number of seconds"))?,
        Err(_) => now_seconds(),
    };
    PackDate::from_unix_seconds(seconds).ok_or_else(|| "date out of range".to_owned())
}

fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn run(cli: Cli) -> Result<u8, String> {
    match cli.command {
        Command::Build {
            org,
            evidence,
            controls,
            key,
            manifest_keys,
            date,
            out,
        } => {
            let org = OrgSlug::parse(&org).map_err(|e| e.to_string())?;
            let date = match date {
                Some(d) => PackDate::parse(&d).map_err(|e| e.to_string())?,
                None => default_date()?,
            };
            let key = SigningKey::parse(&read_text(&key, "key")?).map_err(|e| e.to_string())?;
            let mut trusted = Vec::new();
            for path in &manifest_keys {
                let text = read_text(path, "manifest key")?;
                trusted
                    .push(parse_public_key(&text).map_err(|e| format!("{}: {e}", path.display()))?);
            }
            let input = BuildInput {
                org,
                date,
                evidence_dir: &evidence,
                control_map: &controls,
                key: &key,
                manifest_keys: &trusted,
                limits: Limits::DEFAULT,
            };
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let (path, summary) = build_pack_to_dir(&input, &out).map_err(|e| e.to_string())?;
            for w in &summary.warnings {
                eprintln!("warning: {w}");
            }
            println!("{}", path.display());
            println!("merkle root {}", summary.index.merkle_root);
            Ok(0)
        }
        Command::Keygen { name, out } => {
            let mut seed = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
                .map_err(|_| "no system randomness".to_owned())?;
            let key = SigningKey::from_seed(&name, seed).map_err(|e| e.to_string())?;
            let private = out.join(format!("{name}.key"));
            let public = out.join(format!("{name}.pub"));
            write_new(&private, key.to_private_key_file().as_bytes(), true)?;
            write_new(&public, key.to_public_key_file().as_bytes(), false)?;
            println!("{}", private.display());
            println!("{}", public.display());
            Ok(0)
        }
        Command::Verify { pack, key, json } => {
            let key = parse_public_key(&read_text(&key, "key")?).map_err(|e| e.to_string())?;
            let file =
                std::fs::File::open(&pack).map_err(|e| format!("{}: {e}", pack.display()))?;
            let at = VerificationTime::from_unix_seconds(now_seconds());
            let report = verify_pack(
                std::io::BufReader::new(file),
                &key,
                &Limits::DEFAULT,
                Some(at),
            );
            let mut stdout = std::io::stdout().lock();
            if json {
                let _ = writeln!(stdout, "{}", report.to_json());
            } else {
                for check in report.checks() {
                    let status = match &check.status {
                        CheckStatus::Pass => "pass",
                        CheckStatus::Fail => "FAIL",
                        CheckStatus::Skipped { .. } => "skip",
                    };
                    let _ = writeln!(stdout, "{status:4}  {}  {}", check.id, check.explanation());
                }
                for w in report.warnings() {
                    let _ = writeln!(stdout, "warning: {w}");
                }
                for e in report.errors() {
                    let _ = writeln!(stdout, "error: {e}");
                }
                let verdict = if report.ok() {
                    "verified"
                } else {
                    "NOT verified"
                };
                let _ = writeln!(stdout, "{}: {verdict}", pack.display());
            }
            Ok(report.exit_code())
        }
    }
}

fn write_new(path: &Path, data: &[u8], private: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options.open(path).map_err(|e| {
        format!(
            "{}: {e} (existing keys are never overwritten)",
            path.display()
        )
    })?;
    file.write_all(data)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("audit-pack: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
