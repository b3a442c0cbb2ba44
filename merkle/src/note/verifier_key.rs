//! Verifier keys (`name+keyid+base64(type ‖ public key)`) and key IDs.

use super::*;

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
pub(super) fn ed25519_key_id(name: &str, public_key: &[u8; PUBLIC_KEY_LEN]) -> [u8; 4] {
    let mut type_and_key = [0u8; 1 + PUBLIC_KEY_LEN];
    let (ty, key) = type_and_key.split_at_mut(1);
    ty.copy_from_slice(&[ED25519_SIGNATURE_TYPE]);
    key.copy_from_slice(public_key);
    key_id(name, &type_and_key)
}

/// `name+hex8(keyid)+base64(0x01 ‖ public key)`.
pub(super) fn vkey_string(
    name: &str,
    key_id: &[u8; 4],
    public_key: &[u8; PUBLIC_KEY_LEN],
) -> String {
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
    pub(super) name: String,
    pub(super) key_id: [u8; 4],
    pub(super) public_key: [u8; PUBLIC_KEY_LEN],
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

    pub(super) fn verify(&self, text: &[u8], signature: &[u8]) -> bool {
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
