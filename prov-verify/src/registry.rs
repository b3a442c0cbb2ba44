//! The registered plugins: every verifier `prov-verify verify` can drive, in one list. Adding
//! a plugin is one line here (see docs/plugins.md).

use plugin_api::Plugin;

/// Every registered plugin, in listing order. A new plugin is registered here.
pub fn all() -> Vec<Box<dyn Plugin>> {
    vec![
        Box::new(plugin_cosign::CosignPlugin::new()),
        Box::new(plugin_x509::X509Plugin::default()),
        Box::new(offline_cache::TufTargetPlugin::default()),
        Box::new(audit_pack::AuditPackPlugin::default()),
        Box::new(tlog::TlogReceiptPlugin::default()),
        Box::new(merkle::MerklePlugin::default()),
        Box::new(plugin_nitro::NitroPlugin::default()),
        Box::new(gate::vsa::VsaPlugin),
    ]
}

/// The plugin called `name`.
pub fn find(name: &str) -> Option<Box<dyn Plugin>> {
    all().into_iter().find(|p| p.name() == name)
}

/// The names of every plugin, for messages.
pub fn names() -> String {
    all()
        .iter()
        .map(|p| p.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The external suites each plugin is measured against, as recorded in docs/conformance.md
/// (the matrix CI regenerates): (suite, figure).
pub fn conformance(name: &str) -> &'static [(&'static str, &'static str)] {
    match name {
        "cosign" => &[("sigstore-conformance", "140/140 cases, 0 false accepts")],
        "x509" => &[("x509-limbo", "9,777/9,780 cases, 0 false accepts")],
        "tuf" => &[(
            "tuf-conformance (the TUF client it verifies with)",
            "113/113 tests",
        )],
        "merkle" => &[("merkle vectors", "3,147/3,147 cases, 0 false accepts")],
        "nitro" => &[
            (
                "AWS-signed documents from public repositories",
                "83/83 judged as expected (35 verify, 40 debug refused, 8 rejected), 0 false accepts",
            ),
            (
                "mutation campaign",
                "580 structural and every single-bit mutant rejected but documented equivalents, 0 false accepts",
            ),
        ],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_unique_and_valid_check_id_prefixes() {
        let all = super::all();
        let mut names: Vec<&str> = all.iter().map(|p| p.name()).collect();
        assert!(names.len() >= 6, "{names:?}");
        for n in &names {
            assert!(plugin_api::is_valid_check_id(&format!("{n}.x")), "{n}");
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }

    /// Every declaration names something that exists, and nothing a plugin cannot take is
    /// declared (a declared field is one `run_plugin` lets through).
    #[test]
    fn declarations_are_consistent() {
        let every_policy_field = plugin_api::Policy::new()
            .with_identity("a")
            .with_identity_regexp("a")
            .with_issuer("a")
            .with_issuer_regexp("a")
            .with_predicate_type("a")
            .with_required_revocation()
            .with_measurement(0, vec![0; 48])
            .with_nonce(vec![1])
            .with_user_data(vec![2])
            .with_attested_public_key(vec![3])
            .with_max_age(60)
            .with_github_workflow("ref", "refs/heads/main")
            .with_slsa("source-branch", "main")
            .with_required_inclusion_proof()
            .fields();
        for p in super::all() {
            let i = p.info();
            assert!(!i.subjects.is_empty(), "{}", i.name);
            assert!(!i.trust_roots.is_empty(), "{}: no trust root kind", i.name);
            for f in i.policy {
                assert!(every_policy_field.contains(f), "{}: policy {f}", i.name);
            }
            assert!(
                i.media_types.is_empty() || i.uses_signature,
                "{}: media types without signature material",
                i.name
            );
            // CRLs check a certificate path: one the request offers, or one inside the evidence
            // validated to pinned X.509 roots (an X.509-signed audit pack).
            assert!(
                !i.revocation
                    || i.certificates
                    || i.trust_roots
                        .contains(&plugin_api::TrustRootKind::X509Certificate),
                "{}: CRLs without certificates",
                i.name
            );
            assert_eq!(p.name(), i.name);
        }
    }
}
