//! C2SP transparency-log checkpoints (<https://c2sp.org/tlog-checkpoint>).
//!
//! A checkpoint is the text of a [signed note](crate::note):
//!
//! ```text
//! <origin>
//! <tree size, decimal uint64 without leading zeros>
//! <root hash, padded standard base64 of 32 bytes>
//! [extension lines, each non-empty]
//! ```
//!
//! [`Checkpoint::parse_body`] parses the text alone; [`open`] verifies the note first, then parses
//! its text and optionally checks the origin. Only [`open`] yields a [`VerifiedCheckpoint`].

use crate::hash::{Hash, HASH_LEN};
use crate::note::{self, excerpt, NoteError, VerifierKey, MAX_NOTE_SIZE};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// A checkpoint could not be opened or parsed. Each variant names the stage and line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckpointError {
    /// The signed note around the checkpoint did not verify.
    #[error("checkpoint note: {0}")]
    Note(#[from] NoteError),
    /// The body is larger than the note size limit.
    #[error("checkpoint body is {size} bytes, more than the limit of {max}")]
    TooLarge { size: usize, max: usize },
    /// The body does not end in a newline.
    #[error("checkpoint body does not end in a newline")]
    NoFinalNewline,
    /// Fewer than the three required lines.
    #[error("checkpoint body has {lines} line(s); origin, size and root hash lines are required")]
    TooFewLines { lines: usize },
    /// An ASCII control character other than newline.
    #[error("checkpoint body has control character U+{code:04X} on line {line}")]
    ControlCharacter { line: usize, code: u32 },
    /// The origin line (line 1) is empty.
    #[error("origin line (line 1) is empty")]
    EmptyOrigin,
    /// The size line (line 2) is not a canonical decimal uint64.
    #[error("size line (line 2) {value:?} is invalid: {reason}")]
    InvalidSize { value: String, reason: &'static str },
    /// The root hash line (line 3) is not padded standard base64 of 32 bytes.
    #[error("root hash line (line 3) {value:?} is invalid: {reason}")]
    InvalidRoot { value: String, reason: String },
    /// An extension line (line 4 onwards) is empty.
    #[error("extension line (line {line}) is empty")]
    EmptyExtension { line: usize },
    /// The origin is not the one expected.
    #[error("checkpoint origin {found:?} is not the expected origin {expected:?}")]
    OriginMismatch { expected: String, found: String },
    /// Writing: a field cannot be written as a checkpoint line.
    #[error("cannot write checkpoint: {field} {reason}")]
    Unencodable { field: String, reason: &'static str },
}

impl CheckpointError {
    /// A stable, machine-readable name for the failed check, used as a check id suffix. Errors of
    /// the signed note keep the note's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            CheckpointError::Note(e) => e.kind(),
            CheckpointError::TooLarge { .. } => "checkpoint-too-large",
            CheckpointError::NoFinalNewline => "checkpoint-no-final-newline",
            CheckpointError::TooFewLines { .. } => "checkpoint-too-few-lines",
            CheckpointError::ControlCharacter { .. } => "checkpoint-control-character",
            CheckpointError::EmptyOrigin => "empty-origin",
            CheckpointError::InvalidSize { .. } => "invalid-size",
            CheckpointError::InvalidRoot { .. } => "invalid-root",
            CheckpointError::EmptyExtension { .. } => "empty-extension",
            CheckpointError::OriginMismatch { .. } => "origin-mismatch",
            CheckpointError::Unencodable { .. } => "unencodable-checkpoint",
        }
    }

    /// True when the input is not a signed checkpoint at all (not a signed note, or signed
    /// text that is not a checkpoint body): malformed input, as opposed to a checkpoint that
    /// does not verify.
    pub fn is_malformed(&self) -> bool {
        match self {
            CheckpointError::Note(n) => n.is_malformed(),
            other => other.is_malformed_body(),
        }
    }

    /// True when the signed text is not a well-formed checkpoint body.
    pub fn is_malformed_body(&self) -> bool {
        matches!(
            self,
            CheckpointError::TooLarge { .. }
                | CheckpointError::NoFinalNewline
                | CheckpointError::TooFewLines { .. }
                | CheckpointError::ControlCharacter { .. }
                | CheckpointError::EmptyOrigin
                | CheckpointError::InvalidSize { .. }
                | CheckpointError::InvalidRoot { .. }
                | CheckpointError::EmptyExtension { .. }
        )
    }
}

/// A parsed checkpoint body. Parsing alone proves nothing: see [`open`] and
/// [`VerifiedCheckpoint`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Checkpoint {
    /// The log's origin line.
    pub origin: String,
    /// The tree size.
    pub size: u64,
    /// The root hash of the tree of that size.
    pub root: Hash,
    /// Extension lines after the root hash, without their newlines.
    pub extensions: Vec<String>,
}

/// A canonical decimal uint64: digits only, no leading zero (except "0"), at most 2^64 - 1.
fn parse_size(value: &str) -> Result<u64, CheckpointError> {
    let invalid = |reason| CheckpointError::InvalidSize {
        value: excerpt(value),
        reason,
    };
    if value.is_empty() {
        return Err(invalid("empty"));
    }
    if !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid("not all decimal digits"));
    }
    if value.len() > 1 && value.starts_with('0') {
        return Err(invalid("leading zero"));
    }
    value
        .parse::<u64>()
        .map_err(|_| invalid("larger than 2^64 - 1"))
}

fn parse_root(value: &str) -> Result<Hash, CheckpointError> {
    let invalid = |reason: String| CheckpointError::InvalidRoot {
        value: excerpt(value),
        reason,
    };
    let bytes = STANDARD
        .decode(value)
        .map_err(|e| invalid(format!("not padded standard base64: {e}")))?;
    Hash::from_slice(&bytes).map_err(|_| {
        invalid(format!(
            "decodes to {} bytes, expected {HASH_LEN}",
            bytes.len()
        ))
    })
}

/// Why a field cannot be a checkpoint line, if it cannot.
fn line_problem(value: &str) -> Option<&'static str> {
    if value.is_empty() {
        Some("is empty")
    } else if value.contains('\n') {
        Some("contains a newline")
    } else if value.chars().any(|c| c < ' ') {
        Some("contains a control character")
    } else {
        None
    }
}

impl Checkpoint {
    /// Parses checkpoint note text (the text of a note, ending in a newline).
    pub fn parse_body(text: &str) -> Result<Self, CheckpointError> {
        if text.len() > MAX_NOTE_SIZE {
            return Err(CheckpointError::TooLarge {
                size: text.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        let body = text
            .strip_suffix('\n')
            .ok_or(CheckpointError::NoFinalNewline)?;
        let mut line_no = 0usize;
        for line in body.split('\n') {
            line_no = line_no.saturating_add(1);
            if let Some(c) = line.chars().find(|&c| c < ' ') {
                return Err(CheckpointError::ControlCharacter {
                    line: line_no,
                    code: u32::from(c),
                });
            }
        }
        let mut lines = body.split('\n');
        let (Some(origin), Some(size), Some(root)) = (lines.next(), lines.next(), lines.next())
        else {
            return Err(CheckpointError::TooFewLines { lines: line_no });
        };
        if origin.is_empty() {
            return Err(CheckpointError::EmptyOrigin);
        }
        let size = parse_size(size)?;
        let root = parse_root(root)?;
        let mut extensions = Vec::new();
        for (i, ext) in lines.enumerate() {
            if ext.is_empty() {
                return Err(CheckpointError::EmptyExtension {
                    line: i.saturating_add(4),
                });
            }
            extensions.push(ext.to_owned());
        }
        Ok(Checkpoint {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The checkpoint body text, ending in a newline, ready to be signed as a note. Fails if the
    /// origin or an extension line is empty or has a newline or other control character, so that
    /// the result always parses back to `self`.
    pub fn to_body(&self) -> Result<String, CheckpointError> {
        if let Some(reason) = line_problem(&self.origin) {
            return Err(CheckpointError::Unencodable {
                field: "origin".to_owned(),
                reason,
            });
        }
        for (i, ext) in self.extensions.iter().enumerate() {
            if let Some(reason) = line_problem(ext) {
                return Err(CheckpointError::Unencodable {
                    field: format!("extension line {}", i.saturating_add(4)),
                    reason,
                });
            }
        }
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            STANDARD.encode(self.root.as_bytes())
        );
        for ext in &self.extensions {
            body.push_str(ext);
            body.push('\n');
        }
        if body.len() > MAX_NOTE_SIZE {
            return Err(CheckpointError::TooLarge {
                size: body.len(),
                max: MAX_NOTE_SIZE,
            });
        }
        Ok(body)
    }
}

/// A checkpoint from a signed note whose signatures verified. Only [`open`] can produce one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedCheckpoint {
    checkpoint: Checkpoint,
    verified: Vec<String>,
}

impl VerifiedCheckpoint {
    /// The verified checkpoint.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.checkpoint
    }

    /// Names of the trusted keys whose signatures verified, each once, in signature order.
    pub fn verified(&self) -> &[String] {
        &self.verified
    }

    /// The checkpoint, taking ownership.
    pub fn into_checkpoint(self) -> Checkpoint {
        self.checkpoint
    }
}

/// Opens a signed checkpoint: verifies the note against `keys` (see [`note::open`]), parses its
/// text as a checkpoint body and, if `expected_origin` is given, requires the origin to equal it.
pub fn open(
    note_bytes: &[u8],
    keys: &[VerifierKey],
    expected_origin: Option<&str>,
) -> Result<VerifiedCheckpoint, CheckpointError> {
    let note = note::open(note_bytes, keys)?;
    let checkpoint = Checkpoint::parse_body(note.text())?;
    if let Some(expected) = expected_origin {
        if checkpoint.origin != expected {
            return Err(CheckpointError::OriginMismatch {
                expected: expected.to_owned(),
                found: excerpt(&checkpoint.origin),
            });
        }
    }
    Ok(VerifiedCheckpoint {
        checkpoint,
        verified: note.verified().to_vec(),
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )]
    use super::*;
    use crate::note::Signer;
    use proptest::prelude::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            origin: "example.com/log".to_owned(),
            size: 12345,
            root: crate::hash::leaf_hash(b"root"),
            extensions: vec!["Timestamp: 1".to_owned()],
        }
    }

    fn log_signer() -> Signer {
        Signer::from_seed("example.com/log", [9; 32]).unwrap()
    }

    #[test]
    fn body_round_trips() {
        let cp = sample();
        let body = cp.to_body().unwrap();
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), cp);
        let mut plain = cp.clone();
        plain.extensions.clear();
        plain.size = u64::MAX;
        assert_eq!(
            Checkpoint::parse_body(&plain.to_body().unwrap()).unwrap(),
            plain
        );
    }

    #[test]
    fn to_body_refuses_unparseable_fields() {
        let mut cp = sample();
        cp.origin = String::new();
        assert_eq!(cp.to_body().unwrap_err().kind(), "unencodable-checkpoint");
        let mut cp = sample();
        cp.origin = "a\nb".to_owned();
        assert!(cp.to_body().is_err());
        let mut cp = sample();
        cp.extensions.push(String::new());
        assert!(cp.to_body().unwrap_err().to_string().contains("line 5"));
        let mut cp = sample();
        cp.extensions.push("tab\there".to_owned());
        assert!(cp.to_body().is_err());
    }

    #[test]
    fn sign_open_and_check_origin() {
        let s = log_signer();
        let note = s.sign_note(&sample().to_body().unwrap()).unwrap();
        let keys = [s.to_verifier_key()];
        let v = open(note.as_bytes(), &keys, Some("example.com/log")).unwrap();
        assert_eq!(v.checkpoint(), &sample());
        assert_eq!(v.verified(), ["example.com/log".to_owned()]);
        assert_eq!(open(note.as_bytes(), &keys, None).unwrap(), v);
        let e = open(note.as_bytes(), &keys, Some("example.com/other")).unwrap_err();
        assert_eq!(e.kind(), "origin-mismatch");
        let e = open(note.as_bytes(), &[], None).unwrap_err();
        assert_eq!(e.kind(), "no-known-signature");
    }

    #[test]
    fn signed_but_malformed_body_is_rejected() {
        let s = log_signer();
        let keys = [s.to_verifier_key()];
        for (text, kind, line) in [
            ("o\n01\nAAAA\n", "invalid-size", "line 2"),
            ("o\n1\nAAAA\n", "invalid-root", "line 3"),
            ("o\n1\n", "checkpoint-too-few-lines", "line"),
            (
                "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n",
                "empty-extension",
                "line 4",
            ),
        ] {
            let note = s.sign_note(text).unwrap();
            let e = open(note.as_bytes(), &keys, None).unwrap_err();
            assert_eq!(e.kind(), kind, "{text:?}: {e}");
            assert!(e.is_malformed_body());
            assert!(e.to_string().contains(line), "{e}");
        }
    }

    #[test]
    fn parse_body_rejects_control_characters() {
        let e = Checkpoint::parse_body("o\r\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
            .unwrap_err();
        assert_eq!(
            e,
            CheckpointError::ControlCharacter {
                line: 1,
                code: 0x0d
            }
        );
        let huge = "o\n".repeat(MAX_NOTE_SIZE);
        assert_eq!(
            Checkpoint::parse_body(&huge).unwrap_err().kind(),
            "checkpoint-too-large"
        );
    }

    proptest! {
        /// Changing any single byte of a signed checkpoint note (one trusted key, so no byte lies
        /// in an ignorable unknown-key signature) makes `open` fail; in any case it never yields
        /// a different verified checkpoint.
        #[test]
        fn any_single_byte_change_is_rejected(pos in any::<prop::sample::Index>(), delta in 1u8..=255) {
            let s = log_signer();
            let original = sample();
            let note = s.sign_note(&original.to_body().unwrap()).unwrap();
            let keys = [s.to_verifier_key()];
            let mut bytes = note.into_bytes();
            let i = pos.index(bytes.len());
            bytes[i] ^= delta;
            let result = open(&bytes, &keys, None);
            if let Ok(v) = &result {
                prop_assert_eq!(v.checkpoint(), &original);
            }
            prop_assert!(result.is_err(), "byte {} changed and the note still opened", i);
        }

        /// Truncating or extending a signed note never opens to a different checkpoint.
        #[test]
        fn truncation_is_rejected(cut in any::<prop::sample::Index>()) {
            let s = log_signer();
            let note = s.sign_note(&sample().to_body().unwrap()).unwrap();
            let bytes = note.as_bytes();
            let n = cut.index(bytes.len());
            prop_assert!(open(&bytes[..n], &[s.to_verifier_key()], None).is_err());
        }
    }

    /// Exhaustive version of the property above for one note: every position, every value.
    #[test]
    fn every_single_byte_change_is_rejected() {
        let s = log_signer();
        let note = s.sign_note(&sample().to_body().unwrap()).unwrap();
        let keys = [s.to_verifier_key()];
        let bytes = note.into_bytes();
        for i in 0..bytes.len() {
            for delta in [0x01u8, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xff] {
                let mut m = bytes.clone();
                m[i] ^= delta;
                assert!(open(&m, &keys, None).is_err(), "byte {i} ^ {delta:#x}");
            }
        }
    }
}
