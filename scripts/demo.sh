#!/usr/bin/env bash
# The main job on bundled fixtures:
#  1. prov-verify on the Merkle fixtures (a root, an inclusion proof, a consistency proof, a
#     signed checkpoint); a tampered proof fails (exit 1), a malformed one is refused (exit 2);
#  2. audit-pack: build the sample organisation's pack, check it is byte-identical to the one
#     checked in (reproducible), verify it, and show a hostile pack rejected.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -q -p prov-verify -p audit-pack
PV=target/release/prov-verify
AP=target/release/audit-pack
F=fixtures/merkle

# Runs a command, shows it, and checks its exit status.
run() {
  local want=$1; shift
  printf '\n$ prov-verify %s\n' "$*"
  check "$want" "$PV" "$@"
}
run_ap() {
  local want=$1; shift
  printf '\n$ audit-pack %s\n' "$*"
  check "$want" "$AP" "$@"
}
check() {
  local want=$1; shift
  local got=0
  "$@" || got=$?
  if [ "$got" != "$want" ]; then
    echo "demo: expected exit $want, got $got" >&2
    exit 1
  fi
  echo "(exit $got)"
}

RFC6962_ROOT=5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328
run 0 merkle root --dir $F/leaves --expect $RFC6962_ROOT
run 0 merkle verify-inclusion --proof-file $F/inclusion-3-of-8.json
run 0 merkle verify-consistency --proof-file $F/consistency-5-to-8.json
run 0 merkle verify-checkpoint --key "$(cat $F/log.vkey)" --origin example.com/prov-verify-demo $F/checkpoint-8.txt
run 0 merkle verify-inclusion --leaf $F/leaves/leaf-3.bin --proof-file $F/inclusion-3-of-8-no-leaf.json --json
run 1 merkle verify-inclusion --proof-file $F/tampered-inclusion.json
run 1 merkle verify-checkpoint --key "$(cat $F/log.vkey)" $F/checkpoint-8-tampered.txt
run 2 merkle verify-inclusion --proof-file $F/malformed-inclusion.json

E=fixtures/evidence
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
run_ap 0 build --org acme --evidence $E/acme --controls $E/control-map.csv \
  --key $E/keys/acme-audit-pack.key --manifest-key $E/keys/acme-release.pub --date 2026-11-23 --out "$OUT"
cmp "$OUT/audit-pack-acme-2026-11-23.tgz" $E/audit-pack-acme-2026-11-23.tgz
echo "(byte-identical to the checked-in pack: reproducible)"
run_ap 0 verify "$OUT/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub
run_ap 1 verify $E/hostile/forged-signature.tgz --key $E/keys/acme-audit-pack.pub
echo
echo "demo: all outcomes as expected"
