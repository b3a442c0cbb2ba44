//! The request side of the contract and the supporting types.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use plugin_api::{
    CacheError, CacheKey, Certificate, Digest, DigestAlgorithm, Error, InputError, Insecure,
    OfflineCache, Plugin, PluginInfo, Policy, Report, Signature, Subject, SubjectKind, TrustRoot,
    TrustRootError, TrustRootKind, TrustRoots, VerificationTime, VerifyRequest, EXIT_ERROR,
};
use std::collections::BTreeMap;

/// A cache in memory.
struct MapCache(BTreeMap<String, Vec<u8>>);

impl OfflineCache for MapCache {
    fn get(&self, key: &CacheKey) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.0.get(key.as_str()).cloned())
    }
    fn describe(&self) -> String {
        format!("memory ({} entries)", self.0.len())
    }
}

/// Passes if the cache holds the subject's bytes under `blobs/expected`, waiving a missing
/// entry only under --allow-expired-cache (an example, not a real rule).
struct CacheCompare;

impl Plugin for CacheCompare {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: "cache-compare",
            version: "0.0.0",
            summary: "a test plugin",
            subjects: &[SubjectKind::Bytes],
            signature: "anything",
            trust_roots: &[],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[Insecure::AllowExpiredCache],
            uses_signature: false,
            uses_cache: true,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        let b = Report::builder_for(self.name(), req);
        let Subject::Bytes(subject) = req.subject() else {
            return Ok(b.fail("cache-compare.subject.kind", "needs bytes").finish());
        };
        let key = match CacheKey::new("blobs/expected") {
            Ok(k) => k,
            Err(e) => return Ok(b.error(e.to_string()).finish()),
        };
        Ok(match req.cache().map(|c| c.get(&key)) {
            None => b.fail("cache-compare.cache.present", "no offline cache given"),
            Some(Err(e)) => b.error(e.to_string()),
            Some(Ok(None)) if req.allows(Insecure::AllowExpiredCache) => b.skip_waived(
                "cache-compare.blob.equal",
                "no cache entry",
                Insecure::AllowExpiredCache,
            ),
            Some(Ok(None)) => b.skip("cache-compare.blob.equal", "no cache entry"),
            Some(Ok(Some(v))) if v == subject => b.pass("cache-compare.blob.equal", "equal"),
            Some(Ok(Some(_))) => b.fail("cache-compare.blob.equal", "differs"),
        }
        .finish())
    }
}

#[test]
fn a_plugin_sees_every_input_and_records_time_and_modes() {
    let roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::PublicKey,
        "key.pem",
        b"PEM".to_vec(),
    ));
    let cache = MapCache(BTreeMap::from([(
        "blobs/expected".to_string(),
        b"hello".to_vec(),
    )]));
    let certs = [Certificate::new("leaf.pem", b"LEAF")];
    let policy = Policy::new()
        .with_identity("me@example.com")
        .with_issuer("https://issuer.example");
    let t = VerificationTime::from_unix_seconds(1_700_000_000);
    let req = VerifyRequest::new(Subject::Bytes(b"hello"), Signature::new(b"sig"), &roots, t)
        .with_certificates(&certs)
        .with_policy(&policy)
        .with_cache(&cache);
    assert_eq!(req.trust_roots().len(), 1);
    assert_eq!(req.certificates()[0].name(), "leaf.pem");
    assert_eq!(req.policy().identity(), Some("me@example.com"));
    assert_eq!(req.policy().issuer(), Some("https://issuer.example"));
    assert_eq!(req.time(), t);
    assert!(req.insecure().is_empty() && !req.allows(Insecure::SkipTlog));
    assert!(format!("{req:?}").contains("memory (1 entries)"));

    let r = CacheCompare.verify(&req).unwrap();
    assert!(r.ok(), "{}", r.to_json());
    assert_eq!(r.verified_at(), Some(t));
    assert_eq!(r.plugin(), "cache-compare");

    // A missing entry is a failure unless the caller turned the mode on.
    let empty = MapCache(BTreeMap::new());
    let req = VerifyRequest::new(Subject::Bytes(b"hello"), Signature::new(b""), &roots, t)
        .with_cache(&empty);
    assert!(!CacheCompare.verify(&req).unwrap().ok());
    let modes = [Insecure::AllowExpiredCache];
    let r = CacheCompare.verify(&req.with_insecure(&modes)).unwrap();
    assert!(r.ok());
    assert_eq!(r.insecure(), modes);
    assert!(r.warnings()[0].starts_with("INSECURE: --allow-expired-cache"));
}

#[test]
fn defaults_of_a_new_request() {
    let roots = TrustRoots::new();
    let sig = Signature::new(b"x").with_media_type("application/vnd.dev.sigstore.bundle.v0.3+json");
    let req = VerifyRequest::new(
        Subject::Bytes(b""),
        sig,
        &roots,
        VerificationTime::from_unix_seconds(5),
    );
    assert!(req.cache().is_none() && req.certificates().is_empty() && req.policy().is_empty());
    assert_eq!(
        req.signature().media_type(),
        Some("application/vnd.dev.sigstore.bundle.v0.3+json")
    );
    assert_eq!(req.time().unix_seconds(), 5);
}

#[test]
fn digests_must_have_their_algorithms_length() {
    let v = [7u8; 32];
    let d = Digest::new(DigestAlgorithm::Sha256, &v).unwrap();
    assert_eq!(d.value(), v);
    assert_eq!(
        format!("{:?}", Subject::Digest(d)),
        format!("Digest(sha256:{})", "07".repeat(32))
    );
    assert!(matches!(
        Digest::new(DigestAlgorithm::Sha384, &v),
        Err(InputError::Malformed { .. })
    ));
    assert!(Digest::new(DigestAlgorithm::Sha512, &[0; 64]).is_ok());
    assert_eq!(
        DigestAlgorithm::from_name("sha384"),
        Some(DigestAlgorithm::Sha384)
    );
    assert_eq!(DigestAlgorithm::from_name("md5"), None);
}

#[test]
fn cache_keys_cannot_escape_the_cache() {
    for good in [
        "tuf/sigstore/targets/trusted_root.json",
        "tlog/rekor.sigstore.dev/tile/0/x001/234.p/5",
        "crl/a+b~c",
    ] {
        assert_eq!(CacheKey::new(good).unwrap().as_str(), good);
    }
    for bad in [
        "",
        "/etc/passwd",
        "a/../b",
        "..",
        "a/./b",
        "a//b",
        "a/",
        "a\\b",
        "c:x",
        "a b",
        "ü",
    ] {
        assert!(
            matches!(CacheKey::new(bad), Err(CacheError::InvalidKey { .. })),
            "{bad:?}"
        );
    }
    assert!(CacheKey::new("a".repeat(256)).is_err());
    assert!(CacheKey::new(["a"; 600].join("/")).is_err());
    assert_eq!(
        CacheKey::new("a/b/c")
            .unwrap()
            .segments()
            .collect::<Vec<_>>(),
        ["a", "b", "c"]
    );
}

#[test]
fn insecure_modes_have_flags_names_and_descriptions() {
    let flags: Vec<&str> = Insecure::ALL.iter().map(|m| m.flag()).collect();
    assert_eq!(
        flags,
        [
            "--insecure-ignore-tlog",
            "--insecure-ignore-sct",
            "--allow-expired-cache",
            "--insecure-skip-timestamp",
            "--allow-debug"
        ]
    );
    for &m in Insecure::ALL {
        assert_eq!(Insecure::from_flag(m.flag()), Some(m));
        assert_eq!(Insecure::from_name(m.name()), Some(m));
        assert_eq!(
            serde_json::to_value(m).unwrap(),
            serde_json::Value::String(m.name().into())
        );
        assert_eq!(
            serde_json::from_value::<Insecure>(m.name().into()).unwrap(),
            m
        );
        assert!(!m.description().is_empty());
        assert_eq!(m.to_string(), m.flag());
    }
    assert_eq!(Insecure::from_flag("--insecure"), None);
}

#[test]
fn trust_roots_by_kind() {
    let roots: TrustRoots = [
        TrustRoot::new(TrustRootKind::X509Certificate, "root-a.pem", b"A".to_vec()),
        TrustRoot::new(
            TrustRootKind::SigstoreTrustedRoot,
            "trusted_root.json",
            b"{}".to_vec(),
        ),
        TrustRoot::new(TrustRootKind::X509Certificate, "root-b.der", b"B".to_vec()),
    ]
    .into_iter()
    .collect();
    let names: Vec<&str> = roots
        .of_kind(TrustRootKind::X509Certificate)
        .map(TrustRoot::name)
        .collect();
    assert_eq!(names, ["root-a.pem", "root-b.der"]);
    assert_eq!(roots.of_kind(TrustRootKind::TufRoot).count(), 0);
    assert_eq!((&roots).into_iter().count(), 3);
    assert!(
        !format!("{roots:?}").contains("[65]"),
        "Debug shows lengths, not bytes"
    );
}

#[test]
fn every_error_is_exit_2_with_a_kind_and_a_location() {
    let io = || std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
    let cases: Vec<(Error, &str, &str)> = vec![
        (
            InputError::unreadable("--signature", "sig.bin", io()).into(),
            "input",
            "--signature: cannot read sig.bin",
        ),
        (
            InputError::malformed("proof.json: root", "not hex").into(),
            "input",
            "proof.json: root: not hex",
        ),
        (
            TrustRootError::Missing {
                kind: TrustRootKind::TufRoot,
            }
            .into(),
            "trust-root",
            "tuf-root",
        ),
        (
            CacheKey::new("../x").unwrap_err().into(),
            "cache",
            "invalid cache key `../x`",
        ),
        (
            Report::from_json("{").unwrap_err().into(),
            "report",
            "malformed report",
        ),
        (
            Error::Internal("bug".into()),
            "internal",
            "internal error: bug",
        ),
    ];
    for (e, kind, text) in cases {
        assert_eq!(e.exit_code(), EXIT_ERROR);
        assert_eq!(e.kind(), kind);
        assert!(e.to_string().contains(text), "{e} lacks {text}");
    }
}

/// Waives a check with a mode of its own choosing: the contract forbids it.
struct SelfWaiver;

impl Plugin for SelfWaiver {
    fn info(&self) -> PluginInfo {
        PluginInfo {
            name: "self-waiver",
            version: "0.0.0",
            summary: "a test plugin",
            subjects: &[SubjectKind::Bytes],
            signature: "anything",
            trust_roots: &[],
            media_types: &[],
            policy: &[],
            certificates: false,
            revocation: false,
            insecure: &[Insecure::SkipTlog],
            uses_signature: false,
            uses_cache: false,
        }
    }

    fn verify(&self, req: &VerifyRequest<'_>) -> Result<Report, Error> {
        Ok(Report::builder_for(self.name(), req)
            .insecure_modes(&[Insecure::SkipTlog])
            .pass("self-waiver.signature.verify", "")
            .skip_waived("self-waiver.tlog.inclusion", "no entry", Insecure::SkipTlog)
            .finish())
    }
}

#[test]
fn run_plugin_refuses_insecure_modes_the_caller_did_not_pass() {
    let roots = TrustRoots::new();
    let t = VerificationTime::from_unix_seconds(0);
    let req = VerifyRequest::new(Subject::Bytes(b""), Signature::new(b""), &roots, t);
    assert!(
        SelfWaiver.verify(&req).unwrap().ok(),
        "the builder alone cannot tell"
    );
    let r = plugin_api::run_plugin(&SelfWaiver, &req).unwrap();
    assert!(!r.ok());
    assert!(
        r.errors()[0].contains("--insecure-ignore-tlog"),
        "{:?}",
        r.errors()
    );
    assert!(Report::from_json(&r.to_json()).is_ok());

    // With the caller's consent the same plugin's report stands.
    let modes = [Insecure::SkipTlog];
    let r = plugin_api::run_plugin(&SelfWaiver, &req.with_insecure(&modes)).unwrap();
    assert!(r.ok());
    // Through a trait object too.
    let p: &dyn Plugin = &CacheCompare;
    assert!(!plugin_api::run_plugin(p, &req).unwrap().ok());
}

#[test]
fn run_plugin_refuses_trust_roots_the_plugin_does_not_read() {
    let roots = TrustRoots::new().with(TrustRoot::new(
        TrustRootKind::PublicKey,
        "key.pub",
        b"k".to_vec(),
    ));
    let t = VerificationTime::from_unix_seconds(0);
    let req = VerifyRequest::new(Subject::Bytes(b""), Signature::new(b""), &roots, t);
    let e = plugin_api::run_plugin(&SelfWaiver, &req).unwrap_err();
    assert_eq!(e.exit_code(), 2);
    assert!(e.to_string().contains("key.pub"), "{e}");
}

#[test]
fn run_plugin_refuses_whatever_the_plugin_does_not_declare() {
    let roots = TrustRoots::new();
    let t = VerificationTime::from_unix_seconds(0);
    let base = VerifyRequest::new(Subject::Bytes(b""), Signature::new(b""), &roots, t);
    let certs = [Certificate::new("leaf.pem", b"LEAF")];
    let crls = [plugin_api::RevocationList::new("ca.crl", b"CRL")];
    let policy = Policy::new().with_predicate_type("https://slsa.dev/provenance/v1");
    let modes = [Insecure::SkipSct];
    let digest = [0u8; 32];
    let d = Digest::new(DigestAlgorithm::Sha256, &digest).unwrap();
    let receipt = plugin_api::LogReceipt {
        receipt_name: "r.json",
        receipt: b"{}",
        key_name: "k",
        key: b"k",
    };
    for (req, names) in [
        (base.with_certificates(&certs), "leaf.pem"),
        (base.with_revocation(&crls, None), "ca.crl"),
        (base.with_policy(&policy), "predicate-type"),
        (base.with_insecure(&modes), "--insecure-ignore-sct"),
        (
            VerifyRequest::new(
                Subject::Bytes(b""),
                Signature::new(b"").with_media_type("application/x-other"),
                &roots,
                t,
            ),
            "application/x-other",
        ),
        (
            VerifyRequest::new(Subject::Digest(d), Signature::new(b""), &roots, t),
            "digest",
        ),
        (base.with_log_receipt(receipt), "r.json"),
    ] {
        let e = plugin_api::run_plugin(&SelfWaiver, &req).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains(names), "{e} lacks {names}");
    }
}

#[test]
fn policy_fields_are_named_and_unsupported_ones_refused() {
    let p = Policy::new()
        .with_identity_regexp("^a$")
        .with_predicate_type("https://slsa.dev/provenance/v1")
        .with_required_revocation();
    assert_eq!(
        p.fields(),
        ["identity-regexp", "predicate-type", "require-revocation"]
    );
    assert_eq!(
        p.unsupported_field(&["identity-regexp", "predicate-type", "require-revocation"]),
        None
    );
    assert_eq!(
        p.unsupported_field(&["require-revocation"]),
        Some("identity-regexp")
    );
    let enclave = Policy::new()
        .with_max_age(60)
        .with_measurement(8, vec![1; 48])
        .with_measurement(0, vec![2; 48])
        .with_attested_public_key(b"k".to_vec())
        .with_user_data(b"u".to_vec())
        .with_nonce(b"n".to_vec());
    assert_eq!(
        enclave.fields(),
        [
            "measurements",
            "nonce",
            "user-data",
            "attested-public-key",
            "max-age"
        ]
    );
    let indexes: Vec<u32> = enclave.measurements().keys().copied().collect();
    assert_eq!(indexes, [0, 8]);
    assert_eq!(enclave.nonce(), Some(&b"n"[..]));
    assert_eq!(enclave.max_age(), Some(60));
    assert_eq!(enclave.unsupported_field(&["measurements"]), Some("nonce"));
    assert_eq!(Policy::new().unsupported_field(&[]), None);
}

/// Signature material or an offline cache handed to a plugin that declares it uses neither is
/// refused before it runs, by the same rules the command line applies to a plan.
#[test]
fn run_plugin_refuses_a_signature_or_cache_the_plugin_does_not_use() {
    let roots = TrustRoots::new();
    let t = VerificationTime::from_unix_seconds(0);
    let req = VerifyRequest::new(Subject::Bytes(b""), Signature::new(b"sig"), &roots, t);
    let e = plugin_api::run_plugin(&SelfWaiver, &req).unwrap_err();
    assert!(e.to_string().contains("takes no signature material"), "{e}");

    let cache = MapCache(std::collections::BTreeMap::new());
    let req =
        VerifyRequest::new(Subject::Bytes(b""), Signature::new(b""), &roots, t).with_cache(&cache);
    let e = plugin_api::run_plugin(&SelfWaiver, &req).unwrap_err();
    assert!(
        e.to_string().contains("does not use the offline cache"),
        "{e}"
    );

    // The same rule, on a shape described before any input is read.
    let policy = Policy::new();
    let shape = plugin_api::InputShape {
        subject: SubjectKind::Digest,
        signature: false,
        signature_type: None,
        policy: &policy,
        certificates: false,
        revocation: false,
        insecure: &[],
        cache: false,
    };
    let info = SelfWaiver.info();
    let found = plugin_api::find_undeclared(&info, &shape, [TrustRootKind::PublicKey]);
    assert_eq!(
        found,
        Some(plugin_api::Undeclared::Subject(SubjectKind::Digest))
    );
    assert_eq!(
        found.unwrap().reason(&info),
        "the self-waiver plugin does not take a subject given as digest"
    );
    let bytes = plugin_api::InputShape {
        subject: SubjectKind::Bytes,
        ..shape
    };
    assert_eq!(
        plugin_api::find_undeclared(&info, &bytes, [TrustRootKind::PublicKey]),
        Some(plugin_api::Undeclared::TrustRoot(TrustRootKind::PublicKey))
    );
    assert_eq!(plugin_api::find_undeclared(&info, &bytes, []), None);
}
