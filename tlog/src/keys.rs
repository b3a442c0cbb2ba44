//! Key files of a log.
//!
//! * private key (`--key KEY`): one line `PRIVATE+KEY+<name>+<key ID>+<base64(0x01 ‖ seed)>`
//!   ([`merkle::note::private_key_string`], the format audit-pack uses), written with mode 0600;
//! * public key (`KEY.pub`): one line, the C2SP verifier key `<name>+<key ID>+<base64>`;
//! * or, read only, the standard formats of [`merkle::note::keyfile`]: PKCS#8 PEM and
//!   unencrypted OpenSSH private keys, SPKI PEM and `ssh-ed25519` public keys, named after the
//!   file up to its first dot (the name is the log's origin).

use crate::fsio::{read_limited, sync_dir};
use crate::TlogError;
use merkle::note::{keyfile, private_key_string, Signer, VerifierKey};
use ring::rand::{SecureRandom, SystemRandom};
use std::io::Write;
use std::path::{Path, PathBuf};

const MAX_KEY_FILE: usize = 1024;

/// Reads a private key file.
pub fn load_signer(path: &Path) -> Result<Signer, TlogError> {
    let text = read_limited(path, MAX_KEY_FILE)?
        .ok_or_else(|| TlogError::Input(format!("{}: no such key file", path.display())))?;
    let text = String::from_utf8(text)
        .map_err(|_| TlogError::Input(format!("{}: not UTF-8", path.display())))?;
    keyfile::private_key_from_file(path, &text)
        .map(|(signer, _seed)| signer)
        .map_err(|e| TlogError::Input(format!("{}: {e}", path.display())))
}

/// The public key file path for a private key file: `KEY.pub`.
pub fn public_key_path(key: &Path) -> PathBuf {
    let mut s = key.as_os_str().to_owned();
    s.push(".pub");
    PathBuf::from(s)
}

/// Generates a key named `name`, writes it to `path` (which must not exist; mode 0600) and the
/// verifier key to `path.pub`. The key's folder is created if it does not exist.
pub fn generate(path: &Path, name: &str) -> Result<Signer, TlogError> {
    let mut seed = [0u8; 32];
    SystemRandom::new()
        .fill(&mut seed)
        .map_err(|_| TlogError::Input("the system random number generator failed".into()))?;
    let text = private_key_string(name, &seed)?;
    let signer = Signer::from_seed(name, seed)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| TlogError::io(dir, e))?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| TlogError::io(path, e))?;
    f.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| TlogError::io(path, e))?;
    let pub_path = public_key_path(path);
    std::fs::write(&pub_path, format!("{}\n", signer.verifier_key()))
        .map_err(|e| TlogError::io(&pub_path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        sync_dir(dir)?;
    }
    Ok(signer)
}

/// A verifier key given as the key string itself or as a file holding it.
pub fn parse_verifier_key(arg: &str) -> Result<VerifierKey, TlogError> {
    let text = verifier_key_text(arg)?;
    VerifierKey::parse(text.trim()).map_err(|e| TlogError::Input(format!("verifier key: {e}")))
}

/// The text of a verifier key given as the key string itself or as a file holding it (read,
/// bounded), not yet parsed. A file may also hold an SPKI PEM or OpenSSH `ssh-ed25519` public
/// key, named after the file ([`merkle::note::keyfile`]): its C2SP verifier key is returned. A
/// private key file is refused, saying so.
pub fn verifier_key_text(arg: &str) -> Result<String, TlogError> {
    let path = Path::new(arg);
    if !arg.contains('+') || path.is_file() {
        let bytes = read_limited(path, MAX_KEY_FILE)?
            .ok_or_else(|| TlogError::Input(format!("{arg}: neither a verifier key nor a file")))?;
        let text =
            String::from_utf8(bytes).map_err(|_| TlogError::Input(format!("{arg}: not UTF-8")))?;
        match keyfile::public_key_from_file(path, &text) {
            Ok(key) => Ok(key.to_vkey()),
            Err(keyfile::KeyFileError::WrongKind(reason)) => {
                Err(TlogError::Input(format!("{arg}: {reason}")))
            }
            // Left to the caller's own reading, and its message.
            Err(keyfile::KeyFileError::Malformed(_)) => Ok(text),
        }
    } else {
        Ok(arg.to_owned())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn generate_creates_the_key_folder_and_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("tlog-keys-{}", std::process::id()));
        let key = dir.join("new/folder/log.key");
        let signer = generate(&key, "example.com/log").unwrap();
        assert_eq!(
            load_signer(&key).unwrap().verifier_key(),
            signer.verifier_key()
        );
        assert!(public_key_path(&key).exists());
        // A second generate on the same path is refused: a key is never replaced.
        assert!(generate(&key, "example.com/log").is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The log reads the standard key files too: a PKCS#8 PEM private key (RFC 8410 §10.3's
    /// example seed) is the signer named after its file, its SPKI PEM public key the verifier
    /// key, and a private key given as a verifier key is refused.
    #[test]
    fn standard_key_files_are_read() {
        let dir = std::env::temp_dir().join(format!("tlog-stdkeys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let private = dir.join("mylog.pem");
        let public = dir.join("mylog.pub.pem");
        std::fs::write(
            &private,
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n",
        )
        .unwrap();
        std::fs::write(
            &public,
            "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n",
        )
        .unwrap();
        let signer = load_signer(&private).unwrap();
        assert_eq!(signer.name(), "mylog");
        let vkey = parse_verifier_key(public.to_str().unwrap()).unwrap();
        assert_eq!(vkey, signer.to_verifier_key());
        let err = parse_verifier_key(private.to_str().unwrap()).unwrap_err();
        assert!(err.to_string().contains("this is a private key"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
