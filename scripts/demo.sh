#!/usr/bin/env bash
# The main job on bundled fixtures: build prov-verify, then verify the Merkle fixtures
# (a root, an inclusion proof, a consistency proof, a signed checkpoint) and show that a
# tampered proof fails (exit 1) and a malformed one is refused (exit 2).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -q -p prov-verify
PV=target/release/prov-verify
F=fixtures/merkle

# Runs a command, shows it, and checks its exit status.
run() {
  local want=$1; shift
  printf '\n$ prov-verify %s\n' "$*"
  local got=0
  "$PV" "$@" || got=$?
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
echo
echo "demo: all outcomes as expected"
