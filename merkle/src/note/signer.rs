//! Signing notes, and the `PRIVATE+KEY+` private-key strings.

use super::verifier_key::{ed25519_key_id, vkey_string};
use super::*;

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
