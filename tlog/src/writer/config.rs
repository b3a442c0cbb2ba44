//! `log.json` and the published checkpoint: creating a log ([`init`]) and reading what it
//! published ([`read_config`], [`read_checkpoint`]).

use super::journal::{checkpoint_record, pending_header};
use super::{sign_checkpoint, CHECKPOINT_FILE, CONFIG_FILE, MAX_CHECKPOINT, PENDING_FILE};
use crate::fsio::{read_limited, Durable};
use crate::TlogError;
use merkle::checkpoint::Checkpoint;
use merkle::note::{Signer, VerifierKey};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The largest `log.json` read, in bytes.
const MAX_CONFIG: usize = 16 * 1024;

/// `log.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The checkpoint origin line (also the key name).
    pub origin: String,
    /// The verifier key of the log's signing key.
    pub vkey: String,
}

/// Creates a log in `dir` (which must not hold one) for `signer`, whose key name is the origin,
/// and publishes the signed checkpoint of the empty tree.
pub fn init(dir: &Path, signer: &Signer) -> Result<Config, TlogError> {
    let config_path = dir.join(CONFIG_FILE);
    if config_path.exists() {
        return Err(TlogError::Input(format!(
            "{} already exists: the directory already holds a log",
            config_path.display()
        )));
    }
    let config = Config {
        origin: signer.name().to_owned(),
        vkey: signer.verifier_key(),
    };
    let json = serde_json::to_vec_pretty(&config).map_err(|e| TlogError::Input(e.to_string()))?;
    let note = sign_checkpoint(signer, 0, merkle::empty_root())?;
    let mut journal = pending_header(0);
    checkpoint_record(note.as_bytes(), &mut journal)?;
    let mut d = Durable::new();
    d.put(&dir.join(PENDING_FILE), &journal)?;
    d.put(&dir.join(CHECKPOINT_FILE), note.as_bytes())?;
    d.put(&config_path, &json)?;
    d.commit()?;
    Ok(config)
}

/// Reads `log.json`.
pub fn read_config(dir: &Path) -> Result<(Config, VerifierKey), TlogError> {
    let path = dir.join(CONFIG_FILE);
    let bytes = read_limited(&path, MAX_CONFIG)?
        .ok_or_else(|| TlogError::Input(format!("{}: no log here (missing)", path.display())))?;
    let config: Config = plugin_api::json::from_slice(&bytes)
        .map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    let vkey =
        VerifierKey::parse(&config.vkey).map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    if vkey.name() != config.origin {
        return Err(TlogError::corrupt(
            &path,
            "key name differs from the origin",
        ));
    }
    Ok((config, vkey))
}

/// Reads and verifies the checkpoint in `dir` with `vkey` (origin = key name). `None` if absent.
pub fn read_checkpoint(
    dir: &Path,
    vkey: &VerifierKey,
) -> Result<Option<(Checkpoint, Vec<u8>)>, TlogError> {
    let path = dir.join(CHECKPOINT_FILE);
    let Some(bytes) = read_limited(&path, MAX_CHECKPOINT)? else {
        return Ok(None);
    };
    let cp = merkle::checkpoint::open(&bytes, std::slice::from_ref(vkey), Some(vkey.name()))
        .map_err(|e| TlogError::corrupt(&path, e.to_string()))?;
    Ok(Some((cp.into_checkpoint(), bytes)))
}
