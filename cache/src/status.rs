//! `cache status`: what is cached, as recorded when each repository was last written.
//! Nothing is verified here (that is `cache verify`); expiry is compared with the time given.

use crate::error::Error;
use crate::layout::CacheDir;
use crate::repo::{State, MAX_STATE_LEN};
use plugin_api::VerificationTime;
use serde::Serialize;

/// One repository's recorded state. Serialized with every time in RFC 3339 (UTC):
/// `{name, generation, source, last_refresh, metadata_url, targets_url, targets,
/// roles: [{role, version, expires}], expired}`.
#[derive(Debug, Clone)]
pub struct RepoStatus {
    /// The committed generation directory name (`gen-000003`).
    pub generation: String,
    /// The recorded state (URLs, targets, last refresh, role versions and expiry).
    pub state: State,
    /// Roles whose recorded expiry is at or before the time given.
    pub expired: Vec<String>,
}

impl Serialize for RepoStatus {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Role<'a> {
            role: &'a str,
            version: u64,
            expires: String,
        }
        #[derive(Serialize)]
        struct View<'a> {
            name: &'a str,
            generation: &'a str,
            source: &'a str,
            last_refresh: String,
            metadata_url: &'a str,
            targets_url: &'a str,
            targets: &'a [String],
            roles: Vec<Role<'a>>,
            expired: &'a [String],
        }
        let st = &self.state;
        View {
            name: &st.name,
            generation: &self.generation,
            source: &st.source,
            last_refresh: VerificationTime::from_unix_seconds(st.last_refresh).to_rfc3339(),
            metadata_url: &st.metadata_url,
            targets_url: &st.targets_url,
            targets: &st.targets,
            roles: st
                .roles
                .iter()
                .map(|r| Role {
                    role: &r.role,
                    version: r.version,
                    expires: plugin_api::time::format_rfc3339(r.expires_unix),
                })
                .collect(),
            expired: &self.expired,
        }
        .serialize(s)
    }
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
            generation,
            state,
            expired,
        });
    }
    Ok(out)
}
