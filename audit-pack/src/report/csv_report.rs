//! The CSV report: the control map's sixteen columns and `narrative` (empty when the control
//! map has none), then `verification_status`, `merkle_leaf_index` and `pack_sha256` on every
//! line.
//!
//! Spreadsheet safety (OWASP "CSV injection"): every cell of the control map is passed through
//! [`spreadsheet_safe`], which prefixes `'` to a cell that starts with a control character
//! (tab, CR, LF, NUL, …) or whose first character that is not blank (whitespace, control or
//! invisible formatting character) is a formula trigger: `=`, `+`, `-`, `@`, their
//! full-width (`＝ ＋ － ＠`) and small forms, or U+2212 MINUS SIGN. Spreadsheets skip
//! leading blanks before a formula, and some read the full-width forms as the ASCII ones, so
//! `" =cmd|…"`, `"\t=…"` and `"＝…"` are neutralised like `"=…"`. Cells are quoted by the
//! CSV writer where needed (RFC 4180: embedded quotes doubled). The data itself is in the
//! JSON report and in the pack, unaltered.

use super::{line_status, ReportError, ReportInput};
use crate::controls::{COLUMNS, NARRATIVE};
use std::borrow::Cow;

/// Columns appended to the control map's.
pub const CSV_EXTRA_COLUMNS: [&str; 3] =
    ["verification_status", "merkle_leaf_index", "pack_sha256"];

/// Characters a spreadsheet may take as the start of a formula.
pub const FORMULA_TRIGGERS: [char; 13] = [
    '=', '+', '-', '@', // ASCII
    '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}', // full-width ＝ ＋ － ＠
    '\u{FE66}', '\u{FE62}', '\u{FE63}', '\u{FE6B}', // small ﹦ ﹢ ﹣ ﹫
    '\u{2212}', // MINUS SIGN
];

/// Whether a spreadsheet may skip `c` before a formula: whitespace (including NUL-like
/// controls and U+3000 IDEOGRAPHIC SPACE) or an invisible formatting character (zero-width
/// spaces and joiners, direction marks, word joiner, byte-order mark, soft hyphen).
pub fn is_blank(c: char) -> bool {
    c.is_whitespace()
        || c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206F}'
                | '\u{FEFF}'
        )
}

/// `value` as a CSV cell that no spreadsheet reads as a formula: unchanged, or with a leading
/// `'` when it starts with a control character or its first non-blank character
/// ([`is_blank`]) is one of [`FORMULA_TRIGGERS`].
pub fn spreadsheet_safe(value: &str) -> Cow<'_, str> {
    let starts_with_control = value.chars().next().is_some_and(char::is_control);
    let first_visible = value.chars().find(|c| !is_blank(*c));
    if starts_with_control || first_visible.is_some_and(|c| FORMULA_TRIGGERS.contains(&c)) {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
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
        .chain([&NARRATIVE])
        .chain(CSV_EXTRA_COLUMNS.iter())
        .copied()
        .collect();
    w.write_record(&header).map_err(|e| err(e.to_string()))?;
    for line in &index.controls {
        let path = index
            .artifact_named(&line.evidence_path)
            .map_or_else(|| line.evidence_path.clone(), |a| a.path.clone());
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
            &line.narrative,
        ];
        let mut record: Vec<String> = fields
            .iter()
            .map(|f| spreadsheet_safe(f).into_owned())
            .collect();
        record.push(line_status(index, &line.signature_verified));
        record.push(leaf);
        record.push(input.pack_sha256.to_owned());
        w.write_record(&record).map_err(|e| err(e.to_string()))?;
    }
    let bytes = w.into_inner().map_err(|e| err(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| err(e.to_string()))
}
