//! `prov-verify log ...`: a local transparency log on C2SP formats (see docs/tlog.md).
//!
//! Writing (`init`, `append`, `checkpoint`, `receipt`) and offline checks (`verify-receipt`,
//! `verify-inclusion`) never open a socket; `serve` and `mirror` refuse to run under
//! `--offline`.

use crate::commands::Outcome;
use crate::error::CliError;
use clap::{Args, Subcommand};
use merkle::Hash;
use plugin_api::{
    run_plugin, Report, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots, VerifyRequest,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tlog::TlogError;
use tlog::{Entry, EntryJson};

const PLUGIN: &str = "tlog";
/// Largest batch file, in bytes.
const MAX_BATCH_FILE: usize = 64 << 20;
/// Longest batch line, in bytes.
const MAX_BATCH_LINE: usize = 64 * 1024;
/// Most entries in one batch file.
const MAX_BATCH_LINES: usize = 1_000_000;
/// The longest `--timeout` / `--request-timeout`, in seconds.
const MAX_TIMEOUT_SECS: u64 = tlog::http::MAX_TIMEOUT.as_secs();

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum LogCommand {
    /// Create a log in DIR signed by KEY (generated, with KEY.pub, if KEY does not exist)
    Init {
        /// The log directory
        #[arg(long, value_name = "LOG")]
        dir: PathBuf,
        /// The log's origin line, also the key name
        #[arg(long, value_name = "NAME")]
        origin: String,
        /// The private key file (PRIVATE+KEY+name+keyid+base64)
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
    },
    /// Append entries durably; they join the tree at the next `log checkpoint`
    Append {
        /// The log directory
        #[arg(long, value_name = "LOG")]
        dir: PathBuf,
        #[command(flatten)]
        entry: EntryArgs,
        /// A JSON Lines file of entries {"manifest_root","sig_digest","name","metadata"}
        #[arg(long, value_name = "FILE.jsonl", conflicts_with_all = ["manifest_root", "sig_digest", "name", "meta", "manifest"])]
        batch: Option<PathBuf>,
        /// Record a detached manifest: manifest_root = SHA-256 of its bytes (with --signature;
        /// the name defaults to the file name)
        #[arg(long, value_name = "FILE", requires = "signature", conflicts_with_all = ["manifest_root", "sig_digest"])]
        manifest: Option<PathBuf>,
        /// The manifest's detached signature file: sig_digest = SHA-256 of its bytes
        #[arg(long, value_name = "FILE", requires = "manifest")]
        signature: Option<PathBuf>,
    },
    /// Integrate pending entries, sign the checkpoint and publish it (tiles first)
    Checkpoint {
        /// The log directory
        #[arg(long, value_name = "LOG")]
        dir: PathBuf,
        /// The private key file
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
    },
    /// Write the inclusion receipt of entry INDEX against the published checkpoint
    Receipt {
        /// The log directory
        #[arg(long, value_name = "LOG")]
        dir: PathBuf,
        /// The entry index
        #[arg(long)]
        index: u64,
        /// Write the receipt here instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify an inclusion receipt with only the log's verifier key (offline)
    VerifyReceipt {
        /// The log's verifier key (name+keyid+base64) or a file holding it
        #[arg(long, value_name = "VKEY")]
        key: String,
        /// The receipt file
        receipt: PathBuf,
    },
    /// Serve the checkpoint and tiles of DIR read-only over HTTP
    Serve {
        /// The log (or mirror) directory
        #[arg(long, value_name = "LOG")]
        dir: PathBuf,
        /// Address to listen on, e.g. 127.0.0.1:8080
        #[arg(long, value_name = "ADDR")]
        listen: String,
        /// Allow listening on a non-loopback address
        #[arg(long)]
        allow_non_loopback: bool,
    },
    /// Fetch and verify a remote log into MIRROR (refuses rollbacks and split views)
    Mirror {
        /// Base URL of the log: https://host[:port][/prefix], or http:// to a loopback host
        #[arg(long)]
        url: String,
        /// The mirror directory
        #[arg(long, value_name = "MIRROR")]
        dir: PathBuf,
        /// The log's verifier key or a file holding it
        #[arg(long, value_name = "VKEY")]
        key: String,
        /// Refuse checkpoints larger than this many entries
        #[arg(long, default_value_t = tlog::DEFAULT_MIRROR_MAX_SIZE)]
        max_size: u64,
        /// Trust these PEM CA certificates for https instead of the built-in Mozilla set
        #[arg(long, value_name = "PEM")]
        ca_file: Option<PathBuf>,
        /// Time limit of each request, in seconds: name resolution, connection, TLS handshake,
        /// response head and body
        #[arg(long, value_name = "SECS", default_value_t = tlog::http::DEFAULT_REQUEST_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
        request_timeout: u64,
        /// Time limit of the whole mirror run, in seconds
        #[arg(long, value_name = "SECS", default_value_t = tlog::DEFAULT_MIRROR_TIMEOUT.as_secs(), value_parser = clap::value_parser!(u64).range(1..=MAX_TIMEOUT_SECS))]
        timeout: u64,
    },
    /// Check offline that an entry is in a mirrored log
    VerifyInclusion {
        /// The mirror directory
        #[arg(long, value_name = "MIRROR")]
        mirror: PathBuf,
        /// The log's verifier key or a file holding it
        #[arg(long, value_name = "VKEY")]
        key: String,
        #[command(flatten)]
        entry: EntryArgs,
        /// The entry's index (searched for in the mirror if not given)
        #[arg(long)]
        index: Option<u64>,
    },
}

// The fields of one entry.
#[derive(Debug, Args)]
pub struct EntryArgs {
    /// The manifest Merkle root (64 hex digits)
    #[arg(long, value_name = "HEX")]
    manifest_root: Option<String>,
    /// The signature digest (64 hex digits)
    #[arg(long, value_name = "HEX")]
    sig_digest: Option<String>,
    /// The artifact name
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// Metadata KEY=VALUE (repeatable)
    #[arg(long, value_name = "KEY=VALUE")]
    meta: Vec<String>,
}

impl EntryArgs {
    fn entry(&self) -> Result<Entry, CliError> {
        let need = |v: &Option<String>, flag: &str| {
            v.clone()
                .ok_or_else(|| CliError::Usage(format!("{flag} is required (or --batch)")))
        };
        let j = EntryJson {
            manifest_root: need(&self.manifest_root, "--manifest-root")?,
            sig_digest: need(&self.sig_digest, "--sig-digest")?,
            name: need(&self.name, "--name")?,
            metadata: self.metadata()?,
        };
        Entry::from_json(&j).map_err(entry_error)
    }

    fn metadata(&self) -> Result<BTreeMap<String, String>, CliError> {
        let mut metadata = BTreeMap::new();
        for m in &self.meta {
            let (k, v) = m
                .split_once('=')
                .ok_or_else(|| CliError::malformed("--meta", "expected KEY=VALUE"))?;
            if metadata.insert(k.to_owned(), v.to_owned()).is_some() {
                return Err(CliError::malformed(
                    "--meta",
                    format!("key {k} given twice"),
                ));
            }
        }
        Ok(metadata)
    }
}

/// The entry recording a detached manifest and signature (`tlog::manifest_digests`),
/// named `--name` or the manifest's file name, with `--meta`.
fn manifest_entry(args: &EntryArgs, manifest: &Path, signature: &Path) -> Result<Entry, CliError> {
    let m = crate::input::read_limited(manifest, crate::commands::x509::MAX_MANIFEST_BYTES)?;
    let sig = crate::input::read_small_file(signature)?;
    let (root, digest) = tlog::manifest_digests(&m, &sig);
    let name = match &args.name {
        Some(n) => n.clone(),
        None => manifest
            .file_name()
            .and_then(|n| n.to_str())
            .map(str::to_owned)
            .ok_or_else(|| {
                CliError::Usage(format!(
                    "--manifest {}: no UTF-8 file name; give --name",
                    manifest.display()
                ))
            })?,
    };
    let j = EntryJson {
        manifest_root: root.to_hex(),
        sig_digest: digest.to_hex(),
        name,
        metadata: args.metadata()?,
    };
    Entry::from_json(&j).map_err(entry_error)
}

fn entry_error(e: TlogError) -> CliError {
    match e {
        TlogError::Entry(m) => CliError::malformed("entry", m),
        other => tl(other),
    }
}

fn tl(e: TlogError) -> CliError {
    match e {
        TlogError::Io { path, source } => CliError::Io { path, source },
        TlogError::Input(m) => CliError::Usage(m),
        other => CliError::malformed("log", other),
    }
}

fn refuse_offline(g: &crate::cli::GlobalArgs, what: &str) -> Result<(), CliError> {
    if g.offline {
        return Err(CliError::Usage(format!(
            "`log {what}` uses the network and --offline forbids it"
        )));
    }
    Ok(())
}

pub fn run(cmd: &LogCommand, g: &crate::cli::GlobalArgs) -> Result<Outcome, CliError> {
    match cmd {
        LogCommand::Init { dir, origin, key } => init(dir, origin, key),
        LogCommand::Append {
            dir,
            entry,
            batch,
            manifest,
            signature,
        } => {
            let entries = match (batch, manifest, signature) {
                (Some(file), _, _) => read_batch(file)?,
                (None, Some(m), Some(sig)) => vec![manifest_entry(entry, m, sig)?],
                _ => vec![entry.entry()?],
            };
            let mut log = tlog::Log::open(dir).map_err(tl)?;
            let first = log.append(&entries).map_err(tl)?;
            let mut out = serde_json::json!({
                "first_index": first,
                "count": entries.len(),
                "published_size": log.size(),
                "pending": log.pending(),
                "note": "durable now; in the tree after the next `log checkpoint`, then `log receipt --index`",
            });
            if let ([e], Some(map)) = (entries.as_slice(), out.as_object_mut()) {
                map.insert("leaf_hash".into(), e.leaf_hash().to_hex().into());
            }
            Ok(Outcome::Data(out))
        }
        LogCommand::Checkpoint { dir, key } => {
            let signer = tlog::load_signer(key).map_err(tl)?;
            let mut log = tlog::Log::open(dir).map_err(tl)?;
            let integrated = log.pending();
            let (size, root) = log.checkpoint(&signer).map_err(tl)?;
            Ok(Outcome::Data(serde_json::json!({
                "size": size,
                "root": root.to_hex(),
                "integrated": integrated,
                "checkpoint": dir.join(tlog::CHECKPOINT_FILE).display().to_string(),
            })))
        }
        LogCommand::Receipt { dir, index, out } => {
            let r = tlog::make_receipt(dir, *index).map_err(tl)?;
            let json =
                serde_json::to_value(r.to_json()).map_err(|e| CliError::Internal(e.to_string()))?;
            match out {
                None => Ok(Outcome::Data(json)),
                Some(path) => {
                    let mut text = serde_json::to_string_pretty(&json)
                        .map_err(|e| CliError::Internal(e.to_string()))?;
                    text.push('\n');
                    std::fs::write(path, text).map_err(|e| CliError::io(path, e))?;
                    Ok(Outcome::Data(serde_json::json!({
                        "receipt": path.display().to_string(),
                        "index": index,
                    })))
                }
            }
        }
        LogCommand::VerifyReceipt { key, receipt } => verify_receipt(key, receipt),
        LogCommand::Serve {
            dir,
            listen,
            allow_non_loopback,
        } => {
            refuse_offline(g, "serve")?;
            serve(dir, listen, *allow_non_loopback)
        }
        LogCommand::Mirror {
            url,
            dir,
            key,
            max_size,
            ca_file,
            request_timeout,
            timeout,
        } => {
            refuse_offline(g, "mirror")?;
            let limits = MirrorLimits {
                max_size: *max_size,
                request_timeout: Duration::from_secs(*request_timeout),
                timeout: Duration::from_secs(*timeout),
            };
            mirror(url, dir, key, ca_file.as_deref(), limits)
        }
        LogCommand::VerifyInclusion {
            mirror,
            key,
            entry,
            index,
        } => verify_inclusion(mirror, key, &entry.entry()?, *index),
    }
}

fn init(dir: &Path, origin: &str, key: &Path) -> Result<Outcome, CliError> {
    let (signer, generated) = if key.exists() {
        (tlog::load_signer(key).map_err(tl)?, false)
    } else {
        (tlog::generate_key(key, origin).map_err(tl)?, true)
    };
    if signer.name() != origin {
        return Err(CliError::Usage(format!(
            "the key in {} is named {:?}; the key name must be the origin {origin:?}",
            key.display(),
            signer.name()
        )));
    }
    let config = tlog::init_log(dir, &signer).map_err(tl)?;
    Ok(Outcome::Data(serde_json::json!({
        "dir": dir.display().to_string(),
        "origin": config.origin,
        "vkey": config.vkey,
        "key": key.display().to_string(),
        "key_generated": generated,
        "public_key": if generated { Some(tlog::public_key_path(key).display().to_string()) } else { None },
    })))
}

fn read_batch(file: &Path) -> Result<Vec<Entry>, CliError> {
    let bytes = tlog::read_limited(file, MAX_BATCH_FILE)
        .map_err(tl)?
        .ok_or_else(|| CliError::Usage(format!("{}: no such file", file.display())))?;
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let field = || format!("{}:{}", file.display(), i + 1);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        if line.len() > MAX_BATCH_LINE {
            return Err(CliError::malformed(
                field(),
                format!("line longer than {MAX_BATCH_LINE} bytes"),
            ));
        }
        if out.len() >= MAX_BATCH_LINES {
            return Err(CliError::malformed(
                field(),
                format!("more than {MAX_BATCH_LINES} entries"),
            ));
        }
        let j: EntryJson =
            plugin_api::json::from_slice(line).map_err(|e| CliError::malformed(field(), e))?;
        out.push(Entry::from_json(&j).map_err(|e| CliError::malformed(field(), e))?);
    }
    if out.is_empty() {
        return Err(CliError::malformed(
            file.display().to_string(),
            "no entries",
        ));
    }
    Ok(out)
}

/// `log verify-receipt`: an adapter over the `tlog` plugin ([`tlog::TlogReceiptPlugin`]).
fn verify_receipt(key: &str, file: &Path) -> Result<Outcome, CliError> {
    let key = tlog::verifier_key_text(key).map_err(|e| CliError::malformed("--key", e))?;
    let bytes = crate::input::read_small_file(file)?;
    let roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::NoteVerifierKey,
        "--key",
        key.into_bytes(),
    ));
    let name = file.display().to_string();
    // A receipt is judged by its own signed checkpoint: the time is recorded, not used.
    let time = crate::commands::now()?;
    let req = VerifyRequest::new(Subject::Bytes(&bytes), Signature::new(b""), &roots, time)
        .with_subject_name(&name);
    Ok(Outcome::Report(run_plugin(
        &tlog::TlogReceiptPlugin::default(),
        &req,
    )?))
}

fn serve(dir: &Path, listen: &str, allow_non_loopback: bool) -> Result<Outcome, CliError> {
    let addr: std::net::SocketAddr = listen.parse().map_err(|e| {
        CliError::malformed("--listen", format!("{listen:?}: {e} (expected IP:PORT)"))
    })?;
    if !tlog::http::is_loopback(&addr) && !allow_non_loopback {
        return Err(CliError::Usage(format!(
            "--listen {addr} is not a loopback address; pass --allow-non-loopback to publish on the network"
        )));
    }
    if !dir.join(tlog::CHECKPOINT_FILE).is_file() {
        return Err(CliError::Usage(format!(
            "{}: no checkpoint to serve",
            dir.display()
        )));
    }
    // A log (not a mirror) is recovered first: after a power failure its tiles and checkpoint
    // file are rebuilt from the journal before anything is served. A running writer holds the
    // lock and recovered it when it opened.
    if dir.join(tlog::CONFIG_FILE).is_file() {
        match tlog::Log::open(dir) {
            Ok(log) => drop(log),
            Err(TlogError::Locked { .. }) => {}
            Err(e) => return Err(tl(e)),
        }
    }
    let listener = std::net::TcpListener::bind(addr)
        .map_err(|e| CliError::Usage(format!("--listen {addr}: {e}")))?;
    let bound = listener
        .local_addr()
        .map_err(|e| CliError::Internal(e.to_string()))?;
    tracing::warn!(%bound, dir = %dir.display(), "serving the checkpoint and tiles read-only");
    crate::output::eprint_line(&format!("serving {} on http://{bound}", dir.display()));
    tlog::http::serve(listener, dir).map_err(tl)?;
    Ok(Outcome::Data(
        serde_json::json!({ "served": bound.to_string() }),
    ))
}

/// The budgets of `log mirror`.
#[derive(Debug, Clone, Copy)]
struct MirrorLimits {
    /// `--max-size`
    max_size: u64,
    /// `--request-timeout`
    request_timeout: Duration,
    /// `--timeout`: the whole run, from the first request
    timeout: Duration,
}

fn mirror(
    url: &str,
    dir: &Path,
    key: &str,
    ca_file: Option<&Path>,
    limits: MirrorLimits,
) -> Result<Outcome, CliError> {
    let key = tlog::parse_verifier_key(key).map_err(|e| CliError::malformed("--key", e))?;
    let mut base = tlog::http::BaseUrl::parse(url)
        .map_err(|e| CliError::malformed("--url", e))?
        .with_request_timeout(limits.request_timeout);
    if let Some(ca) = ca_file {
        let pem = crate::input::read_small_file(ca)?;
        base = base
            .with_ca_pem(&pem)
            .map_err(|e| CliError::malformed("--ca-file", e))?;
    }
    // The overall clock starts with the first request.
    let base = base.with_overall_timeout(limits.timeout);
    let b = Report::builder(PLUGIN).subject(format!("mirror of {url} in {}", dir.display()));
    let id = tlog::checks::MIRROR_SYNC;
    let report = match tlog::sync_mirror(&base, dir, &key, limits.max_size) {
        Ok(o) => b
            .pass(
                id,
                format!(
                    "checkpoint signed by {}; tree {} -> {} consistent; root {}; {} files fetched",
                    key.name(),
                    o.old_size,
                    o.new_size,
                    o.root,
                    o.fetched
                ),
            )
            .output("old_size", o.old_size)
            .output("size", o.new_size)
            .output("root", o.root.to_hex())
            .finish(),
        Err(e) if e.is_verification_failure() => {
            let kind = match e {
                TlogError::Rollback { .. } => tlog::checks::MIRROR_ROLLBACK,
                TlogError::SplitView(_) => tlog::checks::MIRROR_SPLIT_VIEW,
                _ => tlog::checks::MIRROR_REMOTE,
            };
            b.fail(kind, format!("{e}; the mirror is unchanged"))
                .finish()
        }
        Err(TlogError::Network(m)) => return Err(CliError::Usage(format!("network: {m}"))),
        Err(e @ TlogError::Timeout(_)) => {
            return Err(CliError::Usage(format!("{e}; the mirror is unchanged")))
        }
        Err(e) => return Err(tl(e)),
    };
    Ok(Outcome::Report(report))
}

fn verify_inclusion(
    dir: &Path,
    key: &str,
    entry: &Entry,
    index: Option<u64>,
) -> Result<Outcome, CliError> {
    let key = tlog::parse_verifier_key(key).map_err(|e| CliError::malformed("--key", e))?;
    let leaf: Hash = entry.leaf_hash();
    let b = Report::builder(PLUGIN)
        .subject(format!("{} in mirror {}", entry.name(), dir.display()))
        .output("leaf_hash", leaf.to_hex());
    let id = tlog::checks::MIRROR_INCLUSION;
    let report = match tlog::verify_mirror_inclusion(dir, &key, entry, index) {
        Ok(r) => b
            .pass(
                id,
                format!(
                    "leaf {leaf} is entry {} of the tree of size {} with root {} signed by {}",
                    r.index,
                    r.size,
                    r.root,
                    key.name()
                ),
            )
            .output("index", r.index)
            .output("size", r.size)
            .output("root", r.root.to_hex())
            .finish(),
        Err(e) if e.is_verification_failure() => b.fail(id, e.to_string()).finish(),
        Err(e) => return Err(tl(e)),
    };
    Ok(Outcome::Report(report))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use clap::Parser;
    use std::io::{Read, Write};
    use std::time::Instant;

    /// A loopback server that starts a valid response to every request, then sends its body
    /// one byte every 200 ms, forever.
    fn trickling_server() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        std::thread::spawn(move || {
            for s in l.incoming() {
                let Ok(mut s) = s else { continue };
                std::thread::spawn(move || {
                    let mut buf = [0u8; 1024];
                    let _ = s.read(&mut buf);
                    let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 60000\r\n\r\n");
                    while s.write_all(b"a").is_ok() {
                        std::thread::sleep(std::time::Duration::from_millis(200));
                    }
                });
            }
        });
        url
    }

    fn vkey() -> String {
        merkle::note::Signer::from_seed("example.com/cli-test", [3; 32])
            .unwrap()
            .verifier_key()
    }

    #[test]
    fn mirror_stops_at_the_request_time_limit_naming_the_url() {
        let url = trickling_server();
        let dir = std::env::temp_dir().join(format!("pv-log-mirror-slow-{}", std::process::id()));
        let limits = MirrorLimits {
            max_size: tlog::DEFAULT_MIRROR_MAX_SIZE,
            request_timeout: Duration::from_secs(1),
            timeout: Duration::from_secs(3600),
        };
        let start = Instant::now();
        let e = mirror(&url, &dir, &vkey(), None, limits).unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        // A usage-class error: exit 2.
        assert!(matches!(e, CliError::Usage(_)), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains(&format!("{url}/checkpoint")), "{msg}");
        assert!(msg.contains("request time limit of 1s"), "{msg}");
        assert!(!dir.exists());

        // The overall limit, shorter than the request limit.
        let limits = MirrorLimits {
            request_timeout: Duration::from_secs(60),
            timeout: Duration::from_secs(1),
            ..limits
        };
        let start = Instant::now();
        let e = mirror(&url, &dir, &vkey(), None, limits).unwrap_err();
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{:?}",
            start.elapsed()
        );
        let msg = e.to_string();
        assert!(msg.contains(&format!("{url}/checkpoint")), "{msg}");
        assert!(msg.contains("overall time limit of 1s"), "{msg}");
    }

    #[test]
    fn mirror_time_limits_are_flags_with_bounds() {
        let parse = |extra: &[&str]| {
            let mut args = vec![
                "prov-verify",
                "log",
                "mirror",
                "--url",
                "http://127.0.0.1:9",
                "--dir",
                "m",
                "--key",
                "k",
            ];
            args.extend_from_slice(extra);
            crate::cli::Cli::try_parse_from(args)
        };
        assert!(parse(&[]).is_ok());
        assert!(parse(&["--request-timeout", "5", "--timeout", "600"]).is_ok());
        for bad in [
            &["--request-timeout", "0"][..],
            &["--timeout", "0"],
            &["--timeout", "604801"],
            &["--timeout", "1.5"],
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
