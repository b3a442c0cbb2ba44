//! `audit-pack`: build, sign and verify evidence packs. Thin over the `audit_pack` library:
//! this file parses arguments, reads the clock and the environment (only for the default pack
//! date and the recorded verification time), and maps results to exit codes
//! (0 ok / verified, 1 verification failed, 2 usage, input or I/O error).
#![forbid(unsafe_code)]

use audit_pack::max_proof_size;
use audit_pack::report::{self, ReportFormat, ReportInput};
use audit_pack::{
    build_pack_to_dir_with_progress, load_manifest_roots, make_proof, parse_public_key_file,
    proof_file_malformed, verify_proof_trusted, BuildInput, BuildInsecure, IndexSigner, Limits,
    LoadedTrust, LogTarget, OrgSlug, PackDate, SigningKey, SpotCheckRequest, TrustArgsError,
    TrustFile, PLUGIN,
};
use audit_pack::{KindsFile, NoProgress, Phase, Progress};
use audit_pack_cli::{read_limited, ProofTrustArgs, SigstoreArgs, TrustArgs, X509SignerArgs};
use clap::{Parser, Subcommand};
use plugin_api::{CheckStatus, Report, VerificationTime};
use std::io::{IsTerminal, Write};
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
    #[command(after_long_help = BUILD_KINDS_HELP)]
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
        /// Explicit evidence kinds: one `GLOB KIND` per line (`#` comments), matched against
        /// paths in the evidence folder; they decide before sections, names and content.
        #[arg(long, value_name = "FILE")]
        kinds: Option<PathBuf>,
        /// The Ed25519 private key file that signs the index: a `keygen` key, or a PKCS#8 PEM key
        /// (`openssl genpkey -algorithm ed25519`), named after its file up to the first dot.
        #[arg(
            long,
            required_unless_present = "signer_cert",
            conflicts_with = "signer_cert"
        )]
        key: Option<PathBuf>,
        #[command(flatten)]
        signer: X509SignerArgs,
        /// Record the pack in this local transparency log (made by `prov-verify log init`)
        /// and store its receipt in the pack as index.receipt.json; needs --log-key.
        #[arg(long, value_name = "LOG", requires = "log_key")]
        log_dir: Option<PathBuf>,
        /// The log's private key file (signs the new checkpoint).
        #[arg(long, value_name = "LOG.key", requires = "log_dir")]
        log_key: Option<PathBuf>,
        /// A public key trusted to sign manifests (`*.manifest.json.sig`); repeatable. Listed
        /// in the pack for display; verifiers give their own again.
        #[arg(long = "manifest-key", value_name = "PUB")]
        manifest_keys: Vec<PathBuf>,
        /// A root certificate file (PEM or DER) trusted for CMS manifest signatures
        /// (`*.manifest.json.p7s`, checked by plugin-x509 at the pack date); repeatable.
        /// Not recorded in the pack: verifiers give their own again.
        #[arg(long = "manifest-trust-root", value_name = "ROOTS.pem")]
        manifest_trust_roots: Vec<PathBuf>,
        #[command(flatten)]
        sigstore: SigstoreArgs,
        /// INSECURE: record a manifest whose signature cannot be verified with the trust given
        /// as not verified, instead of failing the build (exit 1). The mode is recorded in the
        /// pack, and every verification and report of it shows it.
        #[arg(long)]
        allow_unverified_manifests: bool,
        /// Pack date, YYYY-MM-DD (default: from SOURCE_DATE_EPOCH, else today in UTC).
        #[arg(long)]
        date: Option<String>,
        /// Fail instead of warning on control-map dates (collected_at, period_start,
        /// period_end) after the pack date or that are not dates, and on a period that ended
        /// more than 366 days before the pack date.
        #[arg(long)]
        strict: bool,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Print a JSON summary (pack path, file name, SHA-256, Merkle root, counts,
        /// warnings) on stdout.
        #[arg(long)]
        json: bool,
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
    /// Sign a release manifest: write MANIFEST.sig beside it, the detached Ed25519
    /// signed-note signature that `build` verifies with `--manifest-key`; or, with
    /// --signer-cert and --signer-key, MANIFEST.p7s, a detached CMS signature that `build`
    /// verifies with `--manifest-trust-root`.
    #[command(name = "sign-manifest")]
    SignManifest {
        /// The Ed25519 private key file: a `keygen` key, or a PKCS#8 PEM or OpenSSH key, named
        /// after its file up to the first dot. The name is the signer's name.
        #[arg(
            long,
            required_unless_present = "signer_cert",
            conflicts_with = "signer_cert"
        )]
        key: Option<PathBuf>,
        #[command(flatten)]
        signer: X509SignerArgs,
        /// The manifest (`NAME.manifest.json`, UTF-8 text ending in a newline). An existing
        /// signature file is never overwritten.
        manifest: PathBuf,
    },
    /// Verify a pack with the index-signing public key.
    Verify {
        /// The pack (.tgz).
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Follow N control lines, picked from --seed, to their evidence, its SHA-256, its
        /// Merkle inclusion proof against the signed root and the index signature.
        #[arg(long, value_name = "N", requires = "seed")]
        spot_check: Option<usize>,
        /// Seed of the SplitMix64 generator that picks the spot-checked lines.
        #[arg(long, value_name = "S", requires = "spot_check")]
        seed: Option<u64>,
        /// Spot-check every line of this control (its id in the control map) down to its
        /// evidence and inclusion proof; repeatable. A control with no line fails the check.
        #[arg(long = "control", value_name = "ID", conflicts_with = "spot_check")]
        controls: Vec<String>,
    },
    /// Write the inclusion proof of one artifact of a pack that verifies (JSON): the entry,
    /// its leaf index, the proof hashes, the Merkle root and the signed index, checkable
    /// later without the pack by `verify-proof`. A pack that does not verify gets no proof.
    Prove {
        /// The pack (.tgz).
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// The artifact: its name in the evidence folder (or control-map.csv).
        #[arg(long)]
        artifact: String,
        /// Write the proof file here (without it: a summary, or the file with --json).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the proof file (JSON) on stdout instead of a summary.
        #[arg(long, conflicts_with = "out")]
        json: bool,
    },
    /// Verify a proof file written by `prove` with the index signer's public key (or pinned
    /// roots). A proof holds no log receipt and no manifest: the log and manifest trust flags
    /// of `verify` are refused here.
    VerifyProof {
        /// The proof file (JSON).
        proof: PathBuf,
        #[command(flatten)]
        trust: ProofTrustArgs,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write reports of a pack that verifies (JSON, CSV, PDF). A pack that does not verify
    /// gets no report: the failed checks are printed and the exit status is 1.
    Report {
        /// The pack (.tgz).
        pack: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
        /// json, csv, pdf or oscal (OSCAL 1.2.1 assessment results, JSON); several,
        /// comma-separated, with --out-dir (`json,csv,pdf,oscal`).
        #[arg(long, value_delimiter = ',', required = true, value_parser = ["json", "csv", "pdf", "oscal"])]
        format: Vec<String>,
        /// Output file of one format (default: stdout; pdf needs a file).
        #[arg(long, conflicts_with = "out_dir")]
        out: Option<PathBuf>,
        /// Write each format into this folder (created if needed) as PACK.report.json,
        /// PACK.report.csv, PACK.report.pdf, PACK.report.oscal.json, printing each path. Every report is rendered
        /// before any is written; the files appear together (temporary files renamed at the
        /// end), so a failed run leaves none.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
    /// Print a shell completion script.
    Completions {
        /// The shell to generate for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), or write one page per command into a directory.
    Man {
        /// Write audit-pack.1 and one page per subcommand into this directory.
        #[arg(long, value_name = "DIR")]
        out_dir: Option<PathBuf>,
    },
}

/// `build --help`: the evidence kinds and how a file gets one (docs/audit-pack.md has the
/// whole rules). Every kind name is in it (tested).
const BUILD_KINDS_HELP: &str = "\
Evidence kinds (the first rule that applies decides; a file whose content matches one kind
while its place says another fails the build):
  1. an explicit mapping: the control map's evidence_kind column, or --kinds rules;
  2. names: *.manifest.json is a manifest; *.manifest.json.sig, .p7s and .sigstore.json
     are its manifest-signature (Ed25519 note, CMS, Sigstore bundle);
  3. the section folder the file is in, or its suffix:
     policy-bundle      policy/*.tgz, policy/*.tar.gz, bundle.tar.gz, *.bundle.tar.gz
     slo-breach         ops/evidence/slo/, audit/incidents/, *.slo.json
     dr-approval        ops/evidence/dr/, *.dr-approval.json
     chaos-run          ops/evidence/chaos/, *.chaos.json
     drift-incident     audit/drift/, *.drift.json
     budget-dashboard   ops/cost-explorer/, *.cost.json, *.cost.csv (with its period)
     simulation-report  ops/evidence/simulations/, *.simulation.json
     provenance         anything under prov/ (Sigstore bundle, DSSE, in-toto)
  4. the content: a .json file that matches exactly one distinctive schema (slo-breach,
     dr-approval, chaos-run, drift-incident, simulation-report);
  5. anything else is other (hashed and listed, not checked).
The control map itself is control-map (stored at compliance/control-map.csv). A mapping may
choose another checked kind, never other for a file its place, name or content makes checked.
Schemas: docs/schemas/*.schema.json.

At the end, build prints the pack's path, its SHA-256 and the Merkle root.";

/// The man page sections clap does not know.
const MANUAL: audit_pack_cli::manual::Sections<'static> = audit_pack_cli::manual::Sections {
    exit_status: "0: done; for verify, prove, verify-proof and report: the pack (or proof) verified.

1: a verdict: the pack or proof does not verify. The failed checks are printed.

2: no verdict: a usage error, an input that cannot be read or is not what it must be (not a pack, not a proof file, a malformed control map or key), an evidence folder that cannot be packed, or an internal error.",
    examples: &[
        ("", "A sales engineer builds and signs a pack, then checks it as an auditor would:

$ audit-pack keygen --name acme-audit-pack --out keys/
$ audit-pack build --org acme --evidence evidence/ --controls control-map.csv --key keys/acme-audit-pack.key --out dist/
$ audit-pack verify dist/audit-pack-acme-2026-11-23.tgz --key keys/acme-audit-pack.pub

An auditor spot-checks one artifact later, without the pack:

$ audit-pack prove dist/audit-pack-acme-2026-11-23.tgz --key keys/acme-audit-pack.pub --artifact slo/2026-q3-payments-api.slo.json --out proof.json
$ audit-pack verify-proof proof.json --key keys/acme-audit-pack.pub"),
        ("build", "$ SOURCE_DATE_EPOCH=1763856000 audit-pack build --org acme --evidence evidence/ --controls control-map.csv --key keys/acme-audit-pack.key --out dist/"),
        ("report", "$ audit-pack report dist/audit-pack-acme-2026-11-23.tgz --key keys/acme-audit-pack.pub --format pdf --out acme-report.pdf"),
    ],
    environment: "SOURCE_DATE_EPOCH: the pack date of build when --date is not given (seconds since 1970), for reproducible builds; without it, today (UTC).",
    files: "Every file is named on the command line. keygen writes NAME.key (mode 0600) and NAME.pub; build writes audit-pack-ORG-DATE.tgz into --out.",
};

/// `println!` that never panics: when the reader closed the pipe (`| head`, `| true`) the line
/// is lost, and the exit status still says what happened.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

/// `eprintln!` that never panics, for a closed or failing stderr.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

/// This tool's wording of a trust-flag error.
fn trust_error(e: TrustArgsError) -> String {
    match e {
        TrustArgsError::Io {
            file: TrustFile::IndexKey,
            path,
            source,
        } => format!("key {}: {source}", path.display()),
        TrustArgsError::TooLarge {
            file: TrustFile::IndexKey,
            path,
            ..
        } => format!("key {}: file too large", path.display()),
        TrustArgsError::TooLarge { path, max, .. } => {
            format!("{}: more than {max} bytes", path.display())
        }
        TrustArgsError::NotUtf8 { path, .. } => {
            format!("key {}: stream did not contain valid UTF-8", path.display())
        }
        TrustArgsError::Malformed {
            file: TrustFile::TrustRoot | TrustFile::ManifestTrustRoot,
            path,
            message,
        } => format!("trust root {}: {message}", path.display()),
        TrustArgsError::Malformed {
            file: TrustFile::Crl,
            path,
            message,
        } => format!("CRL {}: {message}", path.display()),
        other => other.to_string(),
    }
}

fn load_trust(args: &TrustArgs) -> Result<LoadedTrust, String> {
    args.load().map_err(trust_error)
}

const EXIT_ERROR: u8 = 2;

fn read_text(path: &Path, what: &str) -> Result<String, String> {
    let bytes = plugin_api::bounded::read_file(path, 64 << 10).map_err(|e| match e {
        plugin_api::bounded::ReadError::TooLarge { .. } => {
            format!("{what} {}: file too large", path.display())
        }
        other => format!("{what} {}: {}", path.display(), other.into_io_error()),
    })?;
    String::from_utf8(bytes).map_err(|_| {
        format!(
            "{what} {}: stream did not contain valid UTF-8",
            path.display()
        )
    })
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
        Command::Completions { shell } => {
            use clap::CommandFactory;
            let script =
                audit_pack_cli::manual::completions(shell, &mut Cli::command(), "audit-pack");
            let _ = std::io::stdout().lock().write_all(script.as_bytes());
            Ok(0)
        }
        Command::Man { out_dir } => {
            use clap::CommandFactory;
            let mut cmd = Cli::command();
            match out_dir {
                Some(dir) => {
                    let written =
                        audit_pack_cli::manual::write_all(&cmd, "audit-pack", &MANUAL, &dir)
                            .map_err(|e| format!("{}: {e}", dir.display()))?;
                    for p in written {
                        outln!("{}", p.display());
                    }
                }
                None => {
                    cmd.build();
                    let page = audit_pack_cli::manual::render(&cmd, "", "audit-pack", &MANUAL)
                        .map_err(|e| e.to_string())?;
                    let _ = std::io::stdout().lock().write_all(&page);
                }
            }
            Ok(0)
        }
        Command::Build {
            org,
            evidence,
            controls,
            kinds,
            key,
            signer,
            log_dir,
            log_key,
            manifest_keys,
            manifest_trust_roots,
            sigstore,
            allow_unverified_manifests,
            date,
            strict,
            out,
            json,
        } => {
            let org = OrgSlug::parse(&org).map_err(|e| e.to_string())?;
            let date = match date {
                Some(d) => PackDate::parse(&d).map_err(|e| e.to_string())?,
                None => default_date()?,
            };
            let ed25519 = match &key {
                Some(key) => Some(
                    SigningKey::parse_file(key, &read_text(key, "key")?)
                        .map_err(|e| format!("{}: {e}", key.display()))?,
                ),
                None => None,
            };
            let x509 = signer.load()?;
            let key = match (&ed25519, &x509) {
                (Some(k), _) => IndexSigner::Ed25519(k),
                (None, Some(x)) => IndexSigner::X509(x),
                (None, None) => return Err("give --key or --signer-cert".to_owned()),
            };
            let mut trusted = Vec::new();
            for path in &manifest_keys {
                let text = read_text(path, "manifest key")?;
                trusted.push(
                    parse_public_key_file(path, &text)
                        .map_err(|e| format!("{}: {e}", path.display()))?,
                );
            }
            let log_signer = match &log_key {
                Some(path) => Some(
                    tlog::load_signer(path)
                        .map_err(|e| format!("log key {}: {e}", path.display()))?,
                ),
                None => None,
            };
            let log = match (&log_dir, &log_signer) {
                (Some(dir), Some(signer)) => Some(LogTarget { dir, signer }),
                _ => None,
            };
            let manifest_sigstore = sigstore.load().map_err(trust_error)?;
            let insecure: &[BuildInsecure] = if allow_unverified_manifests {
                &[BuildInsecure::AllowUnverifiedManifests]
            } else {
                &[]
            };
            let kinds = match &kinds {
                Some(path) => {
                    let bytes = plugin_api::bounded::read_file(
                        path,
                        audit_pack::kinds_file::MAX_KINDS_FILE as u64 + 1,
                    )
                    .map_err(|e| format!("{}: {}", path.display(), e.into_io_error()))?;
                    Some(
                        KindsFile::parse(&path.display().to_string(), &bytes)
                            .map_err(|e| e.to_string())?,
                    )
                }
                None => None,
            };
            let input = BuildInput {
                org,
                date,
                evidence_dir: &evidence,
                control_map: &controls,
                kinds: kinds.as_ref(),
                key,
                manifest_keys: &trusted,
                manifest_roots: &load_manifest_roots(&manifest_trust_roots).map_err(trust_error)?,
                manifest_sigstore: manifest_sigstore.as_ref(),
                insecure,
                strict_dates: strict,
                limits: Limits::DEFAULT,
                log,
            };
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            // A progress bar only for a person watching: not with --json, not when stderr is
            // redirected.
            let bar = Bar::new();
            let progress: &dyn Progress = if !json && std::io::stderr().is_terminal() {
                &bar
            } else {
                &NoProgress
            };
            let (path, summary) = match build_pack_to_dir_with_progress(&input, &out, progress) {
                Ok(built) => built,
                // A manifest signature that does not verify is a verification failure (exit
                // 1); every other build error is an input or I/O error (exit 2).
                Err(e) if e.exit_code() == 1 => {
                    errln!("audit-pack: error: {e}");
                    return Ok(1);
                }
                Err(e) => return Err(e.to_string()),
            };
            let (size, digest) = summary
                .pack_digest
                .clone()
                .ok_or_else(|| format!("{}: no digest was computed", path.display()))?;
            if json {
                let doc = serde_json::json!({
                    "pack": path.display().to_string(),
                    "file": summary.file_name,
                    "size": size,
                    "sha256": digest,
                    "org": summary.index.org,
                    "generatedAt": summary.index.generated_at,
                    "merkleRoot": summary.index.merkle_root,
                    "artifacts": summary.index.artifacts.len(),
                    "controls": summary.index.controls.len(),
                    "insecureModes": summary.index.insecure_modes,
                    "warnings": summary.warnings,
                });
                outln!("{doc}");
                return Ok(0);
            }
            for w in &summary.warnings {
                errln!("warning: {w}");
            }
            outln!("{}", path.display());
            outln!("sha256 {digest}");
            outln!("merkle root {}", summary.index.merkle_root);
            Ok(0)
        }
        Command::Keygen { name, out } => {
            let mut seed = [0u8; 32];
            ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut seed)
                .map_err(|_| "no system randomness".to_owned())?;
            let key = SigningKey::from_seed(&name, seed).map_err(|e| e.to_string())?;
            // The folder is created if needed (keys are never overwritten).
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let private = out.join(format!("{name}.key"));
            let public = out.join(format!("{name}.pub"));
            let private_file = key.to_private_key_file().map_err(|e| e.to_string())?;
            let never = "existing keys are never overwritten";
            write_new(&private, private_file.as_bytes(), true, never)?;
            write_new(&public, key.to_public_key_file().as_bytes(), false, never)?;
            outln!("{}", private.display());
            outln!("{}", public.display());
            Ok(0)
        }
        Command::SignManifest {
            key,
            signer,
            manifest,
        } => {
            let name = manifest
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !name.ends_with(".manifest.json") || name == ".manifest.json" {
                return Err(format!(
                    "{}: build recognises a manifest by its name, NAME.manifest.json",
                    manifest.display()
                ));
            }
            // One signature per manifest: build refuses a manifest with two.
            for suffix in audit_pack::MANIFEST_SIGNATURE_SUFFIXES {
                let mut other = manifest.clone().into_os_string();
                other.push(suffix);
                let other = PathBuf::from(other);
                if std::fs::symlink_metadata(&other).is_ok() {
                    return Err(format!(
                        "{}: the manifest already has a signature; build accepts one (remove it to sign again)",
                        other.display()
                    ));
                }
            }
            let bytes = read_limited(&manifest, Limits::DEFAULT.max_json_size as u64)?;
            let x509 = signer.load()?;
            if let Some(x) = &x509 {
                // Signing now with a certificate not valid now makes a signature no one should
                // accept; build checks validity at the pack date again.
                let (not_before, not_after) = x.validity();
                let now = i64::try_from(now_seconds()).unwrap_or(i64::MAX);
                if now < not_before || now > not_after {
                    return Err(format!(
                        "the signer certificate {} is not valid now (valid {} to {})",
                        x.subject(),
                        VerificationTime::from_unix_seconds(u64::try_from(not_before).unwrap_or(0))
                            .to_rfc3339(),
                        VerificationTime::from_unix_seconds(u64::try_from(not_after).unwrap_or(0))
                            .to_rfc3339()
                    ));
                }
            }
            let (suffix, signature, signed_by) = match (&key, x509) {
                (Some(key), _) => {
                    let signing = SigningKey::parse_file(key, &read_text(key, "key")?)
                        .map_err(|e| format!("{}: {e}", key.display()))?;
                    let sig = signing
                        .sign_manifest(&bytes)
                        .map_err(|e| format!("{}: {e}", manifest.display()))?;
                    (
                        ".sig",
                        sig.into_bytes(),
                        audit_pack::key_label(&signing.verifier_key()),
                    )
                }
                (None, Some(x509)) => {
                    let cms = x509
                        .sign_cms_detached(&bytes)
                        .map_err(|e| format!("{}: {e}", manifest.display()))?;
                    (
                        ".p7s",
                        cms,
                        format!("{} ({})", x509.subject(), x509.algorithm()),
                    )
                }
                (None, None) => {
                    return Err("give --key, or --signer-cert and --signer-key".to_owned())
                }
            };
            let mut out = manifest.clone().into_os_string();
            out.push(suffix);
            let out = PathBuf::from(out);
            write_new(
                &out,
                &signature,
                false,
                "an existing signature is never overwritten",
            )?;
            outln!("{}", out.display());
            outln!("signed by {signed_by}");
            Ok(0)
        }
        Command::Verify {
            pack,
            trust,
            json,
            spot_check,
            seed,
            controls,
        } => {
            let spot = match (spot_check, seed) {
                (Some(count), Some(seed)) => Some(SpotCheckRequest::Sample { count, seed }),
                _ if !controls.is_empty() => Some(SpotCheckRequest::Controls(controls)),
                _ => None,
            };
            let at = VerificationTime::from_unix_seconds(now_seconds());
            let builder = Report::builder(PLUGIN).verified_at(at);
            let (verification, _) = verify_file(&pack, &trust, builder, spot)?;
            let report = &verification.report;
            let mut stdout = std::io::stdout().lock();
            if json {
                let _ = writeln!(stdout, "{}", report.to_json());
            } else {
                print_report(&mut stdout, report);
                if report.ok() {
                    if let Some(d) = report.outputs().get("pack_sha256").and_then(|v| v.as_str()) {
                        let _ = writeln!(stdout, "pack sha256: {d}");
                    }
                    for (k, v) in report.outputs() {
                        if k.starts_with("spot_check_")
                            && k != "spot_check_seed"
                            && k != "spot_check_controls"
                        {
                            // One step of the chain per line.
                            let chain = v.as_str().unwrap_or_default();
                            let mut steps = chain.split(" -> ");
                            let _ = writeln!(
                                stdout,
                                "spot check: {}",
                                steps.next().unwrap_or_default()
                            );
                            for step in steps {
                                let _ = writeln!(stdout, "  -> {step}");
                            }
                        }
                    }
                }
                let verdict = match (report.ok(), verification.verified()) {
                    (true, Some(v)) if !v.index().insecure_modes.is_empty() => {
                        let flags: Vec<&str> =
                            v.index().insecure_modes.iter().map(|m| m.flag()).collect();
                        format!("verified [INSECURE: built with {}]", flags.join(" "))
                    }
                    (true, _) => "verified".to_owned(),
                    (false, _) => "NOT verified".to_owned(),
                };
                let _ = writeln!(stdout, "{}: {verdict}", pack.display());
            }
            Ok(report.exit_code())
        }
        Command::Prove {
            pack,
            trust,
            artifact,
            out,
            json,
        } => {
            let (verification, _) = verify_file(&pack, &trust, Report::builder(PLUGIN), None)?;
            let Some(verified) = verification.verified() else {
                // Fail closed: no proof from a pack that does not verify.
                let mut stderr = std::io::stderr().lock();
                print_report(&mut stderr, &verification.report);
                let _ = writeln!(stderr, "{}: NOT verified; no proof written", pack.display());
                return Ok(verification.report.exit_code());
            };
            let proof = make_proof(verified, &artifact).map_err(|e| e.to_string())?;
            let text = proof.to_file_text().map_err(|e| e.to_string())?;
            match (&out, json) {
                (Some(_), _) | (None, true) => write_output(out.as_deref(), text.as_bytes())?,
                (None, false) => outln!("{}", proof.summary().trim_end()),
            }
            Ok(0)
        }
        Command::VerifyProof { proof, trust, json } => {
            let trust = trust.load().map_err(trust_error)?;
            let bytes = read_limited(&proof, max_proof_size(&Limits::DEFAULT) as u64)?;
            if let Some(reason) = proof_file_malformed(&bytes, &Limits::DEFAULT) {
                return Err(format!("{}: {reason}", proof.display()));
            }
            let at = VerificationTime::from_unix_seconds(now_seconds());
            let report = verify_proof_trusted(
                Report::builder(PLUGIN).verified_at(at),
                &bytes,
                trust.trust(),
                &Limits::DEFAULT,
            );
            let mut stdout = std::io::stdout().lock();
            if json {
                let _ = writeln!(stdout, "{}", report.to_json());
            } else {
                print_report(&mut stdout, &report);
                let verdict = if report.ok() {
                    "verified"
                } else {
                    "NOT verified"
                };
                let _ = writeln!(stdout, "{}: {verdict}", proof.display());
            }
            Ok(report.exit_code())
        }
        Command::Report {
            pack,
            trust,
            format,
            out,
            out_dir,
        } => {
            let mut formats: Vec<(&str, ReportFormat)> = Vec::new();
            for f in &format {
                let parsed = match f.as_str() {
                    "json" => ReportFormat::Json,
                    "csv" => ReportFormat::Csv,
                    "oscal" => ReportFormat::Oscal,
                    _ => ReportFormat::Pdf,
                };
                if formats.iter().any(|(name, _)| name == f) {
                    return Err(format!("--format {f} is given twice"));
                }
                formats.push((f.as_str(), parsed));
            }
            if formats.len() > 1 && out_dir.is_none() {
                return Err("several formats need --out-dir DIR".to_owned());
            }
            if formats.iter().any(|(_, f)| *f == ReportFormat::Pdf)
                && out.is_none()
                && out_dir.is_none()
            {
                return Err("--format pdf needs --out FILE or --out-dir DIR".to_owned());
            }
            // No verification time: a report depends only on the pack and the key.
            let (verification, digest) = verify_file(&pack, &trust, Report::builder(PLUGIN), None)?;
            let (Some(verified), Some(digest)) = (verification.verified(), digest) else {
                // Fail closed: no report of a pack that does not verify.
                let mut stderr = std::io::stderr().lock();
                print_report(&mut stderr, &verification.report);
                let _ = writeln!(
                    stderr,
                    "{}: NOT verified; no report written",
                    pack.display()
                );
                return Ok(verification.report.exit_code());
            };
            let file_name = pack
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let input = ReportInput {
                pack: verified,
                verification: &verification.report,
                file_name: &file_name,
                pack_sha256: &digest,
            };
            if let Some(dir) = &out_dir {
                // Render every format first: nothing is written unless all of them render.
                let stem = file_name.strip_suffix(".tgz").unwrap_or(&file_name);
                let mut rendered = Vec::new();
                for (_, f) in &formats {
                    let bytes = report::render(&input, *f).map_err(|e| e.to_string())?;
                    rendered.push((dir.join(format!("{stem}.report.{}", f.extension())), bytes));
                }
                audit_pack_cli::write_all_or_none(dir, &rendered)?;
                for (path, _) in &rendered {
                    outln!("{}", path.display());
                }
                return Ok(0);
            }
            let Some((_, format)) = formats.first().copied() else {
                return Err("give --format".to_owned());
            };
            let bytes = report::render(&input, format).map_err(|e| e.to_string())?;
            match out {
                Some(path) => {
                    let temp = path.with_extension("partial");
                    std::fs::write(&temp, &bytes)
                        .and_then(|()| std::fs::rename(&temp, &path))
                        .map_err(|e| {
                            let _ = std::fs::remove_file(&temp);
                            format!("{}: {e}", path.display())
                        })?;
                    outln!("{}", path.display());
                }
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout
                        .write_all(&bytes)
                        .and_then(|()| stdout.flush())
                        .map_err(|e| format!("stdout: {e}"))?;
                }
            }
            Ok(0)
        }
    }
}

/// An indicatif bar on stderr, one per build phase.
#[derive(Debug)]
struct Bar(indicatif::ProgressBar);

impl Bar {
    fn new() -> Self {
        let bar = indicatif::ProgressBar::hidden();
        let style = indicatif::ProgressStyle::with_template(
            "{msg:8} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}",
        )
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
        bar.set_style(style);
        Bar(bar)
    }
}

impl Progress for Bar {
    fn start(&self, phase: Phase, total: u64) {
        self.0
            .set_draw_target(indicatif::ProgressDrawTarget::stderr());
        self.0.reset();
        self.0.set_length(total);
        self.0.set_message(phase.label());
    }
    fn advance(&self, bytes: u64) {
        self.0.inc(bytes);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

fn verify_file(
    pack: &Path,
    trust: &TrustArgs,
    builder: plugin_api::ReportBuilder,
    spot: Option<SpotCheckRequest>,
) -> Result<(audit_pack::Verification, Option<String>), String> {
    let trust = load_trust(trust)?;
    let file = std::fs::File::open(pack).map_err(|e| format!("{}: {e}", pack.display()))?;
    let (verification, digest) =
        report::verify_and_digest_trusted(builder, file, &trust.trust(), &Limits::DEFAULT, spot)
            .map_err(|e| format!("{}: {e}", pack.display()))?;
    // Bytes that are no pack at all reach no verdict: exit 2, as for any malformed input.
    if let Some(reason) = verification.not_a_pack() {
        return Err(format!("{}: {reason}", pack.display()));
    }
    Ok((verification, digest))
}

/// Writes to `out` through a temporary file and a rename, or to stdout.
fn write_output(out: Option<&Path>, bytes: &[u8]) -> Result<(), String> {
    match out {
        Some(path) => {
            let temp = path.with_extension("partial");
            std::fs::write(&temp, bytes)
                .and_then(|()| std::fs::rename(&temp, path))
                .map_err(|e| {
                    let _ = std::fs::remove_file(&temp);
                    format!("{}: {e}", path.display())
                })?;
            outln!("{}", path.display());
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(bytes)
                .and_then(|()| stdout.flush())
                .map_err(|e| format!("stdout: {e}"))?;
        }
    }
    Ok(())
}

fn print_report(out: &mut impl Write, report: &Report) {
    for check in report.checks() {
        let status = match &check.status {
            CheckStatus::Pass => "pass",
            CheckStatus::Fail => "FAIL",
            CheckStatus::Skipped { .. } => "skip",
        };
        let _ = writeln!(out, "{status:4}  {}  {}", check.id, check.explanation());
    }
    for w in report.warnings() {
        let _ = writeln!(out, "warning: {w}");
    }
    for e in report.errors() {
        let _ = writeln!(out, "error: {e}");
    }
}

/// Writes a new file (never replacing one; `never` says so in the error), mode 0600 when
/// `private`.
fn write_new(path: &Path, data: &[u8], private: bool, never: &str) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    let mut file = options
        .open(path)
        .map_err(|e| format!("{}: {e} ({never})", path.display()))?;
    file.write_all(data)
        .and_then(|()| file.sync_all())
        .map_err(|e| {
            // Not left half written (it would block the next try).
            let _ = std::fs::remove_file(path);
            format!("{}: {e}", path.display())
        })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            errln!("audit-pack: error: {message}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

#[cfg(test)]
#[allow(clippy::panic)]
mod build_help_tests {
    #[test]
    fn build_help_names_every_kind() {
        for k in audit_pack::Kind::ALL {
            assert!(
                super::BUILD_KINDS_HELP.contains(k.name()),
                "build --help does not name the kind {}",
                k.name()
            );
        }
    }
}

/// Every `audit-pack` command line in the README, docs/*.md and the man page's EXAMPLES
/// parses with this definition (synopsis lines: every flag exists).
#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod doc_command_tests {
    use super::{Cli, MANUAL};
    use audit_pack_cli::doc_commands;
    use clap::{CommandFactory, Parser};

    fn check(source: &str, text: &str, bad: &mut Vec<String>, seen: &mut usize) {
        let root = Cli::command();
        for c in doc_commands::find(text, "audit-pack") {
            *seen += 1;
            let at = format!("{source}:{}: {}", c.line, c.args.join(" "));
            if doc_commands::is_synopsis(&c.args) {
                for problem in doc_commands::unknown_flags(&root, &c.args) {
                    bad.push(format!("{at} -> {problem}"));
                }
                continue;
            }
            let mut argv = vec!["audit-pack".to_owned()];
            argv.extend(c.args.iter().cloned());
            if let Err(e) = Cli::try_parse_from(&argv) {
                if !doc_commands::is_placeholder_error(&e) {
                    let msg = e.render().to_string();
                    bad.push(format!(
                        "{at} -> {}",
                        msg.lines().next().unwrap_or_default()
                    ));
                }
            }
        }
    }

    #[test]
    fn every_documented_command_line_parses() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = vec![root.join("README.md")];
        for e in std::fs::read_dir(root.join("docs")).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "md") {
                files.push(p);
            }
        }
        files.sort();
        let (mut bad, mut seen) = (Vec::new(), 0);
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap();
            let name = f.strip_prefix(&root).unwrap_or(f).display().to_string();
            check(&name, &text, &mut bad, &mut seen);
        }
        for (path, text) in MANUAL.examples {
            let md = format!("```sh\n{}\n```\n", text.replace("$ ", ""));
            check(&format!("man EXAMPLES ({path})"), &md, &mut bad, &mut seen);
        }
        assert!(
            bad.is_empty(),
            "documented commands that do not parse:\n{}",
            bad.join("\n")
        );
        assert!(seen >= 10, "only {seen} documented commands found");
    }
}

/// The exit-status contract of `audit-pack`, per command: a golden case (`golden/*.toml`,
/// run by `tests/golden.rs`) for each of 0, 1 and 2 that the command can return. keygen,
/// completions and man reach no verdict (never 1).
#[cfg(test)]
#[allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]
mod exit_status_tests {
    use super::Cli;
    use clap::CommandFactory;
    use std::collections::{BTreeMap, BTreeSet};

    const NO_VERDICT: &[&str] = &["keygen", "sign-manifest", "completions", "man"];

    #[test]
    fn every_command_has_a_golden_case_for_each_exit_status_it_can_return() {
        let root = Cli::command();
        let commands: Vec<String> = root
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .filter(|n| n != "help")
            .collect();
        let mut seen: BTreeMap<String, BTreeSet<u8>> = BTreeMap::new();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/golden");
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_none_or(|x| x != "toml") {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("args = "))
                .unwrap();
            let args: Vec<String> = serde_json::from_str(line).unwrap();
            let code = text
                .lines()
                .find_map(|l| l.strip_prefix("status.code = "))
                .map_or(0, |c| c.trim().parse::<u8>().unwrap());
            let cmd = args
                .iter()
                .find(|a| commands.contains(a))
                .cloned()
                .unwrap_or_default();
            seen.entry(cmd).or_default().insert(code);
        }
        let mut missing = Vec::new();
        for c in &commands {
            for code in [0u8, 1, 2] {
                if code == 1 && NO_VERDICT.contains(&c.as_str()) {
                    assert!(!seen.get(c).is_some_and(|s| s.contains(&1)), "{c} exits 1");
                    continue;
                }
                if !seen.get(c).is_some_and(|s| s.contains(&code)) {
                    missing.push(format!("{c}: exit {code}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "no golden case for:\n{}",
            missing.join("\n")
        );
    }
}
