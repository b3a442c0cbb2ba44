//! The plugin contract (Prov-Ledger v1.2 `verify`), in Rust.

use crate::error::{Error, InputError};
use crate::insecure::Insecure;
use crate::report::Report;
use crate::request::{Policy, VerifyRequest};
use crate::trust::TrustRootKind;

/// What kind of subject a plugin takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SubjectKind {
    /// The artifact or manifest bytes ([`Subject::Bytes`](crate::Subject::Bytes)).
    Bytes,
    /// An already computed digest ([`Subject::Digest`](crate::Subject::Digest)).
    Digest,
}

impl SubjectKind {
    /// A stable kebab-case name (`"bytes"`, `"digest"`).
    pub fn name(self) -> &'static str {
        match self {
            SubjectKind::Bytes => "bytes",
            SubjectKind::Digest => "digest",
        }
    }
}

/// What a plugin is and takes, for `prov-verify plugins` and for callers choosing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PluginInfo {
    /// Lowercase kebab case (`"cosign"`, `"x509"`); it prefixes the plugin's check ids.
    pub name: &'static str,
    /// The implementing crate's version.
    pub version: &'static str,
    /// One line: what it verifies.
    pub summary: &'static str,
    /// The subject kinds it accepts.
    pub subjects: &'static [SubjectKind],
    /// What the request's signature material must be (one line).
    pub signature: &'static str,
    /// The trust-root kinds it reads (any other kind given is refused).
    pub trust_roots: &'static [TrustRootKind],
    /// The signature media types it understands (a request naming another is refused).
    pub media_types: &'static [&'static str],
    /// The [`Policy`](crate::Policy) fields it checks, by [`Policy::fields`](crate::Policy::fields)
    /// name (a request setting another is refused).
    pub policy: &'static [&'static str],
    /// Whether it reads untrusted certificates offered with the evidence.
    pub certificates: bool,
    /// Whether it reads revocation lists.
    pub revocation: bool,
    /// The insecure modes it honours (a request turning on another is refused).
    pub insecure: &'static [Insecure],
    /// Whether it reads signature material (if not, callers refuse a signature given to it,
    /// even an empty file).
    pub uses_signature: bool,
    /// Whether it reads the offline cache, or its trust is loaded from it by callers (a
    /// Sigstore trusted root, CRLs); callers refuse a cache named for any other plugin.
    pub uses_cache: bool,
}

/// An attestation verifier: cosign/Sigstore, X.509, TUF, Merkle...
///
/// `verify` is synchronous and **pure**: it uses only what the request carries (bytes, trust
/// roots, policy, the offline cache, the time, the insecure modes). It must not read the clock
/// (use [`VerifyRequest::time`]), the environment, files outside the cache, or the network, so
/// that the same request always gives the same report, online or offline.
///
/// It never panics. Problems with the evidence are failed checks in the [`Report`] (a verdict:
/// exit 1). Inputs that cannot be judged at all (malformed signature material, an unusable
/// trust root, a request field the plugin cannot honour) are an [`Error`] instead (no verdict:
/// exit 2); a plugin must never ignore a field it was given. Build the report with
/// [`Report::builder_for`] so the request's time and insecure modes are recorded.
///
/// ```
/// use plugin_api::{Error, Plugin, PluginInfo, Report, Subject, SubjectKind, Signature, TrustRoots, VerificationTime, VerifyRequest};
///
/// /// Accepts a subject equal to the signature bytes. (An example, not a verifier.)
/// struct Echo;
///
/// impl Plugin for Echo {
///     fn info(&self) -> PluginInfo {
///         PluginInfo {
///             name: "echo",
///             version: "0.0.0",
///             summary: "subject equals signature",
///             subjects: &[SubjectKind::Bytes],
///             signature: "the same bytes",
///             trust_roots: &[],
///             media_types: &[],
///             policy: &[],
///             certificates: false,
///             revocation: false,
///             insecure: &[],
///             uses_signature: true,
///             uses_cache: false,
///         }
///     }
///     fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
///         let b = Report::builder_for(self.name(), req);
///         Ok(match req.subject() {
///             Subject::Bytes(s) if s == req.signature().bytes() => b.pass("echo.bytes.equal", "equal"),
///             Subject::Bytes(_) => b.fail("echo.bytes.equal", "the bytes differ"),
///             Subject::Digest(_) => b.fail("echo.subject.kind", "a digest cannot be compared"),
///         }
///         .finish())
///     }
/// }
///
/// let roots = TrustRoots::new();
/// let t = VerificationTime::from_unix_seconds(0);
/// let req = VerifyRequest::new(Subject::Bytes(b"x"), Signature::new(b"x"), &roots, t);
/// assert!(plugin_api::run_plugin(&Echo, &req).unwrap().ok());
/// ```
pub trait Plugin: Send + Sync {
    /// Name, version and what the plugin takes.
    fn info(&self) -> PluginInfo;

    /// The plugin's name, lowercase kebab case (`"cosign"`, `"x509"`); it prefixes its check
    /// ids and names it in reports.
    fn name(&self) -> &'static str {
        self.info().name
    }

    /// Verifies the request. Pure: no clock, environment or network.
    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error>;
}

/// Runs `plugin` on `req` and holds it to the contract. Before the plugin runs, everything the
/// request carries that the plugin's [`PluginInfo`] does not declare is refused with an input
/// error (never silently ignored): a subject kind, a trust-root kind, a signature media type,
/// a policy field, certificates, revocation lists, an insecure mode, a log receipt (checked by
/// the transparency-log runner, not plugins). After it, if the report lists an insecure mode
/// that the request did not carry (a plugin turning a mode on by itself), an error is added
/// and the report is not ok. Callers should run plugins through this rather than call
/// [`Plugin::verify`] directly.
pub fn run_plugin<P: Plugin + ?Sized>(
    plugin: &P,
    req: &VerifyRequest<'_>,
) -> Result<Report, Error> {
    check_declared(&plugin.info(), req)?;
    let report = plugin.verify(req)?;
    let unasked: Vec<&'static str> = report
        .insecure()
        .iter()
        .filter(|m| !req.insecure().contains(m))
        .map(|m| m.flag())
        .collect();
    if unasked.is_empty() {
        Ok(report)
    } else {
        Ok(report.with_error(format!(
            "internal: plugin `{}` turned on insecure mode(s) the caller did not pass: {}",
            plugin.name(),
            unasked.join(", ")
        )))
    }
}

/// What a caller is about to hand a plugin, without the bytes: enough to apply the contract's
/// input rules ([`find_undeclared`]) before any file is read, and again on the request itself
/// ([`check_declared`]). One implementation of the rules serves both.
#[derive(Debug, Clone, Copy)]
pub struct InputShape<'a> {
    /// How the subject is given.
    pub subject: SubjectKind,
    /// Whether signature material is given (non-empty).
    pub signature: bool,
    /// The signature's media type, if one is named.
    pub signature_type: Option<&'a str>,
    /// The policy.
    pub policy: &'a Policy,
    /// Whether certificates are given.
    pub certificates: bool,
    /// Whether revocation lists are given.
    pub revocation: bool,
    /// The insecure modes turned on.
    pub insecure: &'a [Insecure],
    /// Whether an offline cache is given for this plugin.
    pub cache: bool,
}

/// An input a plugin does not declare (see [`find_undeclared`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Undeclared<'a> {
    /// The subject is given in a form the plugin does not take.
    Subject(SubjectKind),
    /// Signature material is given to a plugin whose evidence travels inside the subject.
    Signature,
    /// A signature media type the plugin does not understand.
    SignatureType(&'a str),
    /// A policy field the plugin cannot check.
    Policy(&'static str),
    /// Certificates, to a plugin that takes none.
    Certificates,
    /// Revocation lists, to a plugin that takes none.
    Revocation,
    /// An insecure mode that waives no check of the plugin.
    Insecure(Insecure),
    /// A trust root of a kind the plugin does not read.
    TrustRoot(TrustRootKind),
    /// An offline cache, to a plugin that does not use one.
    Cache,
}

impl Undeclared<'_> {
    /// Why the plugin declaring `info` refuses this input (`the NAME plugin ...`).
    pub fn reason(&self, info: &PluginInfo) -> String {
        let why = match self {
            Undeclared::Subject(k) => format!("does not take a subject given as {}", k.name()),
            Undeclared::Signature => {
                "takes no signature material (it travels inside the subject)".to_owned()
            }
            Undeclared::SignatureType(t) => {
                format!("does not understand signature media type {t:?}")
            }
            Undeclared::Policy(_) => "cannot check this expectation".to_owned(),
            Undeclared::Certificates => "takes no certificates".to_owned(),
            Undeclared::Revocation => "takes no revocation lists".to_owned(),
            Undeclared::Insecure(m) => format!("has no check that {} could waive", m.name()),
            Undeclared::TrustRoot(k) => format!(
                "does not read {k} trust roots (it reads: {})",
                kinds(info.trust_roots)
            ),
            Undeclared::Cache => "does not use the offline cache".to_owned(),
        };
        format!("the {} plugin {why}", info.name)
    }
}

/// The first input of `shape` or of `roots` (trust-root kinds) that `info` does not declare, in
/// a fixed order: subject, signature, media type, policy, certificates, revocation lists,
/// insecure modes, trust roots, cache.
pub fn find_undeclared<'a>(
    info: &PluginInfo,
    shape: &InputShape<'a>,
    roots: impl IntoIterator<Item = TrustRootKind>,
) -> Option<Undeclared<'a>> {
    if !info.subjects.contains(&shape.subject) {
        return Some(Undeclared::Subject(shape.subject));
    }
    if shape.signature && !info.uses_signature {
        return Some(Undeclared::Signature);
    }
    if let Some(t) = shape
        .signature_type
        .filter(|t| !info.media_types.contains(t))
    {
        return Some(Undeclared::SignatureType(t));
    }
    if let Some(f) = shape.policy.unsupported_field(info.policy) {
        return Some(Undeclared::Policy(f));
    }
    if shape.certificates && !info.certificates {
        return Some(Undeclared::Certificates);
    }
    if shape.revocation && !info.revocation {
        return Some(Undeclared::Revocation);
    }
    if let Some(m) = shape.insecure.iter().find(|m| !info.insecure.contains(m)) {
        return Some(Undeclared::Insecure(*m));
    }
    if let Some(k) = roots.into_iter().find(|k| !info.trust_roots.contains(k)) {
        return Some(Undeclared::TrustRoot(k));
    }
    if shape.cache && !info.uses_cache {
        return Some(Undeclared::Cache);
    }
    None
}

/// The contract's input rules for a plugin declaring `info` ([`find_undeclared`], on the
/// request), and a log receipt is refused (the transparency-log runner checks it).
/// [`run_plugin`] applies it before every verification; a plugin calls it first in
/// [`Plugin::verify`] too, for callers that bypass `run_plugin`, rather than re-stating the
/// rules.
pub fn check_declared(info: &PluginInfo, req: &VerifyRequest<'_>) -> Result<(), Error> {
    if let Some(r) = req.log_receipt() {
        return Err(InputError::malformed(
            r.receipt_name,
            "a log receipt is checked by the transparency-log runner (tlog::run_plugin_with_receipt), not by plugins",
        )
        .into());
    }
    let sig = req.signature();
    let shape = InputShape {
        subject: match req.subject() {
            crate::Subject::Bytes(_) => SubjectKind::Bytes,
            crate::Subject::Digest(_) => SubjectKind::Digest,
        },
        signature: !sig.bytes().is_empty(),
        signature_type: sig.media_type(),
        policy: req.policy(),
        certificates: !req.certificates().is_empty(),
        revocation: !req.revocation().is_empty(),
        insecure: req.insecure(),
        cache: req.cache().is_some(),
    };
    let roots = req.trust_roots().iter().map(|r| r.kind());
    let Some(undeclared) = find_undeclared(info, &shape, roots) else {
        return Ok(());
    };
    let field = match undeclared {
        Undeclared::Subject(_) => "subject".to_owned(),
        Undeclared::Signature | Undeclared::SignatureType(_) => sig.name().to_owned(),
        Undeclared::Policy(f) => format!("policy {f}"),
        Undeclared::Certificates => req
            .certificates()
            .first()
            .map_or("certificates", |c| c.name())
            .to_owned(),
        Undeclared::Revocation => req
            .revocation()
            .first()
            .map_or("revocation lists", |c| c.name())
            .to_owned(),
        Undeclared::Insecure(m) => m.flag().to_owned(),
        Undeclared::TrustRoot(k) => req
            .trust_roots()
            .iter()
            .find(|r| r.kind() == k)
            .map_or_else(
                || "trust roots".to_owned(),
                |r| format!("trust root {}", r.name()),
            ),
        Undeclared::Cache => "cache".to_owned(),
    };
    Err(InputError::malformed(field, undeclared.reason(info)).into())
}

fn kinds(k: &[TrustRootKind]) -> String {
    if k.is_empty() {
        return "none".into();
    }
    k.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
}
