//! Every check id of the `cosign` plugin, in one place. Ids are `cosign.AREA.CHECK`; those of
//! per-entry checks are built by [`timestamp`] and [`tlog_entry`].

/// `cosign.bundle.parse`.
pub const BUNDLE_PARSE: &str = "cosign.bundle.parse";
/// `cosign.certificate.chain`.
pub const CERTIFICATE_CHAIN: &str = "cosign.certificate.chain";
/// `cosign.certificate.sct`.
pub const CERTIFICATE_SCT: &str = "cosign.certificate.sct";
/// `cosign.certificate.validity`.
pub const CERTIFICATE_VALIDITY: &str = "cosign.certificate.validity";
/// `cosign.content.digest`.
pub const CONTENT_DIGEST: &str = "cosign.content.digest";
/// `cosign.content.signature`.
pub const CONTENT_SIGNATURE: &str = "cosign.content.signature";
/// `cosign.dsse.payload-type`.
pub const DSSE_PAYLOAD_TYPE: &str = "cosign.dsse.payload-type";
/// `cosign.dsse.signature`.
pub const DSSE_SIGNATURE: &str = "cosign.dsse.signature";
/// `cosign.identity.issuer`.
pub const IDENTITY_ISSUER: &str = "cosign.identity.issuer";
/// `cosign.identity.san`.
pub const IDENTITY_SAN: &str = "cosign.identity.san";
/// `cosign.identity.github-workflow`: the leaf's GitHub workflow claims (Fulcio extensions
/// 1.3.6.1.4.1.57264.1.2 to .6) equal the expected ones.
pub const IDENTITY_GITHUB_WORKFLOW: &str = "cosign.identity.github-workflow";
/// The GitHub workflow claims a policy may expect, as cosign's
/// `--certificate-github-workflow-*` flags name them.
pub const GITHUB_WORKFLOW_CLAIMS: [&str; 5] = ["trigger", "sha", "name", "repository", "ref"];
/// `cosign.intoto.subject`.
pub const INTOTO_SUBJECT: &str = "cosign.intoto.subject";
/// `cosign.signer.certificate`.
pub const SIGNER_CERTIFICATE: &str = "cosign.signer.certificate";
/// `cosign.signer.key`.
pub const SIGNER_KEY: &str = "cosign.signer.key";
/// `cosign.time.threshold`.
pub const TIME_THRESHOLD: &str = "cosign.time.threshold";
/// `cosign.tlog.entries`.
pub const TLOG_ENTRIES: &str = "cosign.tlog.entries";
/// `cosign.attestation.predicate-type`: the statement's predicate type is the expected one.
pub const ATTESTATION_PREDICATE_TYPE: &str = "cosign.attestation.predicate-type";
/// `cosign.attestation.slsa`: the statement is SLSA provenance with the expected builder,
/// source repository and ref (slsa-verifier's `--builder-id`, `--source-*`).
pub const ATTESTATION_SLSA: &str = "cosign.attestation.slsa";

/// `cosign.batch.requests`: every request of a `--batch` run verified (the batch summary).
pub const BATCH_REQUESTS: &str = "cosign.batch.requests";

/// `cosign.timestamp.rfc3161-N`: the N-th RFC 3161 timestamp of the bundle.
pub fn timestamp(n: usize) -> String {
    format!("cosign.timestamp.rfc3161-{n}")
}

/// `cosign.tlog.entry-N.STEP`: a step of the N-th transparency-log entry.
pub fn tlog_entry(n: usize, step: &str) -> String {
    format!("cosign.tlog.entry-{n}.{step}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_id_is_a_valid_check_id_of_this_plugin() {
        let all = [
            super::BUNDLE_PARSE,
            super::CERTIFICATE_CHAIN,
            super::CERTIFICATE_SCT,
            super::CERTIFICATE_VALIDITY,
            super::CONTENT_DIGEST,
            super::CONTENT_SIGNATURE,
            super::DSSE_PAYLOAD_TYPE,
            super::DSSE_SIGNATURE,
            super::IDENTITY_ISSUER,
            super::IDENTITY_SAN,
            super::IDENTITY_GITHUB_WORKFLOW,
            super::INTOTO_SUBJECT,
            super::SIGNER_CERTIFICATE,
            super::SIGNER_KEY,
            super::TIME_THRESHOLD,
            super::TLOG_ENTRIES,
            super::ATTESTATION_PREDICATE_TYPE,
            super::BATCH_REQUESTS,
        ];
        for id in all
            .iter()
            .map(|s| (*s).to_owned())
            .chain([super::timestamp(0), super::tlog_entry(7, "body")])
        {
            assert!(plugin_api::is_valid_check_id(&id), "{id}");
            assert!(id.starts_with("cosign."), "{id}");
        }
    }
}
