//! `control-map.csv`: which evidence supports which control.
//!
//! Columns, exactly in this order: framework, framework_version, control_id, control_title,
//! evidence_id, evidence_path, evidence_sha256, evidence_kind, collected_at, period_start,
//! period_end, state, signature_verified, signer_identity, owner, notes; and optionally, last,
//! `narrative` (the control's narrative for the auditors' export, carried into every report).
//!
//! The build fills `evidence_sha256` and `evidence_kind`, and for manifests
//! `signature_verified` (`true`/`false`) and `signer_identity` (the verifying keys' names);
//! for other kinds `signature_verified` is `n/a`. A sha256 already present must match the file.

use serde::{Deserialize, Serialize};

/// The header every control map must have.
pub const COLUMNS: [&str; 16] = [
    "framework",
    "framework_version",
    "control_id",
    "control_title",
    "evidence_id",
    "evidence_path",
    "evidence_sha256",
    "evidence_kind",
    "collected_at",
    "period_start",
    "period_end",
    "state",
    "signature_verified",
    "signer_identity",
    "owner",
    "notes",
];

/// The optional last column.
pub const NARRATIVE: &str = "narrative";

/// Longest field accepted, in bytes.
pub const MAX_FIELD_LEN: usize = 4096;

/// One line of the control map.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct ControlLine {
    pub framework: String,
    pub framework_version: String,
    pub control_id: String,
    pub control_title: String,
    pub evidence_id: String,
    pub evidence_path: String,
    pub evidence_sha256: String,
    pub evidence_kind: String,
    pub collected_at: String,
    pub period_start: String,
    pub period_end: String,
    pub state: String,
    pub signature_verified: String,
    pub signer_identity: String,
    pub owner: String,
    pub notes: String,
    /// The control's narrative (the optional `narrative` column); absent from the index when
    /// empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub narrative: String,
}

/// Why a control map was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ControlMapError {
    /// Larger than the budget.
    #[error("{file}: {size} bytes, more than the limit of {max}")]
    TooLarge {
        file: String,
        size: usize,
        max: usize,
    },
    /// More lines than the budget.
    #[error("{file}: more than {max} control lines")]
    TooManyRows { file: String, max: usize },
    /// The header is not exactly [`COLUMNS`].
    #[error("{file}: header must be exactly `{expected}`, found `{found}`")]
    Header {
        file: String,
        expected: String,
        found: String,
    },
    /// A line cannot be read or has an invalid field.
    #[error("{file} line {line}, field {field}: {reason}")]
    Line {
        file: String,
        line: u64,
        field: String,
        reason: String,
    },
}

impl ControlLine {
    fn from_record(record: &csv::StringRecord) -> Option<ControlLine> {
        let f = |i: usize| record.get(i).map(str::to_owned);
        Some(ControlLine {
            framework: f(0)?,
            framework_version: f(1)?,
            control_id: f(2)?,
            control_title: f(3)?,
            evidence_id: f(4)?,
            evidence_path: f(5)?,
            evidence_sha256: f(6)?,
            evidence_kind: f(7)?,
            collected_at: f(8)?,
            period_start: f(9)?,
            period_end: f(10)?,
            state: f(11)?,
            signature_verified: f(12)?,
            signer_identity: f(13)?,
            owner: f(14)?,
            notes: f(15)?,
            narrative: record.get(16).unwrap_or_default().to_owned(),
        })
    }

    fn fields(&self) -> [&str; 16] {
        [
            &self.framework,
            &self.framework_version,
            &self.control_id,
            &self.control_title,
            &self.evidence_id,
            &self.evidence_path,
            &self.evidence_sha256,
            &self.evidence_kind,
            &self.collected_at,
            &self.period_start,
            &self.period_end,
            &self.state,
            &self.signature_verified,
            &self.signer_identity,
            &self.owner,
            &self.notes,
        ]
    }
}

/// Parses a control map (UTF-8, comma-separated, RFC 4180 quoting, header required).
/// `file` names it in errors.
pub fn parse(
    file: &str,
    bytes: &[u8],
    max_len: usize,
    max_rows: usize,
) -> Result<Vec<ControlLine>, ControlMapError> {
    Ok(parse_numbered(file, bytes, max_len, max_rows)?
        .into_iter()
        .map(|(_, line)| line)
        .collect())
}

/// As [`parse`], with the (1-based) line on which each record starts.
pub fn parse_numbered(
    file: &str,
    bytes: &[u8],
    max_len: usize,
    max_rows: usize,
) -> Result<Vec<(u64, ControlLine)>, ControlMapError> {
    let (lines, mut errors) = parse_numbered_all(file, bytes, max_len, max_rows)?;
    if errors.is_empty() {
        Ok(lines)
    } else {
        Err(errors.swap_remove(0))
    }
}

/// As [`parse_numbered`], reporting every bad line rather than the first: the good lines and
/// the errors of the bad ones (each skipped, reading goes on). A file too large, a bad header
/// or too many lines stop at once (`Err`).
#[allow(clippy::type_complexity)]
pub fn parse_numbered_all(
    file: &str,
    bytes: &[u8],
    max_len: usize,
    max_rows: usize,
) -> Result<(Vec<(u64, ControlLine)>, Vec<ControlMapError>), ControlMapError> {
    let mut errors = Vec::new();
    let lines = parse_lines(file, bytes, max_len, max_rows, &mut errors)?;
    Ok((lines, errors))
}

fn parse_lines(
    file: &str,
    bytes: &[u8],
    max_len: usize,
    max_rows: usize,
    errors: &mut Vec<ControlMapError>,
) -> Result<Vec<(u64, ControlLine)>, ControlMapError> {
    if bytes.len() > max_len {
        return Err(ControlMapError::TooLarge {
            file: file.to_owned(),
            size: bytes.len(),
            max: max_len,
        });
    }
    // A UTF-8 byte-order mark (as spreadsheet exports write) is ignored.
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let header = reader.headers().map_err(|e| ControlMapError::Line {
        file: file.to_owned(),
        line: 1,
        field: "header".to_owned(),
        reason: e.to_string(),
    })?;
    let with_narrative =
        header.len() == COLUMNS.len() + 1 && header.get(COLUMNS.len()) == Some(NARRATIVE);
    if header
        .iter()
        .take(COLUMNS.len())
        .ne(COLUMNS.iter().copied())
        || (header.len() != COLUMNS.len() && !with_narrative)
    {
        return Err(ControlMapError::Header {
            file: file.to_owned(),
            expected: format!("{}[,{NARRATIVE}]", COLUMNS.join(",")),
            found: header.iter().collect::<Vec<_>>().join(","),
        });
    }
    let mut lines = Vec::new();
    for record in reader.records() {
        let line_err = |line: u64, field: &str, reason: String| ControlMapError::Line {
            file: file.to_owned(),
            line,
            field: field.to_owned(),
            reason,
        };
        if lines.len().saturating_add(errors.len()) >= max_rows {
            return Err(ControlMapError::TooManyRows {
                file: file.to_owned(),
                max: max_rows,
            });
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, csv::Position::line);
                let unrecoverable = !matches!(
                    e.kind(),
                    csv::ErrorKind::UnequalLengths { .. } | csv::ErrorKind::Utf8 { .. }
                );
                errors.push(line_err(line, "record", e.to_string()));
                if unrecoverable {
                    // The reader cannot go on after an I/O error (a record of the wrong length or
                    // not UTF-8 is skipped, and reading goes on).
                    return Ok(lines);
                }
                continue;
            }
        };
        let line_no = record.position().map_or(0, csv::Position::line);
        let Some(line) = ControlLine::from_record(&record) else {
            errors.push(line_err(line_no, "record", "expected 16 fields".to_owned()));
            continue;
        };
        let mut bad = false;
        for (name, value) in COLUMNS
            .iter()
            .zip(line.fields())
            .chain([(&NARRATIVE, line.narrative.as_str())])
        {
            if value.len() > MAX_FIELD_LEN {
                errors.push(line_err(line_no, name, "longer than 4096 bytes".to_owned()));
                bad = true;
            }
        }
        for name in ["framework", "control_id", "evidence_path"] {
            let value = COLUMNS
                .iter()
                .zip(line.fields())
                .find(|(n, _)| **n == name)
                .map(|(_, v)| v)
                .unwrap_or_default();
            if value.trim().is_empty() {
                errors.push(line_err(line_no, name, "must not be empty".to_owned()));
                bad = true;
            }
        }
        if !bad {
            lines.push((line_no, line));
        }
    }
    Ok(lines)
}

/// The time a control-map date field names, in Unix seconds: a `YYYY-MM-DD` date at 00:00
/// UTC, or an RFC 3339 time (at its UTC instant); `None` for anything else. One reading of
/// these fields for the build's date checks and the reports.
pub(crate) fn field_seconds(value: &str) -> Option<u64> {
    if value.len() == 10 {
        return crate::names::PackDate::parse(value)
            .ok()
            .map(crate::names::PackDate::unix_seconds);
    }
    u64::try_from(plugin_api::time::parse_rfc3339(value)?).ok()
}

/// Writes a control map: the header and the lines, LF line ends, quoting only where needed.
/// The `narrative` column is written when a line has a narrative.
pub fn write(lines: &[ControlLine]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let narrative = lines.iter().any(|l| !l.narrative.is_empty());
    if narrative {
        writer.write_record(COLUMNS.iter().chain([&NARRATIVE]))?;
    } else {
        writer.write_record(COLUMNS)?;
    }
    for line in lines {
        if narrative {
            writer.write_record(line.fields().iter().chain([&line.narrative.as_str()]))?;
        } else {
            writer.write_record(line.fields())?;
        }
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn round_trip_and_errors() {
        let text = format!(
            "{}\nSOC 2,2017,CC6.1,\"Logical access, \"\"least\"\" privilege\",EV-1,a.json,,,2026-01-01,2026-01-01,2026-03-31,effective,,,sec@acme,\n",
            COLUMNS.join(",")
        );
        let lines = parse("cm.csv", text.as_bytes(), 1 << 20, 10).unwrap();
        assert_eq!(
            lines[0].control_title,
            "Logical access, \"least\" privilege"
        );
        let again = write(&lines).unwrap();
        assert_eq!(parse("cm.csv", &again, 1 << 20, 10).unwrap(), lines);
        assert!(parse("cm.csv", text.as_bytes(), 1 << 20, 0).is_err());
        let short = format!("{}\na,b\n", COLUMNS.join(","));
        let err = parse("cm.csv", short.as_bytes(), 1 << 20, 10).unwrap_err();
        assert!(err.to_string().contains("cm.csv line 2"), "{err}");
        let with_bom = [b"\xef\xbb\xbf".as_slice(), text.as_bytes()].concat();
        assert_eq!(parse("cm.csv", &with_bom, 1 << 20, 10).unwrap(), lines);
        let err = parse("cm.csv", b"framework,x\n", 1 << 20, 10).unwrap_err();
        assert!(matches!(err, ControlMapError::Header { .. }));
        // The optional narrative column: read, written back only when a line has one.
        let narrated = format!(
            "{},{NARRATIVE}\nSOC 2,2017,CC6.1,t,EV-1,a.json,,,,,,effective,,,,,\"Reviewed quarterly; see \"\"access\"\".\"\nSOC 2,2017,CC6.2,t,EV-2,b.json,,,,,,effective,,,,,\n",
            COLUMNS.join(",")
        );
        let lines = parse("cm.csv", narrated.as_bytes(), 1 << 20, 10).unwrap();
        assert_eq!(lines[0].narrative, "Reviewed quarterly; see \"access\".");
        let again = write(&lines).unwrap();
        assert!(String::from_utf8_lossy(&again)
            .starts_with(&format!("{},{NARRATIVE}\n", COLUMNS.join(","))));
        assert_eq!(parse("cm.csv", &again, 1 << 20, 10).unwrap(), lines);
        let plain = write(&[ControlLine {
            narrative: String::new(),
            ..lines[0].clone()
        }])
        .unwrap();
        assert!(!String::from_utf8_lossy(&plain).contains(NARRATIVE));
        for header in [
            format!("{},notes2", COLUMNS.join(",")),
            format!("{},{NARRATIVE},x", COLUMNS.join(",")),
        ] {
            let err = parse("cm.csv", format!("{header}\n").as_bytes(), 1 << 20, 10).unwrap_err();
            assert!(matches!(err, ControlMapError::Header { .. }), "{header}");
        }
    }
}
