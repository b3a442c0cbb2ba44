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

use merkle::note::{self, NoteError, Signer, VerifierKey, VerifierKeyError};

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
    /// The X.509 signer's certificate may not sign a pack index (e.g. it is a CA, or lacks
    /// the codeSigning key purpose): the code-signing end-entity rules of plugin-x509.
    #[error("signer certificate: {reason}")]
    UnusableCertificate { reason: String },
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

    /// Parses a private key file (surrounding whitespace, such as a final newline, ignored);
    /// the format and its checks are [`merkle::note::parse_private_key`]'s.
    pub fn parse(text: &str) -> Result<Self, KeyError> {
        let (signer, seed) = note::parse_private_key(text).map_err(|e| {
            let reason = match e {
                NoteError::InvalidSigner { reason, .. } => reason,
                other => other.to_string(),
            };
            KeyError::MalformedPrivateKey { reason }
        })?;
        Ok(SigningKey { signer, seed })
    }

    /// The private key file contents (with a final newline).
    pub fn to_private_key_file(&self) -> Result<String, KeyError> {
        let line =
            note::private_key_string(self.signer.name(), &self.seed).map_err(KeyError::Signing)?;
        Ok(format!("{line}\n"))
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
        let again = SigningKey::parse(&key.to_private_key_file().unwrap()).unwrap();
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
            .unwrap()
            .replacen("+acme-pack+", "+other+", 1);
        assert!(SigningKey::parse(&file).is_err());
        assert!(SigningKey::parse("PRIVATE+KEY+x+00000000+AQ==").is_err());
    }
}
