//! Code layout of the release binary: when the linker is lld (Rust's default linker for
//! x86_64-unknown-linux-gnu since 1.90), it is given `link/symbol-order.txt`, the functions
//! the common commands run, to place next to each other. A process then maps that code with
//! about 11 page faults instead of 76 (docs/benchmarks.md). Layout only: the same functions,
//! the same behaviour; a listed name the binary lacks is skipped.
//!
//! Whether the linker takes the option is not guessed: a probe program is linked with it,
//! with this build's rustc, flags and linker. Any other target, a linker that refuses it
//! (GNU ld, a distribution's rustc linking with `cc`), a debug build, or
//! `PROV_VERIFY_NO_SYMBOL_ORDER=1`: linked as before.

use std::env;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const TARGET: &str = "x86_64-unknown-linux-gnu";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=link/symbol-order.txt");
    for var in [
        "PROV_VERIFY_NO_SYMBOL_ORDER",
        "RUSTC_LINKER",
        "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_LINKER",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }
    let var = |k: &str| env::var(k).unwrap_or_default();
    if var("TARGET") != TARGET
        || var("PROFILE") != "release"
        || env::var_os("PROV_VERIFY_NO_SYMBOL_ORDER").is_some()
    {
        return;
    }
    let (Some(dir), Some(out)) = (env::var_os("CARGO_MANIFEST_DIR"), env::var_os("OUT_DIR")) else {
        return;
    };
    let order = PathBuf::from(dir).join("link").join("symbol-order.txt");
    if !order.is_file() {
        return;
    }
    // `-Xlinker` and the option as two words: a comma in the path would split `-Wl,`.
    let mut option = OsString::from("--symbol-ordering-file=");
    option.push(&order);
    let args = [
        OsString::from("-Xlinker"),
        option,
        // Names the binary no longer has (a renamed function, another toolchain) are no error.
        OsString::from("-Xlinker"),
        OsString::from("--no-warn-symbol-ordering"),
    ];
    if !linker_accepts(&args, Path::new(&out)) {
        return;
    }
    for a in &args {
        if let Some(a) = a.to_str() {
            println!("cargo:rustc-link-arg-bin=prov-verify={a}");
        }
    }
}

/// Whether an empty program links with `link_args` added, using this build's rustc, target,
/// flags and linker.
fn linker_accepts(link_args: &[OsString], out_dir: &Path) -> bool {
    let probe = out_dir.join("symbol-order-probe.rs");
    if std::fs::write(&probe, "fn main() {}\n").is_err() {
        return false;
    }
    let rustc = env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let mut cmd = Command::new(rustc);
    cmd.arg("--target")
        .arg(TARGET)
        .arg("--crate-type=bin")
        .arg("--crate-name=symbol_order_probe")
        .arg("-o")
        .arg(out_dir.join("symbol-order-probe"))
        .arg(&probe);
    let flags = env::var("CARGO_ENCODED_RUSTFLAGS").unwrap_or_default();
    cmd.args(flags.split('\x1f').filter(|f| !f.is_empty()));
    if let Some(linker) = env::var_os("RUSTC_LINKER") {
        let mut arg = OsString::from("-Clinker=");
        arg.push(linker);
        cmd.arg(arg);
    }
    for a in link_args {
        let mut arg = OsString::from("-Clink-arg=");
        arg.push(a);
        cmd.arg(arg);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}
