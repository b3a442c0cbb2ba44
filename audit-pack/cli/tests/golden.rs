//! Golden CLI tests of `audit-pack`: every `golden/*.toml` runs the tool (from the repository
//! root, or in a sandbox copy of `NAME.in/`) and compares stdout, stderr and the exit status.
//! Review changes with `TRYCMD=overwrite cargo test -p audit-pack-cli --test golden`.

#[test]
fn golden() {
    trycmd::TestCases::new()
        .env("SOURCE_DATE_EPOCH", "1795400000")
        .case("golden/*.toml");
}
