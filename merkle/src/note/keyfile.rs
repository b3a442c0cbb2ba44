//! Ed25519 key files in the formats people already have, besides the C2SP ones
//! (`PRIVATE+KEY+…` and verifier keys):
//!
//! * PKCS#8 PEM private keys and SPKI PEM public keys (RFC 8410), as `openssl genpkey
//!   -algorithm ed25519` and `openssl pkey -pubout` write them: only the exact DER (v1, no
//!   attributes, nothing after the key) is read;
//! * OpenSSH `ssh-ed25519` public key lines, and unencrypted `openssh-key-v1` private keys as
//!   `ssh-keygen -t ed25519 -N ''` writes them (encrypted ones are refused by name).
//!
//! These formats carry no key name (an OpenSSH comment is not one): the name is the file name
//! up to its first dot, and it is part of the key ID, so a signer's and a verifier's files must
//! share that stem.

use super::{key_name_problem, parse_private_key, NoteError, Signer, VerifierKey};
use base64::Engine as _;
use std::path::Path;

/// Why a key file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyFileError {
    /// A key of the other kind: a private key where a public key is expected, or the reverse.
    #[error("{0}")]
    WrongKind(String),
    /// Not a key file of a known format, or a damaged one.
    #[error("{0}")]
    Malformed(String),
}

/// DER prefix of an RFC 8410 Ed25519 `SubjectPublicKeyInfo` (the 32-byte key follows).
pub const SPKI_ED25519_PREFIX: [u8; 12] = [
    0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
];
/// DER prefix of an RFC 8410 Ed25519 PKCS#8 v1 `PrivateKeyInfo` (the 32-byte seed follows).
pub const PKCS8_ED25519_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

const OPENSSH_BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
const OPENSSH_MAGIC: &[u8] = b"openssh-key-v1\0";

/// The 32-byte key that follows exactly `prefix` in `der`, with nothing after it.
fn key_after_prefix(der: &[u8], prefix: &[u8]) -> Option<[u8; 32]> {
    der.strip_prefix(prefix)
        .and_then(|k| <[u8; 32]>::try_from(k).ok())
}

/// The key name of a key file that holds none: its file name up to the first dot.
pub fn name_from_path(path: &Path) -> Result<String, String> {
    let file = path
        .file_name()
        .and_then(|f| f.to_str())
        .ok_or_else(|| "the file name is not UTF-8 (it gives the key its name)".to_owned())?;
    let stem = file.split('.').next().unwrap_or_default();
    match key_name_problem(stem) {
        None => Ok(stem.to_owned()),
        Some(reason) => Err(format!(
            "the key's name is its file name up to the first dot, {stem:?}, which {reason}: rename the file"
        )),
    }
}

/// The DER of the single PEM block labelled `label` that is the whole of `text` (surrounding
/// whitespace ignored; nothing else allowed).
fn pem_block(text: &str, label: &str) -> Result<Vec<u8>, String> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let body = text
        .trim()
        .strip_prefix(&begin)
        .and_then(|rest| rest.strip_suffix(&end))
        .ok_or_else(|| format!("not one PEM block {begin} ... {end} and nothing else"))?;
    let b64: String = body.split_ascii_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("PEM body is not base64: {e}"))
}

/// Whether `text` looks like a private key file of any format we know.
pub fn is_private_key_text(text: &str) -> bool {
    let t = text.trim_start();
    t.starts_with(super::PRIVATE_KEY_PREFIX)
        || t.starts_with("-----BEGIN PRIVATE KEY-----")
        || t.starts_with(OPENSSH_BEGIN)
        || t.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----")
}

/// Reads a private key file read from `path`: a C2SP `PRIVATE+KEY+` key (named inside), or a
/// PKCS#8 PEM or unencrypted OpenSSH Ed25519 private key named after the file. Returns the
/// signer and its seed. A public key given here is refused with a message saying so.
pub fn private_key_from_file(path: &Path, text: &str) -> Result<(Signer, [u8; 32]), KeyFileError> {
    let t = text.trim();
    let named = |seed: [u8; 32]| -> Result<(Signer, [u8; 32]), KeyFileError> {
        let name = name_from_path(path).map_err(KeyFileError::Malformed)?;
        let signer =
            Signer::from_seed(&name, seed).map_err(|e| KeyFileError::Malformed(e.to_string()))?;
        Ok((signer, seed))
    };
    if t.starts_with("-----BEGIN PRIVATE KEY-----") {
        let der = pem_block(t, "PRIVATE KEY").map_err(KeyFileError::Malformed)?;
        let seed = key_after_prefix(&der, &PKCS8_ED25519_PREFIX).ok_or_else(|| {
            KeyFileError::Malformed(
                "the PEM private key is not an Ed25519 key (RFC 8410 PKCS#8 v1)".to_owned(),
            )
        })?;
        return named(seed);
    }
    if t.starts_with(OPENSSH_BEGIN) {
        let blob = pem_block(t, "OPENSSH PRIVATE KEY").map_err(KeyFileError::Malformed)?;
        let seed = openssh_ed25519_seed(&blob)
            .map_err(|reason| KeyFileError::Malformed(format!("OpenSSH private key: {reason}")))?;
        return named(seed);
    }
    if t.starts_with("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(KeyFileError::Malformed(
            "encrypted PKCS#8 private keys are not read; give an unencrypted PKCS#8 PEM Ed25519 key (openssl genpkey -algorithm ed25519), an unencrypted OpenSSH key (ssh-keygen -t ed25519 -N '') or a PRIVATE+KEY+ key".to_owned(),
        ));
    }
    if t.starts_with("-----BEGIN PUBLIC KEY-----")
        || t.starts_with("ssh-ed25519 ")
        || VerifierKey::parse(t).is_ok()
    {
        return Err(KeyFileError::WrongKind(
            "this is a public key; the signer needs its private key".to_owned(),
        ));
    }
    parse_private_key(t).map_err(|e| {
        KeyFileError::Malformed(match e {
            NoteError::InvalidSigner { reason, .. } => format!("private key: {reason}"),
            other => format!("private key: {other}"),
        })
    })
}

/// Reads a public key file read from `path`: a C2SP verifier key (named inside), or an SPKI
/// PEM Ed25519 public key or an OpenSSH `ssh-ed25519` line named after the file. A private key
/// given here is refused with a message saying so.
pub fn public_key_from_file(path: &Path, text: &str) -> Result<VerifierKey, KeyFileError> {
    let t = text.trim();
    if is_private_key_text(t) {
        return Err(KeyFileError::WrongKind(
            "this is a private key; give its public key (KEY.pub)".to_owned(),
        ));
    }
    let named = |public: [u8; 32]| -> Result<VerifierKey, KeyFileError> {
        let name = name_from_path(path).map_err(KeyFileError::Malformed)?;
        VerifierKey::from_ed25519(&name, public)
            .map_err(|e| KeyFileError::Malformed(format!("public key: {e}")))
    };
    if t.starts_with("-----BEGIN PUBLIC KEY-----") {
        let der = pem_block(t, "PUBLIC KEY").map_err(KeyFileError::Malformed)?;
        let public = key_after_prefix(&der, &SPKI_ED25519_PREFIX).ok_or_else(|| {
            KeyFileError::Malformed(
                "the PEM public key is not an Ed25519 key (RFC 8410 SubjectPublicKeyInfo)"
                    .to_owned(),
            )
        })?;
        return named(public);
    }
    if let Some(rest) = t.strip_prefix("ssh-ed25519 ") {
        let public = ssh_ed25519_public(rest).map_err(KeyFileError::Malformed)?;
        return named(public);
    }
    VerifierKey::parse(t).map_err(|e| KeyFileError::Malformed(format!("public key: {e}")))
}

/// `string "ssh-ed25519" ‖ string key(32)`, the OpenSSH public key blob of `public`.
fn ssh_ed25519_blob_prefix() -> Vec<u8> {
    let mut want = Vec::with_capacity(19);
    want.extend_from_slice(&11u32.to_be_bytes());
    want.extend_from_slice(b"ssh-ed25519");
    want.extend_from_slice(&32u32.to_be_bytes());
    want
}

/// The key of an OpenSSH public key line after `ssh-ed25519 `: base64 of the key blob, then an
/// optional comment.
fn ssh_ed25519_public(rest: &str) -> Result<[u8; 32], String> {
    let b64 = rest.split_ascii_whitespace().next().unwrap_or_default();
    let blob = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|e| format!("OpenSSH public key: not base64: {e}"))?;
    key_after_prefix(&blob, &ssh_ed25519_blob_prefix())
        .ok_or_else(|| "OpenSSH public key: not an ssh-ed25519 key blob".to_owned())
}

/// A reader of the SSH wire encoding (RFC 4251 §5): big-endian `uint32` and length-prefixed
/// `string`s, never past the end.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn u32(&mut self) -> Result<u32, String> {
        let (head, rest) = self
            .0
            .split_first_chunk::<4>()
            .ok_or_else(|| "truncated".to_owned())?;
        self.0 = rest;
        Ok(u32::from_be_bytes(*head))
    }
    fn string(&mut self) -> Result<&'a [u8], String> {
        let len = self.u32()? as usize;
        if len > self.0.len() {
            return Err("truncated".to_owned());
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(s)
    }
}

/// The Ed25519 seed of an unencrypted `openssh-key-v1` key (PROTOCOL.key of OpenSSH): one
/// `ssh-ed25519` key, cipher and KDF `none`, equal check integers, the public key the same in
/// both places and the one the seed gives, padding `1, 2, 3, …` to the block size.
fn openssh_ed25519_seed(blob: &[u8]) -> Result<[u8; 32], String> {
    let body = blob
        .strip_prefix(OPENSSH_MAGIC)
        .ok_or_else(|| "not an openssh-key-v1 key".to_owned())?;
    let mut w = Wire(body);
    let cipher = w.string()?;
    let kdf = w.string()?;
    let _kdf_options = w.string()?;
    if cipher != b"none" || kdf != b"none" {
        return Err(
            "encrypted (a passphrase is set); give an unencrypted copy (ssh-keygen -p -N '' -f COPY) or a PKCS#8 key"
                .to_owned(),
        );
    }
    if w.u32()? != 1 {
        return Err("not exactly one key".to_owned());
    }
    let public_blob = w.string()?;
    let private = w.string()?;
    if !w.0.is_empty() {
        return Err("bytes after the private section".to_owned());
    }
    let public = key_after_prefix(public_blob, &ssh_ed25519_blob_prefix())
        .ok_or_else(|| "not an ssh-ed25519 key".to_owned())?;
    let mut p = Wire(private);
    if p.u32()? != p.u32()? {
        return Err("check integers differ (a wrong passphrase or a damaged key)".to_owned());
    }
    if p.string()? != b"ssh-ed25519" {
        return Err("not an ssh-ed25519 key".to_owned());
    }
    if p.string()? != public.as_slice() {
        return Err("the private section's public key is not the file's".to_owned());
    }
    let secret = p.string()?;
    let _comment = p.string()?;
    for (i, b) in p.0.iter().enumerate() {
        if usize::from(*b) != i.saturating_add(1) {
            return Err("bad padding".to_owned());
        }
    }
    if p.0.len() >= 8 || private.len() % 8 != 0 {
        return Err("bad padding".to_owned());
    }
    // The secret is seed(32) ‖ public(32).
    let (seed, tail) = secret
        .split_first_chunk::<32>()
        .ok_or_else(|| "the secret key is not 64 bytes".to_owned())?;
    if tail != public.as_slice() {
        return Err("the secret key is not 64 bytes ending in the public key".to_owned());
    }
    let signer = Signer::from_seed("k", *seed).map_err(|e| e.to_string())?;
    if signer.public_key() != &public {
        return Err("the seed does not give the public key".to_owned());
    }
    Ok(*seed)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;

    /// Written by python-cryptography for the Ed25519 seed 00 01 … 1f
    /// (`private_bytes(PEM, OpenSSH, NoEncryption())` and the public key's OpenSSH line).
    const OPENSSH_PRIVATE: &str = "-----BEGIN OPENSSH PRIVATE KEY-----
b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZWQyNTUx
OQAAACADoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuAAAAIj1n0MB9Z9DAQAAAAtzc2gt
ZWQyNTUxOQAAACADoQe/884Qvh1w3RjnS8CZZ+TWMJulDV8d3IZkElUxuAAAAEAAAQIDBAUGBwgJ
CgsMDQ4PEBESExQVFhcYGRobHB0eHwOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4AAAA
AAECAwQF
-----END OPENSSH PRIVATE KEY-----
";
    const OPENSSH_PUBLIC: &str =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4 me@host";

    fn seed() -> [u8; 32] {
        core::array::from_fn(|i| i as u8)
    }

    #[test]
    fn openssh_private_key_gives_its_seed_and_matches_its_public_line() {
        let (signer, s) =
            private_key_from_file(Path::new("keys/release.openssh"), OPENSSH_PRIVATE).unwrap();
        assert_eq!(s, seed());
        assert_eq!(signer.name(), "release");
        let public = public_key_from_file(Path::new("keys/release.pub"), OPENSSH_PUBLIC).unwrap();
        assert_eq!(public, signer.to_verifier_key());
        // Each kind refused where the other is expected.
        assert!(matches!(
            public_key_from_file(Path::new("k"), OPENSSH_PRIVATE),
            Err(KeyFileError::WrongKind(_))
        ));
        assert!(matches!(
            private_key_from_file(Path::new("k"), OPENSSH_PUBLIC),
            Err(KeyFileError::WrongKind(_))
        ));
    }

    /// The decoded key blob, changed by `f`, re-encoded as a PEM file.
    fn mutated(f: impl Fn(&mut Vec<u8>)) -> String {
        let mut blob = pem_block(OPENSSH_PRIVATE, "OPENSSH PRIVATE KEY").unwrap();
        f(&mut blob);
        let b64 = base64::engine::general_purpose::STANDARD.encode(&blob);
        format!("{OPENSSH_BEGIN}\n{b64}\n-----END OPENSSH PRIVATE KEY-----\n")
    }

    #[test]
    fn damaged_or_encrypted_openssh_keys_are_refused() {
        let read = |text: &str| private_key_from_file(Path::new("k"), text);
        let find = |hay: &[u8], needle: &[u8]| {
            hay.windows(needle.len()).position(|w| w == needle).unwrap()
        };
        // A cipher other than none: "encrypted".
        let enc = mutated(|b| {
            let at = find(b, b"none");
            b.splice(
                at - 4..at + 4,
                [&6u32.to_be_bytes()[..], b"aes256"].concat(),
            );
        });
        let e = read(&enc).unwrap_err().to_string();
        assert!(e.contains("encrypted"), "{e}");
        // Check integers that differ.
        let check = mutated(|b| {
            let at = find(b, &[0xf5, 0x9f, 0x43, 0x01]);
            b[at] ^= 1;
        });
        assert!(read(&check)
            .unwrap_err()
            .to_string()
            .contains("check integers"));
        // A seed that does not give the public key (one seed byte flipped).
        let seed_flip = mutated(|b| {
            let at = find(b, &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
            b[at + 5] ^= 1;
        });
        assert!(read(&seed_flip)
            .unwrap_err()
            .to_string()
            .contains("does not give the public key"));
        // Bad padding, and truncation at every length.
        let pad = mutated(|b| {
            let n = b.len();
            b[n - 1] = 9;
        });
        assert!(read(&pad).unwrap_err().to_string().contains("padding"));
        let full = pem_block(OPENSSH_PRIVATE, "OPENSSH PRIVATE KEY").unwrap();
        for n in 0..full.len() {
            let cut = mutated(|b| b.truncate(n));
            assert!(read(&cut).is_err(), "truncated to {n} bytes");
        }
        // Two keys.
        let two = mutated(|b| {
            let at = OPENSSH_MAGIC.len() + 4 + 4 + 4 + 4 + 4;
            b[at + 3] = 2;
        });
        assert!(read(&two)
            .unwrap_err()
            .to_string()
            .contains("exactly one key"));
    }
}
