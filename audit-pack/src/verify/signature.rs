//! The index signature (Ed25519 or X.509) and the log receipt.

use super::*;

/// The log receipt: it verifies with the log key (signed checkpoint, inclusion proof) and its
/// entry records this pack (manifest_root = the signed Merkle root, sig_digest = SHA-256 of
/// `index.json.sig`).
pub(super) fn check_receipt(
    receipt: &[u8],
    key: &VerifierKey,
    root: &str,
    signature: &[u8],
) -> Outcome {
    let receipt = tlog::Receipt::parse(receipt)
        .map_err(|e| format!("{RECEIPT_NAME} is not a log receipt: {e}"))?;
    let cp = receipt.open_checkpoint(key).map_err(|e| {
        format!(
            "the receipt's checkpoint does not verify with log key {}: {e}",
            key.name()
        )
    })?;
    receipt
        .verify_inclusion(&cp)
        .map_err(|e| format!("the receipt's inclusion proof does not verify: {e}"))?;
    let want_sig = hex::encode(sha2::Sha256::digest(signature));
    let got_root = receipt.entry.manifest_root().to_hex();
    let got_sig = receipt.entry.sig_digest().to_hex();
    let mut diffs = Vec::new();
    if got_root != root {
        diffs.push(format!(
            "manifest_root {got_root} is not the pack's merkleRoot {root}"
        ));
    }
    if got_sig != want_sig {
        diffs.push(format!(
            "sig_digest {got_sig} is not the SHA-256 of index.json.sig {want_sig}"
        ));
    }
    if !diffs.is_empty() {
        return Err(Failure::new(format!(
            "the receipt records another pack: {}",
            diffs.join("; ")
        )));
    }
    let c = cp.checkpoint();
    Ok(format!(
        "entry {:?} (merkleRoot, SHA-256 of index.json.sig) is leaf {} of the log tree of size {} with root {} signed by {}",
        receipt.entry.name(),
        receipt.index,
        c.size,
        c.root,
        key.name()
    ))
}

/// Checks the index signature (`index.json.sig`, and `index.json.certs.pem` if the pack has
/// one) with the verifier's trust. Returns the outcome, the signers' names and warnings.
pub(crate) fn verify_index_signature(
    index_bytes: &[u8],
    sig_bytes: &[u8],
    certs: Option<&[u8]>,
    trust: IndexTrust<'_>,
    limits: &Limits,
) -> (Outcome, Vec<String>, Vec<String>) {
    match trust {
        IndexTrust::Keys(keys) => {
            let key_names = keys
                .iter()
                .map(crate::keys::key_label)
                .collect::<Vec<_>>()
                .join(", ");
            if certs.is_some() {
                return (
                    Err(Failure::new(format!(
                        "the index is signed with an X.509 certificate ({CERTS_NAME}), not an Ed25519 key: verify it with trusted roots"
                    ))),
                    Vec::new(),
                    Vec::new(),
                );
            }
            match verify_detached(index_bytes, sig_bytes, keys) {
                Ok(names) => {
                    let labels: Vec<String> = names
                        .iter()
                        .map(|n| {
                            keys.iter()
                                .find(|k| k.name() == n)
                                .map_or_else(|| n.clone(), crate::keys::key_label)
                        })
                        .collect();
                    (
                        Ok(format!(
                            "Ed25519 signature over index.json by {}",
                            labels.join(", ")
                        )),
                        names,
                        Vec::new(),
                    )
                }
                Err(e) => {
                    let claimed = crate::keys::claimed_signers(sig_bytes);
                    let signed_by = if claimed.is_empty() {
                        "no signature line".to_owned()
                    } else {
                        claimed.join(", ")
                    };
                    (
                        Err(Failure::new(format!(
                            "index.json.sig does not verify with the key given: signed by {signed_by}; you gave {key_names} ({e})"
                        ))),
                        Vec::new(),
                        Vec::new(),
                    )
                }
            }
        }
        IndexTrust::X509(x509) => match certs {
            None => (
                Err(Failure::new(format!(
                    "the pack has no {CERTS_NAME}: its index is not signed with an X.509 certificate"
                ))),
                Vec::new(),
                Vec::new(),
            ),
            Some(certs) => verify_x509_index(index_bytes, sig_bytes, certs, x509, limits),
        },
    }
}

/// The index signature by an X.509 certificate: the raw signature in `index.json.sig` over
/// `index.json`, the leaf and intermediates from `index.json.certs.pem`, validated by
/// plugin-x509 to the pinned roots at the trust's time or else the pack date. Returns the
/// outcome, the signer (the leaf's subject) and the plugin's warnings.
pub(super) fn verify_x509_index(
    index_bytes: &[u8],
    sig: &[u8],
    certs: &[u8],
    trust: &X509Trust,
    limits: &Limits,
) -> (Outcome, Vec<String>, Vec<String>) {
    let fail = |why: String| (Err(Failure::new(why)), Vec::new(), Vec::new());
    let certs = match crate::signer::parse_certificates_within(certs, limits) {
        Ok(c) => c,
        Err(e) => return fail(format!("{CERTS_NAME}: {e}")),
    };
    let Some((leaf, intermediates)) = certs.split_first() else {
        return fail(format!("{CERTS_NAME} holds no certificate"));
    };
    let time = match trust.at {
        Some(at) => at,
        None => match pack_date_of(index_bytes) {
            Some(t) => t,
            None => return fail(
                "no verification time: index.json has no valid generatedAt (give one explicitly)"
                    .to_owned(),
            ),
        },
    };
    let report = plugin_x509::verify_manifest(&ManifestRequest {
        subject: INDEX_NAME,
        manifest: index_bytes,
        signature: &DetachedSignature::Raw(sig.to_vec()),
        leaf,
        intermediates,
        anchors: &trust.roots,
        crls: &trust.crls,
        require_crl: trust.require_crl,
        time,
    });
    let details: Vec<String> = report
        .checks()
        .iter()
        .map(|c| format!("{}: {}", c.id, c.explanation()))
        .collect();
    let when = time.to_rfc3339();
    if report.ok() {
        (
            Ok(format!(
                "X.509 signature over index.json by {} at {when}; {}",
                leaf.subject(),
                details.join("; ")
            )),
            vec![leaf.subject().to_owned()],
            report.warnings().to_vec(),
        )
    } else {
        let failed = report
            .first_failure()
            .map(|c| format!("{}: {}", c.id, c.explanation()))
            .unwrap_or_else(|| details.join("; "));
        fail(format!(
            "the X.509 signature over index.json by {} does not verify at {when}: {failed}",
            leaf.subject()
        ))
    }
}

/// Midnight UTC of the pack date in `index.json` (not yet verified: used only as the time at
/// which the signature over these very bytes is checked).
pub(super) fn pack_date_of(index_bytes: &[u8]) -> Option<VerificationTime> {
    let value: serde_json::Value = plugin_api::json::from_slice(index_bytes).ok()?;
    let at = value.get("generatedAt")?.as_str()?;
    if at.len() != 20 || !at.ends_with("T00:00:00Z") {
        return None;
    }
    let date = crate::names::PackDate::parse(at.get(..10)?).ok()?;
    Some(VerificationTime::from_unix_seconds(date.unix_seconds()))
}
