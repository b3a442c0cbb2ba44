#!/usr/bin/env bash
# Release binaries, built reproducibly (scripts/reproducible-env.sh), with their SHA-256.
#   bash scripts/release-build.sh                       build target/release/{prov-verify,audit-pack}
#   bash scripts/release-build.sh --check-reproducible  and build the same sources again in another
#       directory (target/repro/prov-verify, its own target dir, nothing shared but the Cargo
#       registry) and fail unless both binaries are byte-identical; the result is written to
#       target/release-reproducibility.txt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
check=0
case "${1:-}" in
  "") ;;
  --check-reproducible) check=1 ;;
  *) echo "usage: bash scripts/release-build.sh [--check-reproducible]" >&2; exit 2 ;;
esac
# shellcheck source=scripts/reproducible-env.sh
source scripts/reproducible-env.sh
unset CARGO_TARGET_DIR CARGO_BUILD_TARGET_DIR
BINS=(prov-verify audit-pack)
cargo build --release --locked -q -p prov-verify -p audit-pack-cli
(cd target/release && sha256sum "${BINS[@]}")
[ "$check" = 1 ] || exit 0

second=target/repro/prov-verify
rm -rf target/repro
mkdir -p "$second"
# The working tree as a fresh checkout would hold it: tracked files and untracked ones that are
# not ignored (so an uncommitted change is in both builds), nothing from target/.
git ls-files -z --cached --others --exclude-standard | tar -c --null -T - -f - | tar -x -C "$second" -f -
echo "second build in $second (its own target directory)"
(cd "$second" && bash scripts/release-build.sh >/dev/null)
report=target/release-reproducibility.txt
status=0
{
  echo "reproducible release build: the same sources built in two directories"
  echo "rustc: $(rustc --version)"
  for b in "${BINS[@]}"; do
    a_sum=$(sha256sum "target/release/$b" | cut -d' ' -f1)
    b_sum=$(sha256sum "$second/target/release/$b" | cut -d' ' -f1)
    if [ "$a_sum" = "$b_sum" ]; then
      echo "$b: identical, sha256 $a_sum, $(stat -c %s "target/release/$b") bytes"
    else
      echo "$b: DIFFERENT: $a_sum vs $b_sum ($(cmp "target/release/$b" "$second/target/release/$b" | head -n 1))"
      status=1
    fi
  done
} | tee "$report"
grep -q DIFFERENT "$report" && status=1
# The second tree and its target directory are large; only the verdict is kept.
rm -rf target/repro
exit "$status"
