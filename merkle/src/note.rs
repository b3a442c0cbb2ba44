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
fn key_name_problem(name: &str) -> Option<&'static str> {
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

/// The key ID of a key: the first 4 bytes of SHA-256(name ‖ "\n" ‖ type byte ‖ public key).
/// `type_and_key` is the type byte followed by the public key.
pub fn key_id(name: &str, type_and_key: &[u8]) -> [u8; 4] {
    let digest = Sha256::new()
        .chain_update(name.as_bytes())
        .chain_update(b"\n")
        .chain_update(type_and_key)
        .finalize();
    let mut id = [0u8; 4];
    for (out, byte) in id.iter_mut().zip(digest.iter()) {
        *out = *byte;
    }
    id
}

/// The key ID of an Ed25519 public key with the given name.
fn ed25519_key_id(name: &str, public_key: &[u8; PUBLIC_KEY_LEN]) -> [u8; 4] {
    let mut type_and_key = [0u8; 1 + PUBLIC_KEY_LEN];
    let (ty, key) = type_and_key.split_at_mut(1);
    ty.copy_from_slice(&[ED25519_SIGNATURE_TYPE]);
    key.copy_from_slice(public_key);
    key_id(name, &type_and_key)
}

/// `name+hex8(keyid)+base64(0x01 ‖ public key)`.
fn vkey_string(name: &str, key_id: &[u8; 4], public_key: &[u8; PUBLIC_KEY_LEN]) -> String {
    let mut type_and_key = Vec::with_capacity(1 + PUBLIC_KEY_LEN);
    type_and_key.push(ED25519_SIGNATURE_TYPE);
    type_and_key.extend_from_slice(public_key);
    format!(
        "{name}+{}+{}",
        hex::encode(key_id),
        STANDARD.encode(type_and_key)
    )
}

/// Exactly 8 lowercase hex digits.
fn parse_key_id_hex(s: &str) -> Option<[u8; 4]> {
    if s.len() != 8
        || !s
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return None;
    }
    let bytes = hex::decode(s).ok()?;
    <[u8; 4]>::try_from(bytes.as_slice()).ok()
}

/// A trusted Ed25519 verifier key: a name, its key ID and the public key.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct VerifierKey {
    name: String,
    key_id: [u8; 4],
    public_key: [u8; PUBLIC_KEY_LEN],
}

impl VerifierKey {
    /// Parses a verifier-key string `name+hex8(keyid)+base64(0x01 ‖ 32-byte public key)`,
    /// checking the name, that the key is Ed25519 and 32 bytes long, and that the key ID is the
    /// one the name and key imply.
    pub fn parse(vkey: &str) -> Result<Self, VerifierKeyError> {
        if vkey.len() > MAX_VERIFIER_KEY_LEN {
            return Err(VerifierKeyError::TooLong {
                len: vkey.len(),
                max: MAX_VERIFIER_KEY_LEN,
            });
        }
        // Names and key IDs never contain '+'; the base64 key may.
        let (name, rest) = vkey.split_once('+').ok_or(VerifierKeyError::MissingParts)?;
        let (id_hex, key_b64) = rest.split_once('+').ok_or(VerifierKeyError::MissingParts)?;
        if let Some(reason) = key_name_problem(name) {
            return Err(VerifierKeyError::InvalidName {
                name: excerpt(name),
                reason,
            });
        }
        let stated = parse_key_id_hex(id_hex).ok_or_else(|| VerifierKeyError::InvalidKeyId {
            name: name.to_owned(),
            value: excerpt(id_hex),
        })?;
        let raw = STANDARD
            .decode(key_b64)
            .map_err(|e| VerifierKeyError::KeyNotBase64 {
                name: name.to_owned(),
                reason: e.to_string(),
            })?;
        let (&key_type, key) = raw
            .split_first()
            .ok_or_else(|| VerifierKeyError::EmptyKey {
                name: name.to_owned(),
            })?;
        if key_type != ED25519_SIGNATURE_TYPE {
            return Err(VerifierKeyError::UnsupportedKeyType {
                name: name.to_owned(),
                key_type,
            });
        }
        let public_key = <[u8; PUBLIC_KEY_LEN]>::try_from(key).map_err(|_| {
            VerifierKeyError::WrongKeyLength {
                name: name.to_owned(),
                len: key.len(),
            }
        })?;
        let computed = key_id(name, &raw);
        if computed != stated {
            return Err(VerifierKeyError::KeyIdMismatch {
                name: name.to_owned(),
                stated: hex::encode(stated),
                computed: hex::encode(computed),
            });
        }
        Ok(VerifierKey {
            name: name.to_owned(),
            key_id: stated,
            public_key,
        })
    }

    /// A verifier key for an Ed25519 public key, with the key ID derived from name and key.
    pub fn from_ed25519(
        name: &str,
        public_key: [u8; PUBLIC_KEY_LEN],
    ) -> Result<Self, VerifierKeyError> {
        if let Some(reason) = key_name_problem(name) {
            return Err(VerifierKeyError::InvalidName {
                name: excerpt(name),
                reason,
            });
        }
        Ok(VerifierKey {
            name: name.to_owned(),
            key_id: ed25519_key_id(name, &public_key),
            public_key,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID (big-endian as written in signatures and as hex in the vkey).
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public_key
    }

    /// The verifier-key string, `name+hex8(keyid)+base64(0x01 ‖ public key)`.
    pub fn to_vkey(&self) -> String {
        vkey_string(&self.name, &self.key_id, &self.public_key)
    }

    fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
        UnparsedPublicKey::new(&ED25519, &self.public_key)
            .verify(text, signature)
            .is_ok()
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "VerifierKey({})", self.to_vkey())
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_vkey())
    }
}

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
            .find(|k| k.name == name && k.key_id.as_slice() == id)
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

/// An Ed25519 note signer. Its `Debug` output shows the verifier key, never the private key.
pub struct Signer {
    name: String,
    key_id: [u8; 4],
    public_key: [u8; PUBLIC_KEY_LEN],
    key_pair: Ed25519KeyPair,
}

impl Signer {
    /// A signer for the key with this name and 32-byte Ed25519 seed (RFC 8032 private key).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, NoteError> {
        if let Some(reason) = key_name_problem(name) {
            return Err(NoteError::InvalidSigner {
                name: excerpt(name),
                reason: format!("key name is {reason}"),
            });
        }
        let key_pair =
            Ed25519KeyPair::from_seed_unchecked(&seed).map_err(|e| NoteError::InvalidSigner {
                name: name.to_owned(),
                reason: format!("seed rejected: {e}"),
            })?;
        let public_key = <[u8; PUBLIC_KEY_LEN]>::try_from(
            ring::signature::KeyPair::public_key(&key_pair).as_ref(),
        )
        .map_err(|_| NoteError::InvalidSigner {
            name: name.to_owned(),
            reason: "public key is not 32 bytes".to_owned(),
        })?;
        Ok(Signer {
            name: name.to_owned(),
            key_id: ed25519_key_id(name, &public_key),
            public_key,
            key_pair,
        })
    }

    /// The key name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The 4-byte key ID.
    pub fn key_id(&self) -> [u8; 4] {
        self.key_id
    }

    /// The 32-byte Ed25519 public key.
    pub fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public_key
    }

    /// The verifier-key string of this signer's key.
    pub fn verifier_key(&self) -> String {
        vkey_string(&self.name, &self.key_id, &self.public_key)
    }

    /// The parsed verifier key of this signer's key.
    pub fn to_verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            key_id: self.key_id,
            public_key: self.public_key,
        }
    }

    /// Signs note text (which must end in a newline and have no other control characters) and
    /// returns the signature line `— <name> base64(key ID ‖ signature)`, without its newline.
    pub fn sign(&self, text: &str) -> Result<String, NoteError> {
        check_note_text(text)?;
        let signature = self.key_pair.sign(text.as_bytes());
        let mut raw = Vec::with_capacity(4 + signature.as_ref().len());
        raw.extend_from_slice(&self.key_id);
        raw.extend_from_slice(signature.as_ref());
        Ok(format!(
            "{SIGNATURE_PREFIX}{} {}",
            self.name,
            STANDARD.encode(raw)
        ))
    }

    /// Signs note text and returns the whole signed note: text, blank line, signature line.
    pub fn sign_note(&self, text: &str) -> Result<String, NoteError> {
        let line = self.sign(text)?;
        let note = format!("{text}\n{line}\n");
        if note.len() > MAX_NOTE_SIZE {
            return Err(NoteError::InvalidText {
                reason: format!(
                    "signed note would be {} bytes, more than the limit of {MAX_NOTE_SIZE}",
                    note.len()
                ),
            });
        }
        Ok(note)
    }
}

/// Prefix of a private signer-key string (the golang.org/x/mod/sumdb/note signer-key format).
pub const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";
/// The longest private signer-key string [`signer_from_private_key`] accepts, in bytes.
pub const MAX_PRIVATE_KEY_LEN: usize = 1024;

/// The private signer-key string `PRIVATE+KEY+<name>+<hex8 key ID>+<base64(0x01 ‖ seed)>` of an
/// Ed25519 key (without a final newline), the format audit-pack and tlog key files use.
pub fn private_key_string(name: &str, seed: &[u8; 32]) -> Result<String, NoteError> {
    let signer = Signer::from_seed(name, *seed)?;
    let mut raw = Vec::with_capacity(33);
    raw.push(ED25519_SIGNATURE_TYPE);
    raw.extend_from_slice(seed);
    Ok(format!(
        "{PRIVATE_KEY_PREFIX}{}+{}+{}",
        signer.name(),
        hex::encode(signer.key_id()),
        STANDARD.encode(raw)
    ))
}

/// Parses a private signer-key string (surrounding whitespace, such as a final newline, ignored),
/// checking the key type, the seed length and that the key ID matches the name and key.
pub fn signer_from_private_key(text: &str) -> Result<Signer, NoteError> {
    parse_private_key(text).map(|(signer, _seed)| signer)
}

/// [`signer_from_private_key`], also returning the Ed25519 seed (to write the key back with
/// [`private_key_string`]).
pub fn parse_private_key(text: &str) -> Result<(Signer, [u8; 32]), NoteError> {
    let bad = |reason: &str| NoteError::InvalidSigner {
        name: String::new(),
        reason: reason.to_owned(),
    };
    if text.len() > MAX_PRIVATE_KEY_LEN {
        return Err(bad("private key is longer than 1024 bytes"));
    }
    let rest = text
        .trim()
        .strip_prefix(PRIVATE_KEY_PREFIX)
        .ok_or_else(|| bad("private key does not start with PRIVATE+KEY+"))?;
    let mut parts = rest.splitn(3, '+');
    let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad("expected PRIVATE+KEY+<name>+<key ID>+<base64 key>"));
    };
    let raw = STANDARD
        .decode(b64)
        .map_err(|e| bad(&format!("key is not padded standard base64: {e}")))?;
    let (&kind, seed) = raw.split_first().ok_or_else(|| bad("key is empty"))?;
    if kind != ED25519_SIGNATURE_TYPE {
        return Err(bad("only Ed25519 (type 0x01) keys are supported"));
    }
    let seed = <[u8; 32]>::try_from(seed).map_err(|_| bad("Ed25519 seed is not 32 bytes"))?;
    let signer = Signer::from_seed(name, seed)?;
    if hex::encode(signer.key_id()) != id {
        return Err(bad("key ID does not match the name and key"));
    }
    Ok((signer, seed))
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signer({})", self.verifier_key())
    }
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

    fn signer(name: &str, byte: u8) -> Signer {
        Signer::from_seed(name, [byte; 32]).unwrap()
    }

    #[test]
    fn private_key_string_round_trips() {
        let text = private_key_string("example.com/log", &[7; 32]).unwrap();
        assert!(text.starts_with("PRIVATE+KEY+example.com/log+"));
        let s = signer_from_private_key(&format!("{text}\n")).unwrap();
        assert_eq!(
            s.verifier_key(),
            signer("example.com/log", 7).verifier_key()
        );
        let wrong_id = text.replacen("+example.com/log+", "+other+", 1);
        assert!(signer_from_private_key(&wrong_id).is_err());
        assert!(signer_from_private_key("PRIVATE+KEY+x+00000000+AQ==").is_err());
        assert!(signer_from_private_key("x+00000000+AQ==").is_err());
    }

    #[test]
    fn sign_then_open_round_trips() {
        let s = signer("example.com/log", 1);
        let key = VerifierKey::parse(&s.verifier_key()).unwrap();
        assert_eq!(key, s.to_verifier_key());
        assert_eq!(key.to_vkey(), s.verifier_key());
        for text in [
            "hello\n",
            "\n",
            "a\n\nb\n",
            "ends in blank\n\n",
            "— not a sig\n",
        ] {
            let note = s.sign_note(text).unwrap();
            let v = open(note.as_bytes(), std::slice::from_ref(&key)).unwrap();
            assert_eq!(v.text(), text);
            assert_eq!(v.verified(), ["example.com/log".to_owned()]);
        }
    }

    #[test]
    fn sign_rejects_texts_that_are_not_note_texts() {
        let s = signer("k", 1);
        for text in ["", "no newline", "tab\there\n", "cr\r\n"] {
            let e = s.sign(text).unwrap_err();
            assert_eq!(e.kind(), "invalid-text", "{text:?}");
        }
        assert_eq!(
            Signer::from_seed("bad name", [0; 32]).unwrap_err().kind(),
            "invalid-signer"
        );
        assert_eq!(
            Signer::from_seed("a+b", [0; 32]).unwrap_err().kind(),
            "invalid-signer"
        );
    }

    #[test]
    fn known_key_with_bad_signature_rejects_even_if_another_verifies() {
        let log = signer("example.com/log", 1);
        let witness = signer("example.com/witness", 2);
        let keys = [log.to_verifier_key(), witness.to_verifier_key()];
        let text = "example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let good_log = log.sign(text).unwrap();
        let other_witness = witness.sign("another text\n").unwrap();
        for order in [
            format!("{text}\n{good_log}\n{other_witness}\n"),
            format!("{text}\n{other_witness}\n{good_log}\n"),
        ] {
            let e = open(order.as_bytes(), &keys).unwrap_err();
            assert!(
                matches!(&e, NoteError::InvalidSignature { name, .. } if name == "example.com/witness"),
                "{e}"
            );
            assert_eq!(e.kind(), "invalid-signature");
            // With only the log key trusted, the witness signature is unknown and ignored.
            let v = open(order.as_bytes(), &keys[..1]).unwrap();
            assert_eq!(v.verified(), ["example.com/log".to_owned()]);
        }
        // A duplicated good signature is verified twice but reported once.
        let dup = format!("{text}\n{good_log}\n{good_log}\n");
        assert_eq!(open(dup.as_bytes(), &keys).unwrap().verified().len(), 1);
    }

    #[test]
    fn unknown_keys_sharing_name_or_id_are_ignored() {
        let log = signer("example.com/log", 1);
        let impostor = signer("example.com/log", 3); // same name, different key and key ID
        let text = "t\n";
        let note = format!(
            "{text}\n{}\n{}\n",
            impostor.sign(text).unwrap(),
            log.sign(text).unwrap()
        );
        let v = open(note.as_bytes(), &[log.to_verifier_key()]).unwrap();
        assert_eq!(v.verified(), ["example.com/log".to_owned()]);
        let e = open(note.as_bytes(), &[]).unwrap_err();
        assert_eq!(
            e,
            NoteError::NoKnownSignature {
                unknown: 2,
                trusted: 0
            }
        );
    }

    #[test]
    fn oversized_note_is_rejected_before_parsing() {
        let s = signer("k", 1);
        let key = s.to_verifier_key();
        let mut big = vec![b'a'; MAX_NOTE_SIZE];
        big.push(b'\n');
        let e = open(&big, &[key]).unwrap_err();
        assert_eq!(e.kind(), "note-too-large");
        assert!(e.is_malformed());
        let text = "a".repeat(MAX_NOTE_SIZE - 10) + "\n";
        assert_eq!(s.sign_note(&text).unwrap_err().kind(), "invalid-text");
    }

    #[test]
    fn too_many_signature_lines_are_rejected() {
        let s = signer("k", 1);
        let text = "t\n";
        let line = s.sign(text).unwrap();
        let mut note = format!("{text}\n");
        for _ in 0..MAX_SIGNATURES {
            note.push_str(&line);
            note.push('\n');
        }
        assert!(open(note.as_bytes(), &[s.to_verifier_key()]).is_ok());
        note.push_str(&line);
        note.push('\n');
        let e = open(note.as_bytes(), &[s.to_verifier_key()]).unwrap_err();
        assert_eq!(
            e,
            NoteError::TooManySignatures {
                count: MAX_SIGNATURES + 1,
                max: MAX_SIGNATURES
            }
        );
    }

    #[test]
    fn non_canonical_base64_signature_is_malformed() {
        let s = signer("k", 1);
        let text = "t\n";
        let line = s.sign(text).unwrap();
        // 68 bytes encode to 91 characters and one '='; the last character carries 2 spare bits.
        let (head, tail) = line.split_at(line.len() - 2);
        let last = tail.as_bytes()[0];
        let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let pos = alphabet.iter().position(|&c| c == last).unwrap();
        let bumped = alphabet[pos ^ 1] as char;
        let note = format!("{text}\n{head}{bumped}=\n");
        let e = open(note.as_bytes(), &[s.to_verifier_key()]).unwrap_err();
        assert_eq!(e.kind(), "malformed-signature-line", "{e}");
    }

    #[test]
    fn error_messages_name_the_problem() {
        let s = signer("example.com/log", 1);
        let key = s.to_verifier_key();
        let note = s.sign_note("a\nb\n").unwrap().replace("a\nb", "a\nc");
        let e = open(note.as_bytes(), std::slice::from_ref(&key)).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("example.com/log") && msg.contains("line 4"),
            "{msg}"
        );
        let e = open(b"a\n\n- k AAAA\n", &[key]).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
        let e = VerifierKey::parse("k+0000000g+AA==").unwrap_err();
        assert!(e.to_string().contains("0000000g"), "{e}");
    }

    #[test]
    fn excerpt_bounds_quoted_text() {
        assert_eq!(excerpt("short"), "short");
        let long = "é".repeat(200);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS + 1);
    }
}
