//! Key files and the index signature.
//!
//! * **Private key file** (`*.key`): one line
//!   `PRIVATE+KEY+<name>+<key ID, 8 hex>+<base64(0x01 ‖ 32-byte Ed25519 seed)>`, the signer-key
//!   format of golang.org/x/mod/sumdb/note. The key ID is checked against the key on reading.
//! * **Public key file** (`*.pub`): one line, the C2SP signed-note verifier key
//!   `<name>+<key ID>+<base64(0x01 ‖ 32-byte public key)>` ([`merkle::note::VerifierKey`]).
//! * **Standard key files** are read too, wherever a key file is ([`SigningKey::parse_file`],
//!   [`parse_public_key_file`]): a PKCS#8 PEM Ed25519 private key (`-----BEGIN PRIVATE KEY-----`,
//!   as `openssl genpkey -algorithm ed25519` writes it), an SPKI PEM Ed25519 public key
//!   (`-----BEGIN PUBLIC KEY-----`, `openssl pkey -pubout`), an OpenSSH `ssh-ed25519` public
//!   key line and an unencrypted OpenSSH private key (`ssh-keygen -t ed25519 -N ''`), read by
//!   [`merkle::note::keyfile`] (which the log's key files share). They hold no key name, so the name is the file name up to its first dot
//!   (`acme-release.pem` and `acme-release.pub.pem` are both `acme-release`): the name is part
//!   of the key ID, so a signer's and a verifier's files must share that stem. The DER inside
//!   must be exactly the RFC 8410 encoding (no parameters, no attributes, no trailing bytes).
//! * **Index signature** (`index.json.sig` in the pack): C2SP signed-note signature lines
//!   `— <name> base64(key ID ‖ Ed25519 signature)`, each ending in a newline. The signed message
//!   is the exact bytes of `index.json` (canonical JSON and one final newline):
//!   `index.json ‖ "\n" ‖ index.json.sig` is a C2SP signed note, opened with
//!   [`merkle::note::open`], and its text must equal `index.json` byte for byte.

use merkle::note::keyfile::{self, KeyFileError};
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
    /// A key file of the wrong kind (a private key where a public key is expected, or the
    /// reverse) or a standard key file that cannot be used.
    #[error("{reason}")]
    WrongKind { reason: String },
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

    /// Parses a private key file read from `path`: the `PRIVATE+KEY+` format, or a PKCS#8 PEM
    /// Ed25519 private key named after the file (see the module documentation). A public key
    /// given here is refused with a message saying so.
    pub fn parse_file(path: &std::path::Path, text: &str) -> Result<Self, KeyError> {
        let (signer, seed) = keyfile::private_key_from_file(path, text).map_err(|e| match e {
            KeyFileError::WrongKind(reason) => KeyError::WrongKind { reason },
            KeyFileError::Malformed(reason) => KeyError::MalformedPrivateKey {
                reason: reason
                    .strip_prefix("private key: ")
                    .map_or(reason.clone(), str::to_owned),
            },
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

impl SigningKey {
    /// The detached signature of a release manifest that `build` recognises beside it as
    /// `NAME.manifest.json.sig` and verifies with `--manifest-key`: the signed-note signature
    /// lines over the manifest's exact bytes. The manifest must be UTF-8 text ending in a
    /// newline (the note format signs text lines). The signature is checked against the key's
    /// own public key before it is returned.
    pub fn sign_manifest(&self, manifest: &[u8]) -> Result<String, KeyError> {
        let text = std::str::from_utf8(manifest).map_err(|_| KeyError::WrongKind {
            reason: "the manifest is not UTF-8 text: a signed-note signature signs text".to_owned(),
        })?;
        if !text.ends_with('\n') {
            return Err(KeyError::WrongKind {
                reason: "the manifest does not end with a newline: a signed-note signature signs whole lines (add one)".to_owned(),
            });
        }
        let sig = self.sign_index(text)?;
        verify_detached(manifest, sig.as_bytes(), &[self.verifier_key()])
            .map_err(KeyError::Signing)?;
        Ok(sig)
    }
}

/// Parses a public key file (surrounding whitespace ignored).
pub fn parse_public_key(text: &str) -> Result<VerifierKey, KeyError> {
    Ok(VerifierKey::parse(text.trim())?)
}

/// Parses a public key file read from `path`: a C2SP verifier key, an SPKI PEM Ed25519 public
/// key or an OpenSSH `ssh-ed25519` line (named after the file; see the module documentation).
/// A private key given here is refused with a message saying so.
pub fn parse_public_key_file(path: &std::path::Path, text: &str) -> Result<VerifierKey, KeyError> {
    keyfile::public_key_from_file(path, text).map_err(|e| match e {
        KeyFileError::WrongKind(reason) | KeyFileError::Malformed(reason) => {
            KeyError::WrongKind { reason }
        }
    })
}

/// `NAME (key ID 0123abcd)`: how a key is named in messages.
pub fn key_label(key: &VerifierKey) -> String {
    format!("{} (key ID {})", key.name(), hex::encode(key.key_id()))
}

/// The signers that C2SP signature lines claim, as `NAME (key ID 0123abcd)`, for messages only
/// (nothing here is verified): lines `— NAME base64(key ID ‖ signature)`; a line that does not
/// parse is shown as `an unreadable signature line`. At most 8 are listed.
pub fn claimed_signers(sig: &[u8]) -> Vec<String> {
    use base64::Engine as _;
    let text = String::from_utf8_lossy(sig);
    let mut out = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()).take(8) {
        let parsed = line.strip_prefix(note::SIGNATURE_PREFIX).and_then(|rest| {
            let (name, b64) = rest.split_once(' ')?;
            let raw = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
            Some(format!("{name} (key ID {})", hex::encode(raw.get(..4)?)))
        });
        out.push(parsed.unwrap_or_else(|| "an unreadable signature line".to_owned()));
    }
    out
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
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use merkle::note::keyfile::{PKCS8_ED25519_PREFIX, SPKI_ED25519_PREFIX};

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

    // RFC 8410 §10.3: the example Ed25519 private key and its public key; the OpenSSH line is
    // the same public key as OpenSSH writes it.
    const RFC8410_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----\n\
        MC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n\
        -----END PRIVATE KEY-----\n";
    const RFC8410_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----\n\
        MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n\
        -----END PUBLIC KEY-----\n";
    const RFC8410_SSH: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm/RAlphM3+hUG6wWfcO5bIUIaqMLa2ywxcOK1wMWbh me@host\n";
    const RFC8410_PUBLIC_HEX: &str =
        "19bf44096984cdfe8541bac167dc3b96c85086aa30b6b6cb0c5c38ad703166e1";

    #[test]
    fn standard_key_files_are_read_and_named_after_the_file() {
        use std::path::Path;
        let key =
            SigningKey::parse_file(Path::new("keys/acme-release.pem"), RFC8410_PRIVATE).unwrap();
        assert_eq!(key.name(), "acme-release");
        assert_eq!(
            hex::encode(key.verifier_key().public_key()),
            RFC8410_PUBLIC_HEX
        );
        let spki =
            parse_public_key_file(Path::new("acme-release.pub.pem"), RFC8410_PUBLIC).unwrap();
        let ssh = parse_public_key_file(Path::new("acme-release.pub"), RFC8410_SSH).unwrap();
        // Same name and key: the same verifier key (name and key ID) as the signer's.
        assert_eq!(spki, key.verifier_key());
        assert_eq!(ssh, key.verifier_key());
        let text = "{\"a\":1}\n";
        let sig = key.sign_index(text).unwrap();
        assert_eq!(
            verify_detached(text.as_bytes(), sig.as_bytes(), &[spki]).unwrap(),
            vec!["acme-release"]
        );
        // Another file name is another key name, hence another key ID: not the signer's key.
        let other = parse_public_key_file(Path::new("other.pem"), RFC8410_PUBLIC).unwrap();
        assert_ne!(other.key_id(), key.verifier_key().key_id());
        assert!(verify_detached(text.as_bytes(), sig.as_bytes(), &[other]).is_err());
        // The C2SP formats still read through the same functions.
        let c2sp = SigningKey::from_seed("acme-pack", [7u8; 32]).unwrap();
        let again =
            SigningKey::parse_file(Path::new("x.key"), &c2sp.to_private_key_file().unwrap())
                .unwrap();
        assert_eq!(again.to_public_key_file(), c2sp.to_public_key_file());
        assert_eq!(
            parse_public_key_file(Path::new("x.pub"), &c2sp.to_public_key_file()).unwrap(),
            c2sp.verifier_key()
        );
    }

    #[test]
    fn wrong_kinds_and_non_canonical_standard_keys_are_refused() {
        use base64::Engine as _;
        use std::path::Path;
        let p = Path::new("k.pem");
        let c2sp = SigningKey::from_seed("acme-pack", [7u8; 32]).unwrap();
        for private in [
            RFC8410_PRIVATE.to_owned(),
            c2sp.to_private_key_file().unwrap(),
        ] {
            let e = parse_public_key_file(p, &private).unwrap_err().to_string();
            assert!(e.contains("this is a private key"), "{e}");
        }
        for public in [
            RFC8410_PUBLIC.to_owned(),
            RFC8410_SSH.to_owned(),
            c2sp.to_public_key_file(),
        ] {
            let e = SigningKey::parse_file(p, &public).unwrap_err().to_string();
            assert!(e.contains("this is a public key"), "{e}");
        }
        let pem = |label: &str, der: &[u8]| {
            let b64 = base64::engine::general_purpose::STANDARD.encode(der);
            format!("-----BEGIN {label}-----\n{b64}\n-----END {label}-----\n")
        };
        let mut seed_der = PKCS8_ED25519_PREFIX.to_vec();
        seed_der.extend_from_slice(&[1u8; 32]);
        assert!(SigningKey::parse_file(p, &pem("PRIVATE KEY", &seed_der)).is_ok());
        // A trailing byte, a short key, another algorithm (X25519: 1.3.101.110), v2 with
        // a public key, text before the block: all refused.
        let mut long = seed_der.clone();
        long.push(0);
        let mut x25519 = seed_der.clone();
        x25519[11] = 0x6e;
        let mut v2 = seed_der.clone();
        v2[4] = 1;
        for bad in [
            pem("PRIVATE KEY", &long),
            pem("PRIVATE KEY", &seed_der[..47]),
            pem("PRIVATE KEY", &x25519),
            pem("PRIVATE KEY", &v2),
            format!("junk\n{}", pem("PRIVATE KEY", &seed_der)),
            format!("{}junk\n", pem("PRIVATE KEY", &seed_der)),
        ] {
            assert!(SigningKey::parse_file(p, &bad).is_err(), "{bad}");
        }
        let mut spki = SPKI_ED25519_PREFIX.to_vec();
        spki.extend_from_slice(&[2u8; 32]);
        assert!(parse_public_key_file(p, &pem("PUBLIC KEY", &spki)).is_ok());
        let mut spki_long = spki.clone();
        spki_long.push(0);
        assert!(parse_public_key_file(p, &pem("PUBLIC KEY", &spki_long)).is_err());
        assert!(parse_public_key_file(p, &pem("PUBLIC KEY", &spki[..43])).is_err());
        // An OpenSSH line of another key type, or a truncated blob.
        assert!(parse_public_key_file(
            p,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBm/RAlphM3+hUG6wWfcO5bIUIaqMLa2ywxcOK1wMWY="
        )
        .is_err());
        assert!(parse_public_key_file(p, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ== x").is_err());
        // Encrypted PKCS#8 keys are refused by name; an OpenSSH key must be openssh-key-v1
        // (merkle::note::keyfile has its own tests).
        let e = SigningKey::parse_file(p, &pem("ENCRYPTED PRIVATE KEY", b"x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("are not read"), "{e}");
        let e = SigningKey::parse_file(p, &pem("OPENSSH PRIVATE KEY", b"x"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not an openssh-key-v1 key"), "{e}");
        // A file name that cannot be a key name.
        let e = SigningKey::parse_file(Path::new("a+b.pem"), RFC8410_PRIVATE)
            .unwrap_err()
            .to_string();
        assert!(e.contains("rename the file"), "{e}");
    }

    #[test]
    fn claimed_signers_name_the_key_ids_of_the_signature_lines() {
        let key = SigningKey::from_seed("acme-pack", [7u8; 32]).unwrap();
        let sig = key.sign_index("{}\n").unwrap();
        assert_eq!(
            claimed_signers(sig.as_bytes()),
            vec![key_label(&key.verifier_key())]
        );
        let junk = format!("{sig}\u{2014} x !!!\nnot a line\n");
        assert_eq!(
            claimed_signers(junk.as_bytes()),
            vec![
                key_label(&key.verifier_key()),
                "an unreadable signature line".to_owned(),
                "an unreadable signature line".to_owned()
            ]
        );
        assert!(claimed_signers(b"").is_empty());
        let many = sig.repeat(20);
        assert_eq!(claimed_signers(many.as_bytes()).len(), 8);
    }
}
