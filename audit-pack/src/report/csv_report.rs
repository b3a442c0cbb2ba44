//! The CSV report: the control map's sixteen columns, then `verification_status`,
//! `merkle_leaf_index` and `pack_sha256` on every line.
//!
//! Spreadsheet safety: a cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is
//! written with a leading `'` so that opening the file cannot run a formula (OWASP "CSV
//! injection"). The data itself is in the JSON report and in the pack, unaltered.

use super::{line_status, ReportError, ReportInput};
use crate::controls::COLUMNS;
use crate::index::EVIDENCE_PREFIX;

/// Columns appended to the control map's.
pub const CSV_EXTRA_COLUMNS: [&str; 3] =
    ["verification_status", "merkle_leaf_index", "pack_sha256"];

fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    }
}

/// The CSV report (LF line ends, minimal quoting).
pub fn to_csv(input: &ReportInput<'_>) -> Result<String, ReportError> {
    let err = |reason: String| ReportError::Write {
        format: "csv",
        reason,
    };
    let index = input.pack.index();
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    let header: Vec<&str> = COLUMNS
        .iter()
        .chain(CSV_EXTRA_COLUMNS.iter())
        .copied()
        .collect();
    w.write_record(&header).map_err(|e| err(e.to_string()))?;
    for line in &index.controls {
        let path = format!("{EVIDENCE_PREFIX}{}", line.evidence_path);
        let leaf = index
            .artifacts
            .binary_search_by(|a| a.path.as_bytes().cmp(path.as_bytes()))
            .map(|i| i.to_string())
            .ok()
            .ok_or_else(|| err(format!("control {}: {path} is not listed", line.control_id)))?;
        let fields = [
            &line.framework,
            &line.framework_version,
            &line.control_id,
            &line.control_title,
            &line.evidence_id,
            &line.evidence_path,
            &line.evidence_sha256,
            &line.evidence_kind,
            &line.collected_at,
            &line.period_start,
            &line.period_end,
            &line.state,
            &line.signature_verified,
            &line.signer_identity,
            &line.owner,
            &line.notes,
        ];
        let mut record: Vec<String> = fields.iter().map(|f| cell(f)).collect();
        record.push(line_status(&line.signature_verified).to_owned());
        record.push(leaf);
        record.push(input.pack_sha256.to_owned());
        w.write_record(&record).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}
