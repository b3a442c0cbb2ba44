//! Golden CLI tests: every `golden/*.toml` runs `prov-verify` from the repository root and
//! compares stdout/stderr with the `.stdout`/`.stderr` files beside it and the exit status.
//! Review changes with `TRYCMD=overwrite cargo test -p prov-verify --test golden` and `git diff`.

#[test]
fn golden() {
    trycmd::TestCases::new().case("../golden/*.toml");
}
