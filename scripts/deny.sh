#!/usr/bin/env bash
# cargo-deny offline: advisories from the RustSec snapshot in ../shared/advisory-db (presented as
# the git repository cargo-deny reads, under target/advisory-dbs), licences, bans and sources of
# deny.toml. Installs cargo-deny if it is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v cargo-deny >/dev/null 2>&1 || cargo install cargo-deny --locked --debug --version 0.20.2
src=../shared/advisory-db
# The directory name cargo-deny derives from the db-urls entry of deny.toml.
db=target/advisory-dbs/advisory-db-3157b0e258782691
rm -rf "$db"
mkdir -p "$db"
cp -r "$src"/. "$db"/
(
  cd "$db"
  git init -q
  git add -A
  GIT_AUTHOR_DATE=2026-08-21T00:00:00Z GIT_COMMITTER_DATE=2026-08-21T00:00:00Z \
    git -c user.name=snapshot -c user.email=snapshot@localhost commit -q -m "advisory-db snapshot"
)
# Every crate of the lock file present locally (the build fetched them; this is a no-op then).
cargo fetch --locked -q
cargo deny --offline check "$@"
