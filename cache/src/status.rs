//! `cache status`: what is cached, as recorded when each repository was last written.
//! Nothing is verified here (that is `cache verify`); expiry is compared with the time given.

use crate::error::Error;
use crate::layout::CacheDir;
use crate::repo::{State, MAX_STATE_LEN};
use plugin_api::VerificationTime;
use serde::Serialize;

/// One repository's recorded state.
#[derive(Debug, Clone, Serialize)]
pub struct RepoStatus {
    /// The committed generation directory name (`gen-000003`).
    pub generation: String,
    /// `last_refresh` as `YYYY-MM-DDTHH:MM:SSZ`.
    pub last_refresh_utc: String,
    /// The recorded state (URLs, targets, last refresh, role versions and expiry).
    #[serde(flatten)]
    pub state: State,
    /// Roles whose recorded expiry is at or before the time given.
    pub expired: Vec<String>,
}

/// The recorded state of every cached repository, with expiry judged at `now`.
pub fn status(cache: &CacheDir, now: VerificationTime) -> Result<Vec<RepoStatus>, Error> {
    let now = i64::try_from(now.unix_seconds()).unwrap_or(i64::MAX);
    let mut out = Vec::new();
    for name in cache.repositories()? {
        let Some(gen) = cache.current_generation(&name)? else {
            continue;
        };
        let path = gen.join("state.json");
        let state = State::from_json(
            &crate::fsutil::read(&path, MAX_STATE_LEN)?,
            &path.display().to_string(),
        )?;
        let expired = state
            .roles
            .iter()
            .filter(|r| r.expires_unix <= now)
            .map(|r| r.role.clone())
            .collect();
        let generation = gen
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        out.push(RepoStatus {
            last_refresh_utc: plugin_api::VerificationTime::from_unix_seconds(state.last_refresh)
                .to_rfc3339(),
            generation,
            state,
            expired,
        });
    }
    Ok(out)
}
