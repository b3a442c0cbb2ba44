#!/usr/bin/env bash
# Release binaries, built reproducibly (scripts/reproducible-env.sh), with their SHA-256.
#   bash scripts/release-build.sh                       build target/release/{prov-verify,audit-pack}
#   bash scripts/release-build.sh --static              and static ones (x86_64-unknown-linux-musl) in
#       target/x86_64-unknown-linux-musl/release/: no dynamic loader, no libc needed on the machine
#       that runs them. Needs `rustup target add x86_64-unknown-linux-musl` and musl-gcc
#       (Debian: musl-tools); the script says which is missing.
#   bash scripts/release-build.sh --check-reproducible  and build the same sources again in another
#       directory (target/repro/prov-verify, its own target dir, nothing shared but the Cargo
#       registry) and fail unless every binary is byte-identical; the result is written to
#       target/release-reproducibility.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=0 static=0
for arg in "$@"; do
  case "$arg" in
    --check-reproducible) check=1 ;;
    --static) static=1 ;;
    *) echo "usage: bash scripts/release-build.sh [--static] [--check-reproducible]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/reproducible-env.sh
source scripts/reproducible-env.sh
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
MUSL=x86_64-unknown-linux-musl
BINS=(release/prov-verify release/audit-pack)
cargo build --release --locked -q -p prov-verify -p audit-pack-cli
if [ "$static" = 1 ]; then
  rustup target list --installed 2>/dev/null | grep -qx "$MUSL" \
    || { echo "error: the $MUSL target is not installed: rustup target add $MUSL" >&2; exit 2; }
  command -v musl-gcc >/dev/null 2>&1 \
    || { echo "error: musl-gcc not found (it compiles the C code of aws-lc-sys and ring): apt-get install musl-tools" >&2; exit 2; }
  cargo build --release --locked -q --target "$MUSL" -p prov-verify -p audit-pack-cli
  static_bins=("$MUSL/release/prov-verify" "$MUSL/release/audit-pack")
  BINS+=("${static_bins[@]}")
  # Static: no program interpreter (PT_INTERP) in the ELF program headers.
  for b in "${static_bins[@]}"; do
    python3 - "target/$b" <<'PY' || { echo "error: target/$b is not a static executable" >&2; exit 1; }
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\x7fELF" and data[4] == 2, "not a 64-bit ELF file"
phoff, = struct.unpack_from("<Q", data, 0x20)
phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
types = [struct.unpack_from("<I", data, phoff + i * phentsize)[0] for i in range(phnum)]
sys.exit(1 if 3 in types else 0)  # 3 = PT_INTERP: a dynamic loader is needed
PY
  done
fi
(cd target && sha256sum "${BINS[@]}")
[ "$check" = 1 ] || exit 0

second=target/repro/prov-verify
rm -rf target/repro
mkdir -p "$second"
# The working tree as a fresh checkout would hold it: tracked files and untracked ones that are
# not ignored (so an uncommitted change is in both builds), nothing from target/.
git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - | tar -x -C "$second" -f -
echo "second build in $second (its own target directory)"
second_args=()
[ "$static" = 1 ] && second_args+=(--static)
(cd "$second" && bash scripts/release-build.sh "${second_args[@]}" >/dev/null)
report=target/release-reproducibility.txt
{
  echo "reproducible release build: the same sources built in two directories"
  echo "rustc: $(rustc --version)"
  for b in "${BINS[@]}"; do
    a_sum=$(sha256sum "target/$b" | cut -d' ' -f1)
    b_sum=$(sha256sum "$second/target/$b" | cut -d' ' -f1)
    if [ "$a_sum" = "$b_sum" ]; then
      echo "$b: identical, sha256 $a_sum, $(stat -c %s "target/$b") bytes"
    else
      echo "$b: DIFFERENT: $a_sum vs $b_sum ($(cmp "target/$b" "$second/target/$b" | head -n 1))"
    fi
  done
} | tee "$report"
# (The block above runs in a pipeline's subshell: the verdict is read back from the report.)
status=0
grep -q DIFFERENT "$report" && status=1
# The second tree and its target directory are large; only the verdict is kept.
rm -rf target/repro
exit "$status"
