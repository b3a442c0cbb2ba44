//! Path building and validation (RFC 5280 §6) to pinned trust anchors.
//!
//! Building is a depth-first search from the end entity over candidate issuers (subject =
//! issuer, byte for byte), trust anchors first, under a [`Budget`](crate::Budget). Each
//! certificate is checked for its position (end entity, intermediate, anchor) before its
//! signature is verified; a complete candidate path is then checked as a whole
//! (pathLenConstraint, caller depth, name constraints). The first path that passes is returned
//! as a [`VerifiedPath`]; otherwise the most specific failure seen, ranked as webpki ranks
//! them (see [`Rank`]; budget exhaustion ends the search at once).

use crate::algorithm::{KeyKind, SignatureAlgorithm};
use crate::cert::{key_usage, Certificate, Extensions, EKU_ANY};
use crate::error::{CheckKind, ValidationError};
use crate::memo::{is_known_link, memo_key, SignatureMemo};
use crate::names::{self, GeneralName, PresentedName};
use crate::policy::{Options, PeerName, Profile};
use plugin_api::VerificationTime;

/// A path that passed validation: end entity first, trust anchor last. Only
/// [`verify_path`] makes one.
#[derive(Debug, Clone)]
pub struct VerifiedPath<'a> {
    chain: Vec<&'a Certificate>,
}

impl<'a> VerifiedPath<'a> {
    /// Every certificate, end entity first, anchor last.
    pub fn certificates(&self) -> &[&'a Certificate] {
        &self.chain
    }

    /// The end entity.
    pub fn end_entity(&self) -> Option<&'a Certificate> {
        self.chain.first().copied()
    }

    /// The trust anchor the path ends at.
    pub fn anchor(&self) -> Option<&'a Certificate> {
        self.chain.last().copied()
    }
}

/// Validates `leaf` at `time` against `anchors`, using `intermediates` as candidate issuers.
pub fn verify_path<'a>(
    leaf: &'a Certificate,
    intermediates: &'a [Certificate],
    anchors: &'a [Certificate],
    time: VerificationTime,
    options: &Options,
) -> Result<VerifiedPath<'a>, ValidationError> {
    verify_path_at_times(leaf, intermediates, anchors, &[time], options, None)
}

/// [`verify_path`] at several times at once (e.g. every verified signing time of a Sigstore
/// bundle): every certificate of the path must be valid at every one of `times` (CRLs are
/// judged at the latest). With a `memo`, the signatures of CA certificates (every link above
/// the end entity) are looked up in it and recorded when they verify. With or without one, a
/// signature that is one of the public Sigstore instances' verified links
/// ([`known_links`](crate::known_links)) is not computed again. Nothing else is skipped: every
/// certificate gets every other check. `times` must not be empty.
pub fn verify_path_at_times<'a>(
    leaf: &'a Certificate,
    intermediates: &'a [Certificate],
    anchors: &'a [Certificate],
    times: &[VerificationTime],
    options: &Options,
    memo: Option<&SignatureMemo>,
) -> Result<VerifiedPath<'a>, ValidationError> {
    let secs = |t: &VerificationTime| i64::try_from(t.unix_seconds()).unwrap_or(i64::MAX);
    let (Some(earliest), Some(latest)) =
        (times.iter().map(secs).min(), times.iter().map(secs).max())
    else {
        return Err(ValidationError::NoVerificationTime);
    };
    let window = Window { earliest, latest };
    check_common(leaf, 0, false, window, options)?;
    check_end_entity(leaf, options)?;
    let mut builder = Builder {
        intermediates,
        anchors,
        window,
        options,
        memo,
        signatures_left: options.budget.signatures,
        candidates_left: options.budget.candidates,
        name_comparisons_left: options.budget.name_comparisons,
        best_error: None,
    };
    let mut path = vec![leaf];
    match builder.extend(&mut path)? {
        Some(chain) => Ok(VerifiedPath { chain }),
        None => Err(builder.best_error.map(|(_, e)| e).unwrap_or_else(|| {
            ValidationError::NoPath(format!(
                "no chain of issuers (by name) from {} reaches a trust anchor",
                leaf.subject()
            ))
        })),
    }
}

/// The verification times: a certificate must be valid from `earliest` to `latest`.
#[derive(Debug, Clone, Copy)]
struct Window {
    earliest: i64,
    latest: i64,
}

struct Builder<'a, 'o> {
    intermediates: &'a [Certificate],
    anchors: &'a [Certificate],
    window: Window,
    options: &'o Options,
    memo: Option<&'o SignatureMemo>,
    signatures_left: usize,
    candidates_left: usize,
    name_comparisons_left: usize,
    /// The most specific failure so far, with its rank.
    best_error: Option<(Rank, ValidationError)>,
}

/// How specific a failure is, for choosing which one to report when no path validates.
///
/// A candidate issuer whose key does not verify the child's signature is most likely just not
/// the issuer (names collide across CAs), so that is the least specific failure; hitting the
/// caller's depth limit comes next; any other check a certificate failed says what is really
/// wrong with a chain that was otherwise being built. Between two failures of the same kind,
/// the one found further along a path (more links verified) is more specific. Ties keep the
/// later failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Rank {
    kind: u8,
    progress: usize,
}

impl Rank {
    /// The rank of `error`, found when `progress` certificates of the candidate path had been
    /// linked (the path's length, counting a complete path's anchor).
    pub(crate) fn of(error: &ValidationError, progress: usize) -> Rank {
        let kind = match error {
            ValidationError::Certificate {
                check: CheckKind::Signature,
                ..
            } => 0,
            ValidationError::Certificate {
                check: CheckKind::ChainDepth,
                ..
            } => 1,
            _ => 2,
        };
        Rank { kind, progress }
    }
}

impl<'a> Builder<'a, '_> {
    /// Extends `path` (non-empty) to an anchor. `Err` only for budget exhaustion.
    fn extend(
        &mut self,
        path: &mut Vec<&'a Certificate>,
    ) -> Result<Option<Vec<&'a Certificate>>, ValidationError> {
        let Some(&child) = path.last() else {
            return Ok(None);
        };
        let depth = path.len();
        for anchor in self.anchors.iter().filter(|a| a.subject == child.issuer) {
            self.take_candidate()?;
            let checked = check_common(anchor, depth, true, self.window, self.options)
                .and_then(|()| check_ca(anchor, depth, true, self.options));
            if let Err(e) = checked {
                self.note(e, depth);
                continue;
            }
            if !self.verify_signature(child, anchor, depth - 1)? {
                continue;
            }
            path.push(anchor);
            match check_path(
                path,
                self.window.latest,
                self.options,
                &mut self.name_comparisons_left,
            ) {
                Ok(()) => return Ok(Some(path.clone())),
                Err(e) => self.note(e, path.len()),
            }
            path.pop();
        }
        // Intermediates between leaf and anchor so far: path.len() - 1.
        if depth > self.options.budget.max_intermediates {
            let too_deep = ValidationError::cert(
                depth - 1,
                child.subject(),
                CheckKind::ChainDepth,
                format!(
                    "no anchor within {} intermediates",
                    self.options.budget.max_intermediates
                ),
            );
            self.note(too_deep, depth);
            return Ok(None);
        }
        for ica in self
            .intermediates
            .iter()
            .filter(|c| c.subject == child.issuer)
        {
            if path.iter().any(|p| {
                p.der() == ica.der() || (p.subject == ica.subject && p.public_key == ica.public_key)
            }) {
                continue;
            }
            self.take_candidate()?;
            let checked = check_common(ica, depth, false, self.window, self.options)
                .and_then(|()| check_ca(ica, depth, false, self.options));
            if let Err(e) = checked {
                self.note(e, depth);
                continue;
            }
            if !self.verify_signature(child, ica, depth - 1)? {
                continue;
            }
            path.push(ica);
            if let Some(found) = self.extend(path)? {
                return Ok(Some(found));
            }
            path.pop();
        }
        Ok(None)
    }

    /// Keeps `error` if it is at least as specific as the best failure so far.
    fn note(&mut self, error: ValidationError, progress: usize) {
        let rank = Rank::of(&error, progress);
        if self
            .best_error
            .as_ref()
            .map_or(true, |(best, _)| rank >= *best)
        {
            self.best_error = Some((rank, error));
        }
    }

    fn take_candidate(&mut self) -> Result<(), ValidationError> {
        self.candidates_left = self
            .candidates_left
            .checked_sub(1)
            .ok_or(ValidationError::BudgetExhausted("candidate issuers"))?;
        Ok(())
    }

    /// Whether `issuer`'s key verifies `child`'s signature; records the failure otherwise.
    fn verify_signature(
        &mut self,
        child: &Certificate,
        issuer: &Certificate,
        child_depth: usize,
    ) -> Result<bool, ValidationError> {
        self.signatures_left = self
            .signatures_left
            .checked_sub(1)
            .ok_or(ValidationError::BudgetExhausted("signature verifications"))?;
        // Every link is looked up in the table of the public instances' verified CA links
        // (which only holds links of trusted roots' chains); only CA links (the child is not
        // the end entity) are looked up in and recorded to the batch memo.
        let key = link_key(child, issuer);
        if is_known_link(&key) {
            return Ok(true);
        }
        let memo = self.memo.filter(|_| child_depth > 0);
        if memo.is_some_and(|m| m.contains(&key)) {
            return Ok(true);
        }
        match verify_link(child, issuer) {
            Ok(()) => {
                if let Some(m) = memo {
                    m.insert(key);
                }
                Ok(true)
            }
            Err(why) => {
                let not_signed = ValidationError::cert(
                    child_depth,
                    child.subject(),
                    CheckKind::Signature,
                    format!("not signed by {}: {why}", issuer.subject()),
                );
                self.note(not_signed, child_depth + 1);
                Ok(false)
            }
        }
    }
}

/// Whether `issuer`'s key verifies `child`'s signature, computed (no memo or table).
fn verify_link(child: &Certificate, issuer: &Certificate) -> Result<(), &'static str> {
    match (&issuer.public_key, child.signature_algorithm()) {
        (Ok(key), Some(alg)) => key.verify(alg, child.tbs(), &child.signature),
        (Err(_), _) => Err("issuer public key is not usable"),
        (_, None) => Err("unsupported signature algorithm"),
    }
}

/// The [`memo_key`] of `child`'s signature by `issuer`'s key, once that signature has been
/// verified (computed, never looked up): how the table of known CA links is made and checked.
pub fn verified_link_key(
    child: &Certificate,
    issuer: &Certificate,
) -> Result<[u8; 32], &'static str> {
    verify_link(child, issuer)?;
    Ok(link_key(child, issuer))
}

/// The [`memo_key`] of `child`'s signature by `issuer`'s key.
fn link_key(child: &Certificate, issuer: &Certificate) -> [u8; 32] {
    memo_key(
        issuer.spki_der(),
        &child.outer_sig_alg,
        child.tbs(),
        &child.signature,
    )
}

fn fail(
    cert: &Certificate,
    depth: usize,
    check: CheckKind,
    detail: impl Into<String>,
) -> ValidationError {
    ValidationError::cert(depth, cert.subject(), check, detail)
}

/// Checks every certificate gets, whatever its position.
fn check_common(
    cert: &Certificate,
    depth: usize,
    is_anchor: bool,
    window: Window,
    options: &Options,
) -> Result<(), ValidationError> {
    let f = |check, detail: &str| fail(cert, depth, check, detail);
    if cert.version != 2 {
        return Err(f(CheckKind::Version, "not an X.509 v3 certificate"));
    }
    // Serial-number shape is the issuer's duty; pinned anchors are trusted as given.
    match cert.serial.as_slice() {
        _ if is_anchor => {}
        [] => return Err(f(CheckKind::SerialNumber, "empty serial number")),
        // 20 octets of value (RFC 5280 §4.1.2.2); a DER INTEGER whose top bit is set carries
        // one more, a 0x00 sign octet, which is not part of the value.
        s if s.len() > 21 || (s.len() == 21 && s.first() != Some(&0)) => {
            return Err(f(
                CheckKind::SerialNumber,
                "serial number longer than 20 octets",
            ))
        }
        [first, ..] if first & 0x80 != 0 => {
            return Err(f(CheckKind::SerialNumber, "negative serial number"))
        }
        s if s.iter().all(|&b| b == 0) => {
            return Err(f(CheckKind::SerialNumber, "serial number is zero"))
        }
        _ => {}
    }
    if cert.issuer.len() <= 2 {
        return Err(f(CheckKind::Names, "empty issuer name"));
    }
    if cert.inner_sig_alg != cert.outer_sig_alg {
        return Err(f(
            CheckKind::SignatureAlgorithm,
            "signature algorithm in TBSCertificate differs from the outer one",
        ));
    }
    if cert.signature_algorithm().is_none() {
        return Err(f(
            CheckKind::SignatureAlgorithm,
            "unsupported signature algorithm",
        ));
    }
    if cert.has_unique_ids && options.profile == Profile::CabfServer {
        return Err(f(
            CheckKind::Extensions,
            "issuer or subject unique identifier present",
        ));
    }
    match &cert.public_key {
        Err(e) => return Err(f(CheckKind::PublicKey, &e.to_string())),
        Ok(key) => match (key.kind(), options.profile) {
            (KeyKind::Rsa { bits }, _) if bits < 2048 => {
                return Err(f(
                    CheckKind::PublicKey,
                    &format!("RSA key of {bits} bits is below 2048"),
                ))
            }
            (KeyKind::Rsa { bits }, Profile::CabfServer) if bits % 8 != 0 => {
                return Err(f(
                    CheckKind::PublicKey,
                    &format!("RSA modulus of {bits} bits is not a multiple of 8"),
                ))
            }
            (KeyKind::Ed25519, Profile::CabfServer) => {
                return Err(f(
                    CheckKind::PublicKey,
                    "Ed25519 keys are not allowed by the CA/B Forum profile",
                ))
            }
            (KeyKind::EcP384, Profile::NitroEnclave) => {}
            (_, Profile::NitroEnclave) => {
                return Err(f(
                    CheckKind::PublicKey,
                    "the Nitro Enclaves profile takes P-384 keys only",
                ))
            }
            _ => {}
        },
    }
    if options.profile == Profile::NitroEnclave
        && !is_anchor
        && cert.signature_algorithm() != Some(SignatureAlgorithm::EcdsaSha384)
    {
        return Err(f(
            CheckKind::SignatureAlgorithm,
            "the Nitro Enclaves profile takes ECDSA with SHA-384 only",
        ));
    }
    if window.earliest < cert.not_before {
        return Err(f(
            CheckKind::Validity,
            "not yet valid at the verification time",
        ));
    }
    if window.latest > cert.not_after {
        return Err(f(CheckKind::Validity, "expired at the verification time"));
    }
    let ext = cert
        .extensions
        .as_ref()
        .map_err(|e| f(CheckKind::Extensions, e.detail()))?;
    if let Some(oid) = &ext.unknown_critical {
        return Err(f(
            CheckKind::Extensions,
            &format!("unknown critical extension {oid}"),
        ));
    }
    if ext.policy_processing {
        return Err(f(
            CheckKind::Policies,
            "policy mappings, policy constraints or inhibitAnyPolicy present: policy processing is not supported",
        ));
    }
    if ext.authority_key_id.as_ref().is_some_and(|a| a.critical) {
        return Err(f(
            CheckKind::AuthorityKeyIdentifier,
            "authorityKeyIdentifier is critical",
        ));
    }
    if ext.subject_key_id.as_ref().is_some_and(|a| a.critical) {
        return Err(f(
            CheckKind::SubjectKeyIdentifier,
            "subjectKeyIdentifier is critical",
        ));
    }
    // A pinned anchor needs no AKI to be found in the CA/B Forum profile; RFC 5280 requires
    // it in every certificate that is not self-signed. AWS issues Nitro end entities, and
    // issued instance CAs until about 2023, without one: the Nitro profile chains by name and
    // signature alone.
    let exempt = (is_anchor && options.profile == Profile::CabfServer)
        || options.profile == Profile::NitroEnclave;
    if !cert.is_self_issued() && !exempt {
        match &ext.authority_key_id {
            Some(aki) if aki.value.key_id.is_some() => {}
            Some(_) => {
                return Err(f(
                    CheckKind::AuthorityKeyIdentifier,
                    "authorityKeyIdentifier without keyIdentifier",
                ))
            }
            None => {
                return Err(f(
                    CheckKind::AuthorityKeyIdentifier,
                    "authorityKeyIdentifier missing in a certificate that is not self-issued",
                ))
            }
        }
    }
    if let Some(san) = &ext.subject_alt_name {
        let subject_empty = cert.subject.len() <= 2;
        if subject_empty && !san.critical {
            return Err(f(
                CheckKind::SubjectAltName,
                "subjectAltName must be critical when the subject is empty",
            ));
        }
    }
    Ok(())
}

/// Whether a CA certificate (basicConstraints cA=TRUE) may stand as the end entity: only in
/// the RFC 5280 generic profile, which (like the RFC) does not forbid it. Whoever signs
/// content or serves TLS must not be a CA. Exhaustive on purpose: a new profile must decide.
fn ca_may_be_end_entity(profile: Profile) -> bool {
    match profile {
        Profile::Rfc5280 => true,
        Profile::CabfServer
        | Profile::CodeSigning
        | Profile::FulcioCodeSigning
        | Profile::Timestamping
        | Profile::NitroEnclave => false,
    }
}

fn profile_name(profile: Profile) -> &'static str {
    match profile {
        Profile::CabfServer => "CA/B Forum server",
        Profile::Rfc5280 => "RFC 5280 generic",
        Profile::CodeSigning => "code-signing",
        Profile::FulcioCodeSigning => "Fulcio code-signing",
        Profile::Timestamping => "RFC 3161 timestamping",
        Profile::NitroEnclave => "Nitro Enclaves",
    }
}

/// The end-entity checks of [`verify_path`] alone, without building a path: what a signer
/// can check about its own certificate before it signs anything (e.g. a pack builder
/// refusing a CA certificate as the index signer). Passing says nothing about trust.
pub fn check_end_entity_certificate(
    cert: &Certificate,
    options: &Options,
) -> Result<(), ValidationError> {
    check_end_entity(cert, options)
}

fn eku_allows(ekus: &[Vec<u8>], wanted: &[u8], any_ok: bool) -> bool {
    ekus.iter()
        .any(|e| e.as_slice() == wanted || (any_ok && e.as_slice() == EKU_ANY))
}

/// End-entity checks: usage, SAN, CN, peer name.
fn check_end_entity(cert: &Certificate, options: &Options) -> Result<(), ValidationError> {
    let f = |check, detail: &str| fail(cert, 0, check, detail);
    let ext: &Extensions = cert
        .extensions
        .as_ref()
        .map_err(|e| f(CheckKind::Extensions, e.detail()))?;
    let cabf = options.profile == Profile::CabfServer;
    let is_ca = ext.basic_constraints.as_ref().is_some_and(|b| b.value.ca);
    if is_ca && !ca_may_be_end_entity(options.profile) {
        return Err(f(
            CheckKind::BasicConstraints,
            &format!(
                "a CA certificate (cA=TRUE) cannot be the end entity in the {} profile",
                profile_name(options.profile)
            ),
        ));
    }
    if let Some(ku) = &ext.key_usage {
        if ku.value & key_usage::KEY_CERT_SIGN != 0 && !is_ca {
            return Err(f(
                CheckKind::KeyUsage,
                "keyCertSign set in a non-CA certificate",
            ));
        }
        if ku.value & options.required_key_usage != options.required_key_usage {
            return Err(f(CheckKind::KeyUsage, "required keyUsage bits missing"));
        }
        let signing = key_usage::DIGITAL_SIGNATURE | key_usage::CONTENT_COMMITMENT;
        if options.profile == Profile::Timestamping && ku.value & signing == 0 {
            return Err(f(
                CheckKind::KeyUsage,
                "keyUsage allows neither digitalSignature nor nonRepudiation",
            ));
        }
    } else if options.profile == Profile::FulcioCodeSigning {
        return Err(f(
            CheckKind::KeyUsage,
            "keyUsage missing (the Fulcio profile requires digitalSignature)",
        ));
    } else if options.profile == Profile::NitroEnclave {
        return Err(f(
            CheckKind::KeyUsage,
            "keyUsage missing (the Nitro Enclaves profile requires digitalSignature)",
        ));
    }
    if options.profile == Profile::Timestamping {
        check_timestamping_eku(cert, ext)?;
    }
    if ext.name_constraints.is_some() {
        return Err(f(
            CheckKind::NameConstraints,
            "nameConstraints in an end-entity certificate",
        ));
    }
    match &ext.ext_key_usage {
        None => {
            if !options.required_ekus.is_empty() && options.profile != Profile::Rfc5280 {
                return Err(f(CheckKind::ExtendedKeyUsage, "extendedKeyUsage missing"));
            }
        }
        Some(eku) => {
            if cabf && eku.critical {
                return Err(f(
                    CheckKind::ExtendedKeyUsage,
                    "extendedKeyUsage is critical",
                ));
            }
            if cabf && eku_allows(&eku.value, EKU_ANY, false) {
                return Err(f(
                    CheckKind::ExtendedKeyUsage,
                    "anyExtendedKeyUsage in the end entity",
                ));
            }
            for wanted in &options.required_ekus {
                if !eku_allows(&eku.value, wanted, false) {
                    return Err(f(
                        CheckKind::ExtendedKeyUsage,
                        "required key purpose missing",
                    ));
                }
            }
        }
    }
    let san: &[GeneralName] = match &ext.subject_alt_name {
        Some(san) => {
            if cabf && san.critical && cert.subject.len() > 2 {
                return Err(f(
                    CheckKind::SubjectAltName,
                    "subjectAltName is critical although the subject is not empty",
                ));
            }
            &san.value
        }
        None if cabf => return Err(f(CheckKind::SubjectAltName, "subjectAltName missing")),
        None => &[],
    };
    if cabf {
        check_common_names(cert, san)?;
    }
    match &options.peer_name {
        None => {}
        Some(PeerName::Dns(host)) => {
            let matched = san.iter().any(|g| match g {
                GeneralName::Dns(d) => names::dns_matches(d, host.as_bytes()),
                _ => false,
            });
            if !matched {
                return Err(f(
                    CheckKind::PeerName,
                    &format!("no dNSName matches {host}"),
                ));
            }
        }
        Some(PeerName::Ip(ip)) => {
            let matched = san.iter().any(|g| match g {
                GeneralName::Ip(b) => names::ip_from_bytes(b) == Some(*ip),
                _ => false,
            });
            if !matched {
                return Err(f(
                    CheckKind::PeerName,
                    &format!("no iPAddress matches {ip}"),
                ));
            }
        }
    }
    Ok(())
}

/// RFC 3161 §2.3: the TSA's certificate "MUST contain only one instance of the extended key
/// usage field extension ... with KeyPurposeID having value id-kp-timeStamping. This extension
/// MUST be critical."
fn check_timestamping_eku(cert: &Certificate, ext: &Extensions) -> Result<(), ValidationError> {
    let f = |detail: String| fail(cert, 0, CheckKind::ExtendedKeyUsage, detail);
    let Some(eku) = &ext.ext_key_usage else {
        return Err(f(
            "no extended key usage (RFC 3161 §2.3: exactly one, timeStamping, critical)".into(),
        ));
    };
    match eku.value.as_slice() {
        [only] if only.as_slice() == crate::cert::EKU_TIME_STAMPING => {}
        [_] => return Err(f("the extended key usage is not timeStamping".into())),
        many => {
            return Err(f(format!(
                "not exactly one extended key usage but {} (RFC 3161 §2.3: timeStamping alone)",
                many.len()
            )))
        }
    }
    if !eku.critical {
        return Err(f(
            "the extended key usage is not critical (RFC 3161 §2.3)".into()
        ));
    }
    Ok(())
}

/// CA/B Forum BR 7.1.4.3 requires the subject CN, when present, to be one of the SAN values,
/// character for character. The more specific failures are named first: a CN that is not
/// ASCII (SAN names are), a CN equal to a SAN dNSName except for letter case, a CN that is
/// another notation of a SAN iPAddress than its canonical text (RFC 5952 for IPv6); then any
/// CN that is not a SAN dNSName byte for byte or the canonical text of a SAN iPAddress.
fn check_common_names(cert: &Certificate, san: &[GeneralName]) -> Result<(), ValidationError> {
    for cn in &cert.common_names {
        let why = if !cn.is_ascii() {
            Some("is not ASCII, so it cannot be a subjectAltName value")
        } else if san
            .iter()
            .any(|g| matches!(g, GeneralName::Dns(d) if d.eq_ignore_ascii_case(cn) && d != cn))
        {
            Some("differs in letter case from a subjectAltName dNSName")
        } else {
            let text = String::from_utf8_lossy(cn);
            match names::loose_ip(&text) {
                Some(ip) => {
                    let in_san = san.iter().any(
                        |g| matches!(g, GeneralName::Ip(b) if names::ip_from_bytes(b) == Some(ip)),
                    );
                    (in_san && ip.to_string() != text)
                        .then_some("is a non-canonical spelling of a subjectAltName iPAddress")
                }
                None => None,
            }
        }
        .or_else(|| {
            let text = String::from_utf8_lossy(cn);
            let listed = san.iter().any(|g| match g {
                GeneralName::Dns(d) => d == cn,
                GeneralName::Ip(b) => {
                    names::ip_from_bytes(b).is_some_and(|ip| ip.to_string() == text)
                }
                _ => false,
            });
            (!listed).then_some("is not one of the subjectAltName values (CA/B Forum BR 7.1.4.3)")
        });
        if let Some(why) = why {
            return Err(fail(
                cert,
                0,
                CheckKind::CommonName,
                format!("common name {:?} {why}", String::from_utf8_lossy(cn)),
            ));
        }
    }
    Ok(())
}

/// Checks for a certificate acting as a CA (intermediate or anchor).
fn check_ca(
    cert: &Certificate,
    depth: usize,
    is_anchor: bool,
    options: &Options,
) -> Result<(), ValidationError> {
    let f = |check, detail: &str| fail(cert, depth, check, detail);
    let ext: &Extensions = cert
        .extensions
        .as_ref()
        .map_err(|e| f(CheckKind::Extensions, e.detail()))?;
    let cabf = options.profile == Profile::CabfServer;
    match &ext.basic_constraints {
        None => {
            return Err(f(
                CheckKind::BasicConstraints,
                "basicConstraints missing in a CA certificate",
            ))
        }
        Some(bc) if !bc.value.ca => return Err(f(CheckKind::BasicConstraints, "cA is not set")),
        Some(bc) if !bc.critical => {
            return Err(f(
                CheckKind::BasicConstraints,
                "basicConstraints is not critical in a CA certificate",
            ))
        }
        Some(_) => {}
    }
    if let Some(ku) = &ext.key_usage {
        if ku.value & key_usage::KEY_CERT_SIGN == 0 {
            return Err(f(
                CheckKind::KeyUsage,
                "keyCertSign not set in a CA certificate",
            ));
        }
    }
    if cert.subject.len() <= 2 {
        return Err(f(CheckKind::Names, "empty subject in a CA certificate"));
    }
    // RFC 5280 requires a subjectKeyIdentifier of conforming CAs; AWS issued Nitro instance
    // CAs without one until about 2023 (and the pinned Nitro root has one).
    let ski = match &ext.subject_key_id {
        Some(ski) => Some(ski),
        None if options.profile == Profile::NitroEnclave && !is_anchor => None,
        None => {
            return Err(f(
                CheckKind::SubjectKeyIdentifier,
                "subjectKeyIdentifier missing in a CA certificate",
            ))
        }
    };
    if let (true, Some(aki), Some(ski)) = (is_anchor, &ext.authority_key_id, ski) {
        let Some(key_id) = &aki.value.key_id else {
            return Err(f(
                CheckKind::AuthorityKeyIdentifier,
                "authorityKeyIdentifier without keyIdentifier",
            ));
        };
        if cabf && (aki.value.has_issuer || aki.value.has_serial) {
            return Err(f(
                CheckKind::AuthorityKeyIdentifier,
                "authorityCertIssuer/authorityCertSerialNumber present in a root",
            ));
        }
        if cert.is_self_issued() && key_id != &ski.value {
            return Err(f(
                CheckKind::AuthorityKeyIdentifier,
                "self-issued root whose authorityKeyIdentifier differs from its subjectKeyIdentifier",
            ));
        }
    }
    if let Some(nc) = &ext.name_constraints {
        if !nc.critical && options.profile != Profile::CabfServer {
            return Err(f(
                CheckKind::NameConstraints,
                "nameConstraints is not critical",
            ));
        }
    }
    if let Some(eku) = &ext.ext_key_usage {
        if cabf && is_anchor {
            return Err(f(
                CheckKind::ExtendedKeyUsage,
                "extendedKeyUsage in a root certificate",
            ));
        }
        for wanted in &options.required_ekus {
            if !eku_allows(&eku.value, wanted, !cabf) {
                return Err(f(
                    CheckKind::ExtendedKeyUsage,
                    "the CA's extendedKeyUsage does not allow the required purpose",
                ));
            }
        }
    }
    Ok(())
}

/// Whole-path checks: pathLenConstraint, caller depth, name constraints.
fn check_path(
    path: &[&Certificate],
    now: i64,
    options: &Options,
    name_budget: &mut usize,
) -> Result<(), ValidationError> {
    // Non-self-issued intermediates below position i: positions 1..i.
    let counts_below = |i: usize| {
        path.get(1..i)
            .map(|s| s.iter().filter(|c| !c.is_self_issued()).count())
            .unwrap_or(0)
    };
    for (i, cert) in path.iter().enumerate().skip(1) {
        let ext = cert
            .extensions
            .as_ref()
            .map_err(|e| fail(cert, i, CheckKind::Extensions, e.detail()))?;
        if let Some(len) = ext
            .basic_constraints
            .as_ref()
            .and_then(|b| b.value.path_len)
        {
            let below = counts_below(i);
            if below as u64 > len {
                return Err(fail(
                    cert,
                    i,
                    CheckKind::PathLength,
                    format!("pathLenConstraint {len} but {below} intermediates below"),
                ));
            }
        }
    }
    if let Some(max) = options.max_intermediates {
        let n = counts_below(path.len().saturating_sub(1));
        if n > max {
            let leaf = path.first().map(|c| c.subject()).unwrap_or_default();
            return Err(ValidationError::cert(
                0,
                leaf,
                CheckKind::ChainDepth,
                format!("{n} intermediates exceed the allowed {max}"),
            ));
        }
    }
    for (i, ca) in path.iter().enumerate().skip(1) {
        let Ok(ext) = ca.extensions.as_ref() else {
            continue;
        };
        let Some(nc) = &ext.name_constraints else {
            continue;
        };
        for (j, cert) in path.iter().enumerate().take(i) {
            if j != 0 && cert.is_self_issued() {
                continue;
            }
            let mut presented: Vec<PresentedName<'_>> = Vec::new();
            if let Ok(e) = cert.extensions.as_ref() {
                if let Some(san) = &e.subject_alt_name {
                    presented.extend(san.value.iter().map(PresentedName::San));
                }
            }
            if !cert.subject_rdns.is_empty() {
                presented.push(PresentedName::Subject(&cert.subject_rdns));
            }
            presented.extend(
                cert.subject_emails
                    .iter()
                    .map(|e| PresentedName::SubjectEmail(e)),
            );
            names::check_constraints(&nc.value, &presented, name_budget).map_err(|why| {
                fail(
                    cert,
                    j,
                    CheckKind::NameConstraints,
                    format!("{why} (constraints of {})", ca.subject()),
                )
            })?;
        }
    }
    // Revocation last: a revocation failure means every other check of this path passed.
    for (i, pair) in path.windows(2).enumerate() {
        if let [cert, issuer] = pair {
            let covered = crate::crl::check_revocation(cert, issuer, &options.crls, now)
                .map_err(|why| fail(cert, i, CheckKind::Revocation, why))?;
            if !covered && options.require_crls {
                return Err(fail(
                    cert,
                    i,
                    CheckKind::Revocation,
                    format!(
                        "no valid CRL from its issuer {} was supplied, and CRLs are required",
                        issuer.subject()
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// For each non-anchor certificate of a verified path (end entity first): whether a supplied
/// CRL from its issuer covered it. Revocation itself was checked during validation.
pub fn revocation_coverage(
    path: &VerifiedPath<'_>,
    crls: &[crate::crl::Crl],
    time: VerificationTime,
) -> Vec<bool> {
    let now = i64::try_from(time.unix_seconds()).unwrap_or(i64::MAX);
    path.chain
        .windows(2)
        .map(|pair| match pair {
            [cert, issuer] => {
                crate::crl::check_revocation(cert, issuer, crls, now).unwrap_or(false)
            }
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod rank_tests {
    use super::*;

    fn failed(check: CheckKind, depth: usize) -> ValidationError {
        ValidationError::cert(depth, "CN=x", check, "detail")
    }

    #[test]
    fn a_real_defect_outranks_a_name_collision_and_progress_breaks_ties() {
        let wrong_key = Rank::of(&failed(CheckKind::Signature, 0), 1);
        let too_deep = Rank::of(&failed(CheckKind::ChainDepth, 2), 3);
        let expired_ica = Rank::of(&failed(CheckKind::Validity, 1), 1);
        let revoked_leaf_on_full_path = Rank::of(&failed(CheckKind::Revocation, 0), 3);
        assert!(wrong_key < too_deep);
        assert!(too_deep < expired_ica);
        assert!(expired_ica < revoked_leaf_on_full_path);
        // A signature failure further along still ranks below any real defect.
        assert!(Rank::of(&failed(CheckKind::Signature, 5), 6) < expired_ica);
    }
}
