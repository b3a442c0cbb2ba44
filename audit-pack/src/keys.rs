//! Key files and the index signature.
//!
//! * **Private key file** (`*.key`): one line
//!   `PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 ‖ 32-byte Ed25519 seed)>`, the signer-key
//!   format of golang.org/x/mod/sumdb/note. The key ID is checked against the key on reading.
//! * **Public key file** (`*.pub`): one line, the C2SP signed-note verifier key
//!   `<name>+<key ID>+<base64(0x01 ‖ 32-byte public key)>` ([`merkle::note::VerifierKey`]).
//! * **Index signature** (`index.json.sig` in the pack): C2SP signed-note signature lines
//!   `— <name> base64(key ID ‖ Ed25519 signature)`, each ending in a newline. The signed message
//!   is the exact bytes of `index.json` (canonical JSON and one final newline):
//!   `index.json ‖ "\n" ‖ index.json.sig` is a C2SP signed note, opened with
//!   [`merkle::note::open`], and its text must equal `index.json` byte for byte.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use merkle::note::{self, NoteError, Signer, VerifierKey, VerifierKeyError};

/// Prefix of a private key file.
pub const PRIVATE_KEY_PREFIX: &str = "PRIVATE+KEY+";
/// Longest key file accepted, in bytes.
pub const MAX_KEY_FILE_LEN: usize = 1024;

/// A key file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The private key file is not `PRIVATE+KEY+<name>+<id>+<base64>`.
    #[error("private key: {reason}")]
    MalformedPrivateKey { reason: String },
    /// The public key file is not a valid verifier key.
    #[error("public key: {0}")]
    PublicKey(#[from] VerifierKeyError),
    /// Signing failed (the key name or the text is unusable).
    #[error("signing: {0}")]
    Signing(NoteError),
}

/// An Ed25519 signing key for pack indexes. `Debug` shows only the public key.
#[derive(Debug)]
pub struct SigningKey {
    signer: Signer,
    seed: [u8; 32],
}

impl SigningKey {
    /// A key named `name` with this Ed25519 seed (the caller supplies the randomness).
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, KeyError> {
        let signer = Signer::from_seed(name, seed).map_err(KeyError::Signing)?;
        Ok(SigningKey { signer, seed })
    }

    /// Parses a private key file (surrounding whitespace, such as a final newline, ignored).
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let bad = |reason: &str| KeyError::MalformedPrivateKey {
            reason: reason.to_owned(),
        };
        if text.len() > MAX_KEY_FILE_LEN {
            return Err(bad("file is longer than 1024 bytes"));
        }
        let rest = text
            .trim()
            .strip_prefix(PRIVATE_KEY_PREFIX)
            .ok_or_else(|| bad("does not start with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(id), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected PRIVATE+KEY+<name>+<key ID>+<base64 key>"));
        };
        let raw = STANDARD
            .decode(b64)
            .map_err(|e| bad(&format!("key is not padded standard base64: {e}")))?;
        let (&kind, seed) = raw.split_first().ok_or_else(|| bad("key is empty"))?;
        if kind != note::ED25519_SIGNATURE_TYPE {
            return Err(bad("only Ed25519 (type 0x01) keys are supported"));
        }
        let seed = <[u8; 32]>::try_from(seed).map_err(|_| bad("Ed25519 seed is not 32 bytes"))?;
        let key = SigningKey::from_seed(name, seed)?;
        if hex::encode(key.signer.key_id()) != id {
            return Err(bad("key ID does not match the name and key"));
        }
        Ok(key)
    }

    /// The private key file contents (with a final newline).
    pub fn to_private_key_file(&self) -> String {
        let mut raw = Vec::with_capacity(33);
        raw.push(note::ED25519_SIGNATURE_TYPE);
        raw.extend_from_slice(&self.seed);
        format!(
            "{PRIVATE_KEY_PREFIX}{}+{}+{}\n",
            self.signer.name(),
            hex::encode(self.signer.key_id()),
            STANDARD.encode(raw)
        )
    }

    /// The public key file contents (the verifier key, with a final newline).
    pub fn to_public_key_file(&self) -> String {
        format!("{}\n", self.signer.verifier_key())
    }

    /// The verifier key of this key.
    pub fn verifier_key(&self) -> VerifierKey {
        self.signer.to_verifier_key()
    }

    /// The key name.
    pub fn name(&self) -> &str {
        self.signer.name()
    }

    /// The contents of `index.json.sig` for these `index.json` bytes.
    pub fn sign_index(&self, index_json: &str) -> Result<String, KeyError> {
        let line = self.signer.sign(index_json).map_err(KeyError::Signing)?;
        Ok(format!("{line}\n"))
    }
}

/// Parses a public key file (surrounding whitespace ignored).
pub fn parse_public_key(text: &str) -> Result<VerifierKey, KeyError> {
    Ok(VerifierKey::parse(text.trim())?)
}

/// Checks C2SP signature lines `sig` over `text` with the trusted `keys`: every signature by a
/// trusted key must verify and at least one must. Returns the names of the keys that verified.
pub fn verify_detached(
    text: &[u8],
    sig: &[u8],
    keys: &[VerifierKey],
) -> Result<Vec<String>, NoteError> {
    let mut note_bytes = Vec::with_capacity(text.len().saturating_add(sig.len()).saturating_add(1));
    note_bytes.extend_from_slice(text);
    note_bytes.push(b'\n');
    note_bytes.extend_from_slice(sig);
    let verified = note::open(&note_bytes, keys)?;
    // A signature block containing a blank line would move the split point: insist that the
    // signed text is exactly the given text.
    if verified.text().as_bytes() != text {
        return Err(NoteError::MalformedSignatureBlock);
    }
    Ok(verified.verified().to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn key_files_round_trip_and_sign() {
        let key = SigningKey::from_seed("acme-pack", [7u8; 32]).unwrap();
        let again = SigningKey::parse(&key.to_private_key_file()).unwrap();
        assert_eq!(again.to_public_key_file(), key.to_public_key_file());
        let vkey = parse_public_key(&key.to_public_key_file()).unwrap();
        let text = "{\"a\":1}\n";
        let sig = key.sign_index(text).unwrap();
        assert_eq!(
            verify_detached(text.as_bytes(), sig.as_bytes(), std::slice::from_ref(&vkey)).unwrap(),
            vec!["acme-pack"]
        );
        assert!(
            verify_detached(b"{\"a\":2}\n", sig.as_bytes(), std::slice::from_ref(&vkey)).is_err()
        );
        // A blank line smuggled into the signature block moves the split: refused.
        let smuggled = format!("x\n\n{sig}");
        assert!(verify_detached(text.as_bytes(), smuggled.as_bytes(), &[vkey]).is_err());
    }

    #[test]
    fn private_key_with_wrong_id_is_refused() {
        let key = SigningKey::from_seed("acme-pack", [7u8; 32]).unwrap();
        let file = key
            .to_private_key_file()
            .replacen("+acme-pack+", "+other+", 1);
        assert!(SigningKey::parse(&file).is_err());
        assert!(SigningKey::parse("PRIVATE+KEY+x+00000000+AQ==").is_err());
    }
}
