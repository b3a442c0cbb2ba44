#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 600), JOBS targets at a time
# (default 2, one core each), after seeding each corpus from the bundled fixtures and the
# shared conformance kits. Prints one summary line per target and exits non-zero if any target
# found a crash, leak, timeout or out-of-memory input (kept under fuzz/artifacts/TARGET/).
#
#   scripts/fuzz.sh [SECONDS] [JOBS] [TARGET...]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz --locked`); on a stable toolchain the nightly
# flags are enabled with RUSTC_BOOTSTRAP=1. The fuzz crate is outside the workspace and
# builds into fuzz/target (or CARGO_TARGET_DIR). Every target is built once, first; the runs
# then execute those binaries (a source edit during a campaign changes nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SECONDS_EACH=${1:-600}
JOBS=${2:-2}
shift $(( $# > 2 ? 2 : $# )) || true
KIT=$ROOT/../shared/conformance
export RUSTC_BOOTSTRAP=1

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' fuzz/Cargo.toml | grep -v '^prov-verify-fuzz$')
fi

seed() { # seed TARGET FILE...
  local dir=fuzz/corpus/$1; shift
  mkdir -p "$dir"
  local f
  for f in "$@"; do
    [ -f "$f" ] || continue
    cp "$f" "$dir/seed-$(sha256sum "$f" | cut -c1-16)"
  done
}
seed_text() { # seed_text TARGET TEXT
  mkdir -p "fuzz/corpus/$1"
  printf '%s' "$2" > "fuzz/corpus/$1/seed-$(printf '%s' "$2" | sha256sum | cut -c1-16)"
}

shopt -s nullglob globstar
seed note_open fixtures/merkle/checkpoint-8*.txt fixtures/tlog/log/checkpoint fixtures/cosign/log/checkpoint
seed checkpoint_body fixtures/merkle/checkpoint-8*.txt fixtures/tlog/log/checkpoint
seed proofs fixtures/merkle/*.json
seed report_json fixtures/evidence/reports/*.json
seed audit_pack_reader fixtures/evidence/*.tgz fixtures/evidence/hostile/*.tgz fixtures/evidence/insecure/*.tgz
seed audit_pack_index fixtures/evidence/control-map.csv
seed control_map_csv fixtures/evidence/control-map.csv fixtures/evidence/**/control-map*.csv
seed x509_cert fixtures/x509/gen/*.pem fixtures/x509/gen/*.der
seed x509_cms fixtures/x509/gen/*.p7s fixtures/x509/gen/*.cms.der
seed tuf_metadata fixtures/tuf/initial-root.json fixtures/tuf/repo/**/*.json
seed tuf_cache_archive fixtures/tuf/sigstore-cache.tgz
seed tlog_entry fixtures/tlog/batch.jsonl
seed tlog_receipt fixtures/tlog/receipt-*.json fixtures/cosign/receipts/*.json
seed cosign_bundle fixtures/cosign/*.sigstore.json fixtures/cosign/trusted_root.json
seed cosign_batch_line fixtures/cosign/*.jsonl
seed_text cosign_batch_line '{"bundle":"b.sigstore.json","artifact":"a.txt","certificate_identity":"https://example.com/id","certificate_oidc_issuer":"https://issuer.example"}'
seed_text cosign_batch_line '{"bundle":"b.sigstore.json","artifact":"a.txt","key":"key.pub"}'
seed_text tile_path 'tile/0/x001/234'
seed_text tile_path 'tile/1/000.p/5'
seed_text tile_path 'tile/entries/002'
seed_text http_response_head $'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\n'
seed_text http_response_head $'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n'
seed_text http_response_head $'HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n'
# The kit's real tokens, decoded from the bundles' signedTimestamp fields.
if [ -d "$KIT/sigstore/cases" ]; then
  mkdir -p fuzz/corpus/tsa_token fuzz/corpus/cosign_bundle
  python3 - "$KIT/sigstore/cases" fuzz/corpus/tsa_token <<'PY'
import base64, hashlib, json, pathlib, sys
out = pathlib.Path(sys.argv[2])
for p in sorted(pathlib.Path(sys.argv[1]).glob("*/bundle.sigstore.json")):
    try:
        b = json.loads(p.read_bytes())
        ts = b["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"]
    except (KeyError, TypeError, ValueError):
        continue
    for t in ts:
        raw = base64.b64decode(t.get("signedTimestamp", ""))
        (out / ("seed-" + hashlib.sha256(raw).hexdigest()[:16])).write_bytes(raw)
PY
  seed cosign_bundle "$KIT"/sigstore/cases/happy-path*/bundle.sigstore.json
fi

echo "building ${#targets[@]} targets (release, address sanitizer)..."
mkdir -p fuzz/logs
(cd fuzz && cargo fuzz build -O >/dev/null 2>logs/build.log) || { cat fuzz/logs/build.log; exit 2; }

BIN=${CARGO_TARGET_DIR:-$ROOT/fuzz/target}/x86_64-unknown-linux-gnu/release
run_one() {
  local t=$1 log=fuzz/logs/$1.log status
  mkdir -p "fuzz/artifacts/$t"
  "$BIN/$t" -artifact_prefix="fuzz/artifacts/$t/" -max_total_time="$SECONDS_EACH" \
      -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 "fuzz/corpus/$t" \
      >/dev/null 2>"$log" && status=ok || status=FOUND
  local runs cov secs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  secs=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  printf '%-20s %-6s runs=%s exec/s=%s cov=%s\n' "$t" "$status" "${runs:-?}" "${secs:-?}" "${cov:-?}"
  [ "$status" = ok ]
}

fail=0
running=0
pids=()
for t in "${targets[@]}"; do
  run_one "$t" &
  pids+=($!)
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || fail=1
    running=$((running - 1))
  fi
done
while [ "$running" -gt 0 ]; do
  wait -n || fail=1
  running=$((running - 1))
done
exit $fail
