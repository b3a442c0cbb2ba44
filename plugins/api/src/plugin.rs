//! The plugin contract (Prov-Ledger v1.2 `verify`), in Rust.

use crate::report::Report;
use crate::request::VerifyRequest;

/// An attestation verifier: cosign/Sigstore, X.509, TUF, Merkle...
///
/// `verify` is synchronous and **pure**: it uses only what the request carries (bytes, trust
/// roots, policy, the offline cache, the time, the insecure modes). It must not read the clock
/// (use [`VerifyRequest::time`]), the environment, files outside the cache, or the network, so
/// that the same request always gives the same report, online or offline.
///
/// It never fails with an error value or a panic: problems with the evidence are failed
/// checks, and problems with the inputs are errors recorded in the report, both of which make
/// the report not ok. Build the report with [`Report::builder_for`] so the request's time and
/// insecure modes are recorded.
///
/// ```
/// use plugin_api::{Plugin, Report, Subject, Signature, TrustRoots, VerificationTime, VerifyRequest};
///
/// /// Accepts a subject equal to the signature bytes. (An example, not a verifier.)
/// struct Echo;
///
/// impl Plugin for Echo {
///     fn name(&self) -> &'static str {
///         "echo"
///     }
///     fn verify(&self, req: &VerifyRequest<'_>) -> Report {
///         let b = Report::builder_for(self.name(), req);
///         match req.subject() {
///             Subject::Bytes(s) if s == req.signature().bytes() => b.pass("echo.bytes.equal", "equal"),
///             Subject::Bytes(_) => b.fail("echo.bytes.equal", "the bytes differ"),
///             Subject::Digest(_) => b.fail("echo.subject.kind", "a digest cannot be compared"),
///         }
///         .finish()
///     }
/// }
///
/// let roots = TrustRoots::new();
/// let t = VerificationTime::from_unix_seconds(0);
/// let req = VerifyRequest::new(Subject::Bytes(b"x"), Signature::new(b"x"), &roots, t);
/// assert!(plugin_api::run_plugin(&Echo, &req).ok());
/// ```
pub trait Plugin {
    /// The plugin's name, lowercase kebab case (`"cosign"`, `"x509"`); it prefixes its check
    /// ids and names it in reports.
    fn name(&self) -> &'static str;

    /// Verifies the request. Pure: no clock, environment or network.
    fn verify(&self, req: &VerifyRequest<'_>) -> Report;
}

/// Runs `plugin` on `req` and holds it to the contract's insecure-mode rule: if the report
/// lists an insecure mode that the request did not carry (a plugin turning a mode on by
/// itself), an error is added and the report is not ok. Callers should run plugins through
/// this rather than call [`Plugin::verify`] directly.
pub fn run_plugin<P: Plugin + ?Sized>(plugin: &P, req: &VerifyRequest<'_>) -> Report {
    let report = plugin.verify(req);
    let unasked: Vec<&'static str> = report
        .insecure()
        .iter()
        .filter(|m| !req.insecure().contains(m))
        .map(|m| m.flag())
        .collect();
    if unasked.is_empty() {
        report
    } else {
        report.with_error(format!(
            "internal: plugin `{}` turned on insecure mode(s) the caller did not pass: {}",
            plugin.name(),
            unasked.join(", ")
        ))
    }
}
