//! `--kinds FILE`: explicit kinds for evidence files, by glob.
//!
//! One rule per line, `GLOB KIND` (separated by spaces or tabs); blank lines and lines
//! starting with `#` are ignored. A glob is matched against the file's path in the evidence
//! folder (`/`-separated): `*` and `?` stay within one path component, `**` spans any
//! number of them, `[...]` is a class. Every rule must match at least one file (a rule that
//! matches nothing is a typo until shown otherwise), and two rules that match the same file
//! must give the same kind. Manifests and their signatures are paired by name and cannot be
//! mapped; neither can the control map.

use crate::kind::Kind;

/// Largest `--kinds` file.
pub const MAX_KINDS_FILE: usize = 64 << 10;
/// Most rules in it.
pub const MAX_RULES: usize = 1000;

/// One rule of a kinds file.
#[derive(Debug, Clone)]
pub struct KindRule {
    /// Its line number (1-based).
    pub line: usize,
    /// The glob as written.
    pub glob: String,
    /// The kind it gives.
    pub kind: Kind,
    matcher: globset::GlobMatcher,
}

/// A parsed kinds file.
#[derive(Debug, Clone, Default)]
pub struct KindsFile {
    /// Where it was read from (for messages).
    pub source: String,
    /// Its rules, in file order.
    pub rules: Vec<KindRule>,
}

/// Why a kinds file was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KindsFileError {
    /// Over a budget, or not UTF-8.
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// A line is not `GLOB KIND` with a valid glob and a kind that can be mapped.
    #[error("{file} line {line}: {reason}")]
    Line {
        file: String,
        line: usize,
        reason: String,
    },
}

/// Whether a kind may be given explicitly (by `--kinds` or the control map's `evidence_kind`).
pub(crate) fn mappable(kind: Kind) -> bool {
    !matches!(
        kind,
        Kind::ControlMap | Kind::Manifest | Kind::ManifestSignature
    )
}

/// The kinds that can be mapped, for messages.
pub(crate) fn mappable_names() -> String {
    Kind::ALL
        .iter()
        .filter(|k| mappable(**k))
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

impl KindRule {
    /// Whether the rule's glob matches the evidence path `name`.
    pub fn is_match(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

impl KindsFile {
    /// Parses the text of a kinds file read from `source`.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<KindsFile, KindsFileError> {
        let file_err = |reason: String| KindsFileError::File {
            file: source.to_owned(),
            reason,
        };
        if bytes.len() > MAX_KINDS_FILE {
            return Err(file_err(format!(
                "{} bytes, more than the limit of {MAX_KINDS_FILE}",
                bytes.len()
            )));
        }
        let text = std::str::from_utf8(bytes).map_err(|_| file_err("not UTF-8".to_owned()))?;
        let mut rules = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i.saturating_add(1);
            let bad = |reason: String| KindsFileError::Line {
                file: source.to_owned(),
                line,
                reason,
            };
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = trimmed.split_whitespace().collect();
            let [glob, kind] = fields.as_slice() else {
                return Err(bad(format!(
                    "expected `GLOB KIND`, found {} fields",
                    fields.len()
                )));
            };
            let kind = Kind::from_name(kind)
                .filter(|k| mappable(*k))
                .ok_or_else(|| {
                    bad(format!(
                        "{kind:?} is not a kind that can be mapped ({})",
                        mappable_names()
                    ))
                })?;
            if glob.starts_with('/') || glob.split('/').any(|c| c == "..") {
                return Err(bad(format!(
                    "{glob:?}: globs are relative to the evidence folder, without `..`"
                )));
            }
            let matcher = globset::GlobBuilder::new(glob)
                .literal_separator(true)
                .backslash_escape(true)
                .build()
                .map_err(|e| bad(format!("{glob:?} is not a valid glob: {e}")))?
                .compile_matcher();
            if rules.len() >= MAX_RULES {
                return Err(bad(format!("more than {MAX_RULES} rules")));
            }
            rules.push(KindRule {
                line,
                glob: (*glob).to_owned(),
                kind,
                matcher,
            });
        }
        Ok(KindsFile {
            source: source.to_owned(),
            rules,
        })
    }

    /// The rules that match the evidence path `name`.
    pub fn matching<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a KindRule> + 'a {
        self.rules.iter().filter(move |r| r.is_match(name))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn rules() {
        let k = KindsFile::parse(
            "kinds.txt",
            b"# comment\n\nfinance/*.csv budget-dashboard\ndr/**/*.json\tdr-approval\n",
        )
        .unwrap();
        assert_eq!(k.rules.len(), 2);
        let kinds = |n: &str| k.matching(n).map(|r| r.kind).collect::<Vec<_>>();
        assert_eq!(kinds("finance/2026-10.csv"), [Kind::BudgetDashboard]);
        assert!(kinds("finance/sub/2026-10.csv").is_empty());
        assert_eq!(kinds("dr/a/b/restore.json"), [Kind::DrApproval]);
        for (text, why) in [
            ("a.json", "expected `GLOB KIND`"),
            ("a.json slo", "is not a kind that can be mapped"),
            ("a.json manifest", "is not a kind that can be mapped"),
            ("../a.json other", "without `..`"),
            ("a[.json other", "is not a valid glob"),
        ] {
            let e = KindsFile::parse("k", text.as_bytes())
                .unwrap_err()
                .to_string();
            assert!(e.contains(why) && e.contains("k line 1"), "{text}: {e}");
        }
    }
}
