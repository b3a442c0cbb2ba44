//! Golden CLI tests: every `golden/*.toml` runs `prov-verify` from the repository root and
//! compares stdout/stderr with the `.stdout`/`.stderr` files beside it and the exit status.
//! Review changes with `TRYCMD=overwrite cargo test -p prov-verify --test golden` and `git diff`.

#[test]
fn golden() {
    // No case may depend on the machine's own offline cache (~/.cache/prov-verify): the
    // default cache directory is moved to one that does not exist; cases that need a cache
    // pass --cache-dir.
    let no_cache = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/golden-no-cache");
    trycmd::TestCases::new()
        .env("XDG_CACHE_HOME", no_cache)
        .case("../golden/*.toml");
}
