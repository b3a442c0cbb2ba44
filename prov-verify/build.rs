//! Code layout of the release binary: where the linker is lld (Rust's default linker for
//! x86_64-unknown-linux-gnu since 1.90), it is given `link/symbol-order.txt`, the functions
//! the common commands run, to place next to each other. A process then maps that code with
//! about 20 page faults instead of 80 (docs/benchmarks.md). Layout only: the same functions,
//! the same behaviour; a listed name the binary lacks is skipped. Any other target, linker or
//! profile links as before; `PROV_VERIFY_NO_SYMBOL_ORDER=1` turns it off.

use std::env;
use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    println!("cargo:rerun-if-env-changed=PROV_VERIFY_NO_SYMBOL_ORDER");
    if !links_with_default_lld() || env::var_os("PROV_VERIFY_NO_SYMBOL_ORDER").is_some() {
        return;
    }
    let Some(dir) = env::var_os("CARGO_MANIFEST_DIR") else {
        return;
    };
    let order = PathBuf::from(dir).join("link").join("symbol-order.txt");
    if !order.is_file() {
        return;
    }
    println!(
        "cargo:rustc-link-arg-bin=prov-verify=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    // Names the binary no longer has (a renamed function, another toolchain) are not errors.
    println!("cargo:rustc-link-arg-bin=prov-verify=-Wl,--no-warn-symbol-ordering");
}

/// Whether this build links with rustc's own lld: a release build for x86_64-unknown-linux-gnu
/// by rustc 1.90 or later, with no linker chosen in the configuration or the flags.
fn links_with_default_lld() -> bool {
    let var = |k: &str| env::var(k).unwrap_or_default();
    if var("TARGET") != "x86_64-unknown-linux-gnu" || var("PROFILE") != "release" {
        return false;
    }
    if env::var_os("RUSTC_LINKER").is_some()
        || env::var_os("CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER").is_some()
    {
        return false;
    }
    let flags = var("CARGO_ENCODED_RUSTFLAGS");
    if flags.contains("linker") || flags.contains("link-self-contained") {
        return false;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let Ok(out) = Command::new(rustc).arg("-vV").output() else {
        return false;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let version = text.lines().find_map(|l| l.strip_prefix("release: "));
    let mut parts = version
        .unwrap_or_default()
        .split('.')
        .map(str::parse::<u32>);
    match (parts.next(), parts.next()) {
        (Some(Ok(major)), Some(Ok(minor))) => (major, minor) >= (1, 90),
        _ => false,
    }
}
