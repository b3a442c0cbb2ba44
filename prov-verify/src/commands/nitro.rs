//! `prov-verify nitro ...`: AWS Nitro Enclaves attestation documents.
//!
//! A thin adapter: reads the document and the expectations (bounded), builds a
//! `VerifyRequest` and runs the `nitro` plugin (`plugin_nitro::NitroPlugin`), which parses
//! and judges them. The expectation syntax (`--pcr N=HEX`, `--measurements FILE`, values as
//! HEX, `base64:…` or `@FILE`, ages as `90s`, `15m`, `2h`, `7d`) is shared with
//! `prov-verify verify` flags and request files ([`EnclaveExpectations`]).

use crate::commands::Outcome;
use crate::error::CliError;
use crate::input::{read_limited, read_small_file};
use base64::Engine as _;
use clap::{Args, Subcommand, ValueEnum};
use plugin_api::{
    Insecure, Policy, Signature, Subject, TrustRoot, TrustRootKind, TrustRoots, VerifyRequest,
};
use plugin_nitro::{Format, NitroPlugin};
use std::path::{Path, PathBuf};

/// Largest document file read (a text form of the largest document the plugin accepts, with
/// room for line breaks).
const MAX_DOCUMENT_FILE: u64 = 64 * 1024;
/// Largest `@FILE` value (nonce, user data, public key) read.
const MAX_VALUE_FILE: u64 = 64 * 1024;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum NitroCommand {
    /// Verify an attestation document offline: ES384 signature, certificate chain to the
    /// pinned AWS Nitro Enclaves Root G1 at the document's own time (or --at), expected PCRs,
    /// debug mode, and optionally nonce, user data, public key and maximum age
    Verify(VerifyArgs),
}

/// How the document file is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DocumentFormat {
    /// Raw CBOR if it starts like a COSE_Sign1, else hex if only hex digits, else base64
    Auto,
    /// Raw CBOR (COSE_Sign1, tagged or not)
    Cbor,
    /// Base64 (what the AWS SDKs and KMS return); whitespace ignored
    Base64,
    /// Hexadecimal; whitespace ignored
    Hex,
}

// What the enclave must be: the expectations every way of asking shares.
#[derive(Debug, Clone, Default, Args)]
pub struct EnclaveExpectations {
    /// Expected PCR value: N=HEX (N from 0 to 31; 96 hex digits for SHA-384); repeatable
    #[arg(long = "pcr", value_name = "N=HEX")]
    pub pcr: Vec<String>,

    /// Expected PCRs from the JSON `nitro-cli build-enclave` or `nitro-cli describe-eif`
    /// prints (Measurements.PCR0, PCR1, PCR2, PCR8 ...)
    #[arg(long, value_name = "FILE")]
    pub measurements: Option<PathBuf>,

    /// Expected nonce: HEX, base64:B64 or @FILE
    #[arg(long, value_name = "VALUE")]
    pub nonce: Option<String>,

    /// Expected user data: HEX, base64:B64 or @FILE
    #[arg(long, value_name = "VALUE")]
    pub user_data: Option<String>,

    /// Expected attested public key (the bytes the enclave attached): HEX, base64:B64 or @FILE
    #[arg(long, value_name = "VALUE")]
    pub public_key: Option<String>,

    /// Largest accepted age of the document at the verification time: seconds, or a number
    /// with s, m, h or d (15m, 2h, 7d)
    #[arg(long, value_name = "DURATION")]
    pub max_age: Option<String>,
}

impl EnclaveExpectations {
    /// `policy` with these expectations; files are read relative to `base`, and named in
    /// messages by `flag(name)` (the flag, or the request field).
    pub fn apply(
        &self,
        mut policy: Policy,
        base: &Path,
        flag: impl Fn(&str) -> String,
    ) -> Result<Policy, CliError> {
        let mut pcrs: Vec<(u32, Vec<u8>, String)> = Vec::new();
        if let Some(f) = &self.measurements {
            let path = base.join(f);
            let field = format!("{} {}", flag("measurements"), f.display());
            let bytes = read_limited(&path, plugin_nitro::MAX_MEASUREMENTS_JSON_BYTES as u64)?;
            for (i, v) in plugin_nitro::measurements_from_nitro_cli(&bytes)
                .map_err(|e| CliError::malformed(&field, e))?
            {
                pcrs.push((i, v, field.clone()));
            }
        }
        for (k, text) in self.pcr.iter().enumerate() {
            let field = format!("{}[{k}]", flag("pcr"));
            let (i, v) =
                plugin_nitro::parse_pcr_arg(text).map_err(|e| CliError::malformed(&field, e))?;
            pcrs.push((i, v, field));
        }
        for (n, (i, v, field)) in pcrs.iter().enumerate() {
            if let Some((_, _, other)) = pcrs.iter().take(n).find(|(j, w, _)| j == i && w != v) {
                return Err(CliError::Usage(format!(
                    "PCR{i} is expected with two different values ({other} and {field})"
                )));
            }
            policy = policy.with_measurement(*i, v.clone());
        }
        if let Some(v) = &self.nonce {
            policy = policy.with_nonce(value(v, base, &flag("nonce"))?);
        }
        if let Some(v) = &self.user_data {
            policy = policy.with_user_data(value(v, base, &flag("user-data"))?);
        }
        if let Some(v) = &self.public_key {
            policy = policy.with_attested_public_key(value(v, base, &flag("public-key"))?);
        }
        if let Some(v) = &self.max_age {
            policy = policy.with_max_age(duration(v, &flag("max-age"))?);
        }
        Ok(policy)
    }
}

/// A byte value: HEX, `base64:B64` or `@FILE` (relative to `base`).
fn value(text: &str, base: &Path, field: &str) -> Result<Vec<u8>, CliError> {
    if let Some(file) = text.strip_prefix('@') {
        return read_limited(&base.join(file), MAX_VALUE_FILE);
    }
    if let Some(b64) = text.strip_prefix("base64:") {
        return base64::engine::general_purpose::STANDARD
            .decode(b64.trim())
            .map_err(|e| CliError::malformed(field, format!("not base64: {e}")));
    }
    hex::decode(text.trim()).map_err(|e| {
        CliError::malformed(
            field,
            format!("not hex ({e}); give HEX, base64:B64 or @FILE"),
        )
    })
}

/// Seconds, or a number with `s`, `m`, `h` or `d`.
fn duration(text: &str, field: &str) -> Result<u64, CliError> {
    let t = text.trim();
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (t.get(..i).unwrap_or_default(), c),
        _ => (t, 's'),
    };
    let mult = match unit {
        's' => 1,
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => 0,
    };
    digits
        .parse::<u64>()
        .ok()
        .filter(|_| mult > 0 && !digits.is_empty())
        .and_then(|n| n.checked_mul(mult))
        .ok_or_else(|| {
            CliError::malformed(
                field,
                format!("{text:?} is not a duration: seconds, or a number with s, m, h or d"),
            )
        })
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The attestation document (COSE_Sign1: raw CBOR, base64 or hex)
    #[arg(value_name = "DOC")]
    pub document: PathBuf,

    /// How the document is encoded
    #[arg(long, value_enum, default_value_t = DocumentFormat::Auto, value_name = "FORMAT")]
    pub format: DocumentFormat,

    #[command(flatten)]
    pub expect: EnclaveExpectations,

    /// Verification time: RFC 3339 (2026-06-01T00:00:00Z) or Unix seconds. The chain is
    /// validated at it, and a maximum age is counted to it. Default: the chain at the
    /// document's own timestamp (its certificates live about 3 hours), the age to now
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,

    /// INSECURE: accept a debug-mode document (PCR0, PCR1 and PCR2 all zero: it attests no
    /// particular image); recorded in the report
    #[arg(long)]
    pub allow_debug: bool,

    /// Pin this root certificate (PEM or DER) instead of the embedded AWS Nitro Enclaves
    /// Root G1; repeatable
    #[arg(long, value_name = "FILE")]
    pub root: Vec<PathBuf>,
}

pub fn run(cmd: &NitroCommand) -> Result<Outcome, CliError> {
    match cmd {
        NitroCommand::Verify(args) => verify(args),
    }
}

fn verify(args: &VerifyArgs) -> Result<Outcome, CliError> {
    let policy = args
        .expect
        .apply(Policy::new(), Path::new(""), |f| format!("--{f}"))?;
    let (time, from_clock) = match &args.at {
        Some(t) => (crate::commands::verify::parse_time(t, "--at")?, false),
        None => (crate::commands::now()?, true),
    };
    let mut roots = TrustRoots::new();
    for p in &args.root {
        roots.push(TrustRoot::new(
            TrustRootKind::X509Certificate,
            format!("--root {}", p.display()),
            read_small_file(p)?,
        ));
    }
    let raw = read_limited(&args.document, MAX_DOCUMENT_FILE)?;
    let doc_name = args.document.display().to_string();
    let format = match args.format {
        DocumentFormat::Auto => Format::Auto,
        DocumentFormat::Cbor => Format::Cbor,
        DocumentFormat::Base64 => Format::Base64,
        DocumentFormat::Hex => Format::Hex,
    };
    let plugin = NitroPlugin::default();
    let bytes = plugin_nitro::decode(&raw, format, &plugin.limits)
        .map_err(|e| CliError::malformed(&doc_name, e))?;
    let insecure: Vec<Insecure> = if args.allow_debug {
        vec![Insecure::AllowDebugEnclave]
    } else {
        Vec::new()
    };
    let mut req = VerifyRequest::new(Subject::Bytes(&bytes), Signature::new(b""), &roots, time)
        .with_subject_name(&doc_name)
        .with_policy(&policy)
        .with_insecure(&insecure);
    if from_clock {
        req = req.with_time_from_clock();
    }
    Ok(Outcome::Report(plugin_api::run_plugin(&plugin, &req)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |t| duration(t, "--max-age").ok();
        assert_eq!(d("90"), Some(90));
        assert_eq!(d("90s"), Some(90));
        assert_eq!(d("15m"), Some(900));
        assert_eq!(d("2h"), Some(7200));
        assert_eq!(d("7d"), Some(604_800));
        for bad in ["", "m", "1w", "-1", "1.5h", "99999999999999999999d", "2 h"] {
            assert_eq!(d(bad), None, "{bad}");
        }
    }

    #[test]
    fn values() {
        let v = |t| value(t, Path::new(""), "--nonce").ok();
        assert_eq!(v("00ff"), Some(vec![0, 0xff]));
        assert_eq!(v("base64:AP8="), Some(vec![0, 0xff]));
        assert_eq!(v("0g"), None);
        assert_eq!(v("base64:!"), None);
    }
}
