//! The checks over the pack's contents: files, Merkle root, control map, evidence schemas.

use super::*;

pub(super) fn check_evidence(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    let sha256_of = |name: &str| index.artifact_named(name).map(|a| a.sha256.clone());
    let exists = |name: &str| index.artifact_named(name).is_some();
    let mut bad = Vec::new();
    let mut count = 0usize;
    for a in &index.artifacts {
        let Some(kind) = Kind::from_name(&a.kind) else {
            continue;
        };
        let data = entries.get(&a.path).and_then(|e| e.data.as_deref());
        let result = match kind {
            k if k.is_json_document() => {
                count += 1;
                let Some(data) = data else {
                    bad.push(format!("{}: missing or over its size budget", a.path));
                    continue;
                };
                evidence::parse_json_for(&a.name, kind, data, index.is_legacy()).and_then(|doc| {
                    match kind {
                        Kind::DrApproval => evidence::check_dr_approval(&a.name, &doc, &sha256_of),
                        Kind::DriftIncident => {
                            evidence::check_drift_incident(&a.name, &doc, &exists)
                        }
                        _ => Ok(()),
                    }
                })
            }
            Kind::Provenance if a.name.ends_with(".json") || a.name.ends_with(".jsonl") => {
                count += 1;
                let Some(data) = data else {
                    bad.push(format!("{}: missing or over its size budget", a.path));
                    continue;
                };
                evidence::check_provenance(&a.name, data)
            }
            Kind::BudgetDashboard => {
                count += 1;
                let cited: Vec<(String, String)> = index
                    .controls
                    .iter()
                    .filter(|l| l.evidence_path == a.name)
                    .map(|l| (l.period_start.clone(), l.period_end.clone()))
                    .collect();
                evidence::budget_period(&a.name, data, &cited).and_then(|period| {
                    if a.period.as_ref() == Some(&period) {
                        Ok(())
                    } else {
                        Err(crate::BuildError::Evidence {
                            file: a.name.clone(),
                            field: "period".to_owned(),
                            reason: format!(
                                "the index records {}, the file gives {}..{}",
                                a.period
                                    .as_ref()
                                    .map_or("no period".to_owned(), |p| format!(
                                        "{}..{}",
                                        p.start, p.end
                                    )),
                                period.start,
                                period.end
                            ),
                        })
                    }
                })
            }
            _ => continue,
        };
        if let Err(e) = result {
            bad.push(e.to_string());
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{count} evidence documents match their schemas and rules"
        ))
    } else {
        Err(list(&bad).into())
    }
}

pub(super) fn check_sections(index: &Index) -> Outcome {
    if index.is_legacy() {
        return Ok(
            "version 1 pack: the legacy layout (evidence under evidence/), no sections".to_owned(),
        );
    }
    let problems = crate::layout::section_problems(&index.sections, &index.artifacts);
    if problems.is_empty() {
        Ok(format!(
            "{} sections ({}), each present, every artifact under one",
            index.sections.len(),
            index
                .sections
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    } else {
        Err(list(&problems).into())
    }
}

/// How many items a failed check lists (then "and N more").
pub(super) const LISTED: usize = 5;

pub(super) fn list(items: &[String]) -> String {
    let mut s = items
        .iter()
        .take(LISTED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if items.len() > LISTED {
        s.push_str(&format!("; and {} more", items.len() - LISTED));
    }
    s
}

pub(super) fn check_present(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    let missing: Vec<String> = index
        .artifacts
        .iter()
        .filter(|a| !entries.contains_key(&a.path))
        .map(|a| a.path.clone())
        .collect();
    if missing.is_empty() {
        Ok(format!(
            "all {} listed files are in the pack",
            index.artifacts.len()
        ))
    } else {
        Err(Failure::new(format!(
            "listed but not in the pack: {}",
            list(&missing)
        )))
    }
}

pub(super) fn check_sha256(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    let mut bad = Vec::new();
    for a in &index.artifacts {
        if let Some(e) = entries.get(&a.path) {
            let actual = hex::encode(e.sha256);
            if actual != a.sha256 {
                bad.push(format!("{}: listed {}, actual {actual}", a.path, a.sha256));
            }
        }
    }
    if bad.is_empty() {
        Ok("every present listed file has its listed SHA-256".to_owned())
    } else {
        Err(list(&bad).into())
    }
}

pub(super) fn check_size(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    let mut bad = Vec::new();
    for a in &index.artifacts {
        if let Some(e) = entries.get(&a.path) {
            if e.size != a.size {
                bad.push(format!(
                    "{}: listed {} bytes, actual {}",
                    a.path, a.size, e.size
                ));
            }
        }
    }
    if bad.is_empty() {
        Ok("every present listed file has its listed size".to_owned())
    } else {
        Err(list(&bad).into())
    }
}

pub(super) fn check_unlisted(index: &Index, entries: &BTreeMap<String, Entry>) -> Outcome {
    // Up to 10 000 unlisted paths of 1 KiB: count them, copy only the few that are shown.
    let mut unlisted = entries.keys().filter(|p| index.artifact(p).is_none());
    let shown: Vec<String> = unlisted.by_ref().take(LISTED).cloned().collect();
    let more = unlisted.count();
    if shown.is_empty() {
        Ok("no file besides index.json and index.json.sig is unlisted".to_owned())
    } else {
        let mut s = format!("in the pack but not listed: {}", shown.join("; "));
        if more > 0 {
            s.push_str(&format!("; and {more} more"));
        }
        Err(s.into())
    }
}

pub(super) fn check_root(index: &Index) -> Outcome {
    match index.compute_merkle_root() {
        Ok(root) if root.to_hex() == index.merkle_root => Ok(format!(
            "RFC 6962 root over {} artifact entries is {}",
            index.artifacts.len(),
            index.merkle_root
        )),
        Ok(root) => Err(Failure::new(format!(
            "computed {}, index says {}",
            root.to_hex(),
            index.merkle_root
        ))),
        Err(e) => Err(Failure::new(e.to_string())),
    }
}

pub(super) fn check_controls(
    index: &Index,
    entries: &BTreeMap<String, Entry>,
    limits: &Limits,
) -> Outcome {
    let data = entries
        .get(index.control_map_path())
        .and_then(|e| e.data.as_deref())
        .ok_or_else(|| "control-map.csv is missing or over its size budget".to_owned())?;
    let lines = controls::parse(
        index.control_map_path(),
        data,
        limits.max_csv_size,
        limits.max_csv_rows,
    )
    .map_err(|e| e.to_string())?;
    if lines != index.controls {
        return Err(Failure::new(
            "control-map.csv differs from the controls in index.json",
        ));
    }
    let mut bad = Vec::new();
    for (i, c) in index.controls.iter().enumerate() {
        let at = format!("line {} ({} {})", i + 2, c.framework, c.control_id);
        let artifact = index.artifact_named(&c.evidence_path);
        let path = artifact.map_or_else(|| c.evidence_path.clone(), |a| a.path.clone());
        match artifact {
            None => bad.push(format!("{at}: evidence {path} is not listed")),
            Some(a) if a.sha256 != c.evidence_sha256 => bad.push(format!(
                "{at}: evidence_sha256 {} differs from {path}'s {}",
                c.evidence_sha256, a.sha256
            )),
            Some(a) if a.kind != c.evidence_kind => bad.push(format!(
                "{at}: evidence_kind {} differs from {path}'s {}",
                c.evidence_kind, a.kind
            )),
            Some(a) => {
                if entries.get(&path).map(|e| hex::encode(e.sha256)) != Some(a.sha256.clone()) {
                    bad.push(format!(
                        "{at}: the pack's {path} does not have that SHA-256"
                    ));
                }
                // signature_verified and signer_identity are what the index records for the
                // evidence's manifest pair (`true`/`false` and its signers), `n/a` for any
                // other evidence: reports read them, so they must agree with the pair.
                let pair = index
                    .manifest_signatures
                    .iter()
                    .find(|m| m.manifest == a.path);
                let (want, signers) = match pair {
                    Some(m) => (m.verified.to_string(), Some(m.signers.join(";"))),
                    None => ("n/a".to_owned(), None),
                };
                if c.signature_verified != want {
                    bad.push(format!(
                        "{at}: signature_verified {:?} differs from the index's record {want:?}",
                        c.signature_verified
                    ));
                }
                if let Some(signers) = signers {
                    if c.signer_identity != signers {
                        bad.push(format!(
                            "{at}: signer_identity {:?} differs from the manifest pair's signers {signers:?}",
                            c.signer_identity
                        ));
                    }
                }
            }
        }
    }
    if bad.is_empty() {
        Ok(format!(
            "{} control lines resolve to listed evidence with the same SHA-256",
            index.controls.len()
        ))
    } else {
        Err(list(&bad).into())
    }
}
