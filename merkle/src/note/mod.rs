//! C2SP signed notes (<https://c2sp.org/signed-note>) with Ed25519 keys.
//!
//! A signed note is a text ending in a newline, a blank line, and one or more signature lines
//! `— <key name> base64(key ID ‖ signature)`. [`open`] checks a note against a set of trusted
//! [`VerifierKey`]s with the rules of the C2SP specification and golang.org/x/mod's `note.Open`:
//!
//! * the note is valid UTF-8 without ASCII control characters other than newline, and ends in a
//!   newline; the text is everything up to and including the newline before the *last* blank line;
//! * every line after that blank line is a well-formed signature line;
//! * signatures whose (key name, key ID) pair matches no trusted key are ignored;
//! * every signature from a trusted key must verify (one bad one rejects the whole note), and at
//!   least one must.
//!
//! Only [`VerifiedNote`] carries text whose signatures were checked; it cannot be built any other
//! way. [`Signer`] produces signature lines and notes (for tests and for logs written later).
//!
//! Base64 is decoded strictly (RFC 4648 standard alphabet, canonical padding, no non-zero trailing
//! bits), so two different byte strings never decode to the same signature.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::signature::{Ed25519KeyPair, UnparsedPublicKey, ED25519};
use sha2::{Digest, Sha256};
use std::fmt;

/// The largest note [`open`] accepts, in bytes (1 MiB).
pub const MAX_NOTE_SIZE: usize = 1 << 20;
/// The most signature lines [`open`] accepts in one note. The specification requires at least 16.
pub const MAX_SIGNATURES: usize = 100;
/// The longest verifier-key string [`VerifierKey::parse`] accepts, in bytes.
pub const MAX_VERIFIER_KEY_LEN: usize = 1024;
/// The signature type byte of Ed25519 keys (the only type supported here).
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;
/// What every signature line starts with: an em dash (U+2014) and a space.
pub const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// Length of an Ed25519 public key.
const PUBLIC_KEY_LEN: usize = 32;
/// Key ID (4 bytes) plus at least one signature byte.
const MIN_SIGNATURE_BYTES: usize = 5;
/// Longest excerpt of attacker-supplied text quoted in an error message.
const EXCERPT_CHARS: usize = 64;

/// A verifier-key string could not be parsed, or names an unsupported key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifierKeyError {
    /// Longer than [`MAX_VERIFIER_KEY_LEN`].
    #[error("verifier key is {len} bytes, more than the limit of {max}")]
    TooLong { len: usize, max: usize },
    /// Not of the form `name+keyid+key`.
    #[error("verifier key is not of the form <name>+<8 hex digit key ID>+<base64 key>")]
    MissingParts,
    /// The key name is empty or has a '+', whitespace or a control character.
    #[error("key name {name:?} is invalid: {reason}")]
    InvalidName { name: String, reason: &'static str },
    /// The key ID is not exactly 8 lowercase hex digits.
    #[error("key ID {value:?} of key {name:?} is not 8 lowercase hex digits")]
    InvalidKeyId { name: String, value: String },
    /// The key is not padded standard base64.
    #[error("key of {name:?} is not padded standard base64: {reason}")]
    KeyNotBase64 { name: String, reason: String },
    /// The key decodes to nothing.
    #[error("key of {name:?} is empty")]
    EmptyKey { name: String },
    /// The signature type byte is not 0x01 (Ed25519).
    #[error(
        "key of {name:?} has signature type 0x{key_type:02x}; only Ed25519 (0x01) is supported"
    )]
    UnsupportedKeyType { name: String, key_type: u8 },
    /// The Ed25519 public key is not 32 bytes.
    #[error("Ed25519 key of {name:?} is {len} bytes, expected 32")]
    WrongKeyLength { name: String, len: usize },
    /// The stated key ID is not `SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[:4]`.
    #[error("key ID {stated} of key {name:?} does not match the key, which has key ID {computed}")]
    KeyIdMismatch {
        name: String,
        stated: String,
        computed: String,
    },
}

/// A note could not be opened (or signed). Each variant names what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoteError {
    /// The note is larger than [`MAX_NOTE_SIZE`].
    #[error("note is {size} bytes, more than the limit of {max}")]
    TooLarge { size: usize, max: usize },
    /// The note is not valid UTF-8.
    #[error("note is not valid UTF-8 (at byte {offset})")]
    InvalidUtf8 { offset: usize },
    /// The note has an ASCII control character other than newline.
    #[error("note has control character U+{code:04X} on line {line} (byte {offset})")]
    ControlCharacter {
        line: usize,
        offset: usize,
        code: u32,
    },
    /// No blank line separates the text from the signatures.
    #[error("note has no blank line before a signature block")]
    NoSignatureBlock,
    /// Nothing follows the last blank line, or the note does not end in a newline.
    #[error("signature block after the last blank line is empty or does not end in a newline")]
    MalformedSignatureBlock,
    /// More than [`MAX_SIGNATURES`] signature lines.
    #[error("note has {count} signature lines, more than the limit of {max}")]
    TooManySignatures { count: usize, max: usize },
    /// A line of the signature block is not `— <name> <base64>`.
    #[error("signature line {line} is malformed: {reason}")]
    MalformedSignatureLine { line: usize, reason: String },
    /// A signature from a trusted key (name and key ID both match) does not verify.
    #[error("signature on line {line} from trusted key {name}+{key_id} does not verify")]
    InvalidSignature {
        line: usize,
        name: String,
        key_id: String,
    },
    /// No signature is from a trusted key.
    #[error(
        "no signature from a trusted key ({unknown} signature(s) from unknown keys ignored, {trusted} trusted key(s) configured)"
    )]
    NoKnownSignature { unknown: usize, trusted: usize },
    /// Signing: the text cannot be the text of a note.
    #[error("cannot sign: {reason}")]
    InvalidText { reason: String },
    /// Signing: the signer's name or seed is unusable.
    #[error("invalid signer {name:?}: {reason}")]
    InvalidSigner { name: String, reason: String },
}

impl NoteError {
    /// A stable, machine-readable name for the failed check, used as a check id suffix.
    pub fn kind(&self) -> &'static str {
        match self {
            NoteError::TooLarge { .. } => "note-too-large",
            NoteError::InvalidUtf8 { .. } => "invalid-utf8",
            NoteError::ControlCharacter { .. } => "control-character",
            NoteError::NoSignatureBlock => "no-signature-block",
            NoteError::MalformedSignatureBlock => "malformed-signature-block",
            NoteError::TooManySignatures { .. } => "too-many-signatures",
            NoteError::MalformedSignatureLine { .. } => "malformed-signature-line",
            NoteError::InvalidSignature { .. } => "invalid-signature",
            NoteError::NoKnownSignature { .. } => "no-known-signature",
            NoteError::InvalidText { .. } => "invalid-text",
            NoteError::InvalidSigner { .. } => "invalid-signer",
        }
    }

    /// True when the note is not a well-formed signed note at all (as opposed to well formed but
    /// not verifiable with the trusted keys).
    pub fn is_malformed(&self) -> bool {
        matches!(
            self,
            NoteError::TooLarge { .. }
                | NoteError::InvalidUtf8 { .. }
                | NoteError::ControlCharacter { .. }
                | NoteError::NoSignatureBlock
                | NoteError::MalformedSignatureBlock
                | NoteError::TooManySignatures { .. }
                | NoteError::MalformedSignatureLine { .. }
        )
    }
}

/// Why a key name is invalid, if it is: names are non-empty and have no '+', no Unicode
/// whitespace and no ASCII control character.
pub fn key_name_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("empty")
    } else if name.contains('+') {
        Some("contains '+'")
    } else if name.chars().any(char::is_whitespace) {
        Some("contains whitespace")
    } else if name.chars().any(|c| c < ' ') {
        Some("contains a control character")
    } else {
        None
    }
}

/// At most [`EXCERPT_CHARS`] characters of `s`, for error messages.
pub(crate) fn excerpt(s: &str) -> String {
    match s.char_indices().nth(EXCERPT_CHARS) {
        Some((cut, _)) => format!("{}…", s.get(..cut).unwrap_or_default()),
        None => s.to_owned(),
    }
}

pub mod keyfile;
mod signer;
mod verifier_key;

pub use signer::{
    parse_private_key, private_key_string, signer_from_private_key, Signer, MAX_PRIVATE_KEY_LEN,
    PRIVATE_KEY_PREFIX,
};
pub use verifier_key::{key_id, VerifierKey};

/// Note text whose signatures were verified by [`open`]. Only [`open`] can produce one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    text: String,
    verified: Vec<String>,
}

impl VerifiedNote {
    /// The signed text, including its final newline (without the blank line and signatures).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Names of the trusted keys whose signatures verified, each once, in signature order.
    pub fn verified(&self) -> &[String] {
        &self.verified
    }

    /// The signed text, taking ownership.
    pub fn into_text(self) -> String {
        self.text
    }
}

/// The 1-based line and the byte offset of the first ASCII control character other than
/// newline, with its code point.
fn find_control_character(s: &str) -> Option<(usize, usize, u32)> {
    let mut line = 1usize;
    for (offset, c) in s.char_indices() {
        if c == '\n' {
            line = line.saturating_add(1);
        } else if c < ' ' {
            return Some((line, offset, u32::from(c)));
        }
    }
    None
}

/// Opens a signed note: checks its form, then every signature from a trusted key in `keys`.
///
/// Signatures whose key name and key ID do not both match a trusted key are ignored. The note is
/// rejected if any signature from a trusted key fails to verify, or if none verifies.
pub fn open(note: &[u8], keys: &[VerifierKey]) -> Result<VerifiedNote, NoteError> {
    if note.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size: note.len(),
            max: MAX_NOTE_SIZE,
        });
    }
    let s = std::str::from_utf8(note).map_err(|e| NoteError::InvalidUtf8 {
        offset: e.valid_up_to(),
    })?;
    if let Some((line, offset, code)) = find_control_character(s) {
        return Err(NoteError::ControlCharacter { line, offset, code });
    }
    // The text ends with the newline before the last blank line.
    let split = s.rfind("\n\n").ok_or(NoteError::NoSignatureBlock)?;
    let text = s.get(..=split).ok_or(NoteError::NoSignatureBlock)?;
    let sigs = s
        .get(split.saturating_add(2)..)
        .ok_or(NoteError::MalformedSignatureBlock)?;
    let sigs = sigs
        .strip_suffix('\n')
        .ok_or(NoteError::MalformedSignatureBlock)?;
    let count = sigs
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        .saturating_add(1);
    if count > MAX_SIGNATURES {
        return Err(NoteError::TooManySignatures {
            count,
            max: MAX_SIGNATURES,
        });
    }
    // Line numbers in errors are 1-based within the whole note.
    let first_sig_line = text.matches('\n').count().saturating_add(2);

    let mut verified: Vec<String> = Vec::new();
    let mut unknown = 0usize;
    for (i, line) in sigs.split('\n').enumerate() {
        let line_no = first_sig_line.saturating_add(i);
        let malformed = |reason: String| NoteError::MalformedSignatureLine {
            line: line_no,
            reason,
        };
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
            malformed(format!(
                "{:?} does not start with an em dash and a space",
                excerpt(line)
            ))
        })?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| malformed("no space between key name and signature".to_owned()))?;
        if let Some(reason) = key_name_problem(name) {
            return Err(malformed(format!(
                "key name {:?} is {reason}",
                excerpt(name)
            )));
        }
        let raw = STANDARD.decode(b64).map_err(|e| {
            malformed(format!(
                "signature of {name} is not padded standard base64: {e}"
            ))
        })?;
        if raw.len() < MIN_SIGNATURE_BYTES {
            return Err(malformed(format!(
                "signature of {name} is {} bytes, fewer than a key ID and a signature",
                raw.len()
            )));
        }
        let (id, signature) = raw
            .split_at_checked(4)
            .ok_or_else(|| malformed(format!("signature of {name} has no key ID")))?;
        let Some(key) = keys
            .iter()
            .find(|k| k.name() == name && k.key_id().as_slice() == id)
        else {
            unknown = unknown.saturating_add(1);
            continue;
        };
        if !key.verify(text.as_bytes(), signature) {
            return Err(NoteError::InvalidSignature {
                line: line_no,
                name: name.to_owned(),
                key_id: hex::encode(id),
            });
        }
        if !verified.iter().any(|v| v == name) {
            verified.push(name.to_owned());
        }
    }
    if verified.is_empty() {
        return Err(NoteError::NoKnownSignature {
            unknown,
            trusted: keys.len(),
        });
    }
    Ok(VerifiedNote {
        text: text.to_owned(),
        verified,
    })
}

/// Checks that `text` can be the text of a signed note.
fn check_note_text(text: &str) -> Result<(), NoteError> {
    let invalid = |reason: String| Err(NoteError::InvalidText { reason });
    if text.len() > MAX_NOTE_SIZE {
        return invalid(format!(
            "text is {} bytes, more than the note limit of {MAX_NOTE_SIZE}",
            text.len()
        ));
    }
    if !text.ends_with('\n') {
        return invalid("text is empty or does not end in a newline".to_owned());
    }
    if let Some((line, _, code)) = find_control_character(text) {
        return invalid(format!(
            "text has control character U+{code:04X} on line {line}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
