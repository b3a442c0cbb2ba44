#!/usr/bin/env bash
# The release proves itself: build the release binaries reproducibly (twice, in two directories,
# compared), collect the evidence of this release into a folder with a control map (SLSA build
# track and NIST SSDF practices mapped to the files), build an audit pack of it with audit-pack,
# record the pack in a transparency log, and verify pack, log receipt and one artifact's
# inclusion proof with prov-verify. CI runs it on every run, after the steps that write its inputs.
#
#   bash scripts/release-evidence.sh [--static] [--out DIR] [--key PACK.key] [--log-dir LOG --log-key LOG.key]
#
#   --static         also build the static (x86_64-unknown-linux-musl) binaries, put them in the
#                    release as static/prov-verify and static/audit-pack, and run them once
#                    (see scripts/release-build.sh for what they need)
#   --out DIR        where the release evidence goes (default target/release-evidence; emptied first)
#   --key PACK.key   the release's index-signing key (audit-pack key file). Without it a throwaway
#                    key is generated into DIR/keys: the pack then proves integrity under that key
#                    only, which is what CI can do without a secret.
#   --log-dir LOG --log-key LOG.key
#                    the transparency log to record the pack in (see docs/tlog.md). Without them a
#                    new log is made in DIR/log with a throwaway key (DIR/keys/release-log.key).
#
# Inputs (written by the steps of .ci/run; the script stops, naming any that is missing):
#   sbom/*.cdx.json, target/conformance/matrix.md, target/limbo-results.json,
#   target/sigstore-results.json, target/tuf-kit.log, target/merkle-vectors.log,
#   target/realworld.log, target/nitro-corpus.log, target/deny.log, target/test-summary.txt,
#   docs/benchmarks.md.
# Output in DIR/dist, a release: the binaries, the pack, its public key, the log's public key, the
# pack's log receipt, SHA256SUMS of the binaries and proof-SHA256SUMS.json (the inclusion proof of
# the checksums in the pack).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
usage() { echo "usage: bash scripts/release-evidence.sh [--static] [--out DIR] [--key PACK.key] [--log-dir LOG --log-key LOG.key]" >&2; exit 2; }
OUT=target/release-evidence KEY="" LOG_DIR="" LOG_KEY="" STATIC=0
while [ $# -gt 0 ]; do
  case "$1" in
    --static) STATIC=1; shift ;;
    --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
    --key) [ $# -ge 2 ] || usage; KEY=$2; shift 2 ;;
    --log-dir) [ $# -ge 2 ] || usage; LOG_DIR=$2; shift 2 ;;
    --log-key) [ $# -ge 2 ] || usage; LOG_KEY=$2; shift 2 ;;
    *) usage ;;
  esac
done
if { [ -n "$LOG_DIR" ] && [ -z "$LOG_KEY" ]; } || { [ -z "$LOG_DIR" ] && [ -n "$LOG_KEY" ]; }; then
  echo "error: --log-dir and --log-key go together" >&2; exit 2
fi
die() { echo "release-evidence: $*" >&2; exit 1; }

inputs=(sbom/prov-verify.cdx.json sbom/audit-pack.cdx.json target/conformance/matrix.md
  target/limbo-results.json target/sigstore-results.json target/tuf-kit.log target/merkle-vectors.log
  target/realworld.log target/nitro-corpus.log target/deny.log target/test-summary.txt docs/benchmarks.md)
missing=()
for f in "${inputs[@]}"; do [ -s "$f" ] || missing+=("$f"); done
if [ ${#missing[@]} -gt 0 ]; then
  die "missing inputs: ${missing[*]} (they are written by the steps of .ci/run: run it, or the steps that write them)"
fi

# 1. The binaries, built twice in two directories and compared; the static ones built once.
bash scripts/release-build.sh --check-reproducible
[ "$STATIC" = 0 ] || bash scripts/release-build.sh --static
MUSL=target/x86_64-unknown-linux-musl/release

# The inputs must say what the evidence will claim: nothing is packed as effective unless it passed.
grep -q 'advisories ok' target/deny.log && grep -q 'licenses ok' target/deny.log \
  && grep -q 'bans ok' target/deny.log && grep -q 'sources ok' target/deny.log \
  || die "target/deny.log does not show advisories, licences, bans and sources ok"
grep -q '^tests: [0-9]* passed, 0 failed' target/test-summary.txt \
  || die "target/test-summary.txt does not show a passing test run"
python3 - <<'PY' || die "a conformance kit result is not a pass"
import json, sys
s = json.load(open("target/sigstore-results.json"))
l = json.load(open("target/limbo-results.json"))
ok = s["failed"] == 0 and s["false_accepts"] == 0 and l["gate_ok"]
sys.exit(0 if ok else 1)
PY

# 2. The evidence folder.
rm -rf "$OUT"
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
EV=$OUT/evidence
mkdir -p "$EV"/{binaries,build,sbom,tests,conformance,security,benchmarks}
PV=$ROOT/target/release/prov-verify
AP=$ROOT/target/release/audit-pack
# The release's binaries under the names it publishes them by.
DIST=$OUT/dist
mkdir -p "$DIST"
cp target/release/prov-verify target/release/audit-pack "$DIST/"
NAMES=(prov-verify audit-pack)
if [ "$STATIC" = 1 ]; then
  mkdir -p "$DIST/static"
  cp "$MUSL/prov-verify" "$MUSL/audit-pack" "$DIST/static/"
  NAMES+=(static/prov-verify static/audit-pack)
fi
(cd "$DIST" && sha256sum "${NAMES[@]}") > "$EV/binaries/SHA256SUMS"
cp target/release-reproducibility.txt "$EV/build/reproducibility.txt"
[ "$STATIC" = 0 ] || echo "static binaries ($(basename "$(dirname "$MUSL")")): built once, not compared with a second build" >> "$EV/build/reproducibility.txt"
cp sbom/prov-verify.cdx.json sbom/audit-pack.cdx.json "$EV/sbom/"
cp target/test-summary.txt "$EV/tests/summary.txt"
cp target/conformance/matrix.md "$EV/conformance/matrix.md"
cp target/limbo-results.json target/sigstore-results.json "$EV/conformance/"
for f in tuf-kit merkle-vectors realworld nitro-corpus; do cp "target/$f.log" "$EV/conformance/$f.txt"; done
cp target/deny.log "$EV/security/cargo-deny.txt"
cp deny.toml "$EV/security/deny.toml"
cp docs/benchmarks.md "$EV/benchmarks/benchmarks.md"

COMMIT=$(git rev-parse HEAD)
DIRTY=false
[ -z "$(git status --porcelain --untracked-files=no)" ] || DIRTY=true
EPOCH=$(git log -1 --format=%ct)
DATE=$(date -u -d "@$EPOCH" +%Y-%m-%d)
# An unsigned SLSA v1 provenance statement of the two binaries (SLSA Build L1: provenance exists);
# the pack's signature and log receipt are what bind it to the release.
python3 - "$EV/build/provenance.intoto.json" "$COMMIT" "$DIRTY" "$EPOCH" "$DIST" "${NAMES[@]}" <<'PY'
import hashlib, json, os, subprocess, sys
out, commit, dirty, epoch = sys.argv[1], sys.argv[2], sys.argv[3] == "true", int(sys.argv[4])
dist, names = sys.argv[5], sys.argv[6:]
def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()
def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.strip()
import datetime
when = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
statement = {
    "_type": "https://in-toto.io/Statement/v1",
    "subject": [{"name": b, "digest": {"sha256": sha256(os.path.join(dist, b))}} for b in names],
    "predicateType": "https://slsa.dev/provenance/v1",
    "predicate": {
        "buildDefinition": {
            "buildType": "urn:prov-verify:build-type:release-build:v1",
            "externalParameters": {
                "source": {"commit": commit, "uncommittedChanges": dirty},
                "command": "bash scripts/release-build.sh --check-reproducible"
                           + (" && bash scripts/release-build.sh --static" if len(names) > 2 else ""),
                "profile": "release",
                "packages": ["prov-verify", "audit-pack-cli"],
                "targets": ["x86_64-unknown-linux-gnu"]
                           + (["x86_64-unknown-linux-musl"] if len(names) > 2 else []),
            },
            "internalParameters": {
                "pathRemapping": {"checkout": "/build/prov-verify", "cargoHome": "/cargo"},
            },
            "resolvedDependencies": [
                {"name": "source", "digest": {"gitCommit": commit}},
                {"name": "Cargo.lock", "digest": {"sha256": sha256("Cargo.lock")}},
                {"name": "rustc", "annotations": {"version": run("rustc", "--version", "--verbose")}},
                {"name": "cargo", "annotations": {"version": run("cargo", "--version")}},
            ],
        },
        "runDetails": {
            "builder": {"id": "urn:prov-verify:builder:release-evidence-script"},
            "metadata": {"startedOn": when},
        },
    },
}
with open(out, "w") as f:
    json.dump(statement, f, indent=2, sort_keys=True)
    f.write("\n")
PY

# The control map: each practice mapped to the file that evidences it.
{
  echo "framework,framework_version,control_id,control_title,evidence_id,evidence_path,evidence_sha256,evidence_kind,collected_at,period_start,period_end,state,signature_verified,signer_identity,owner,notes"
  row() { echo "$1,$2,$3,\"$4\",$5,$6,,,$DATE,$DATE,$DATE,effective,,,release@prov-verify,\"$7\""; }
  row "SLSA" "1.0" "Build L1" "Provenance exists" EV-01 build/provenance.intoto.json "SLSA v1 provenance of both binaries: commit, Cargo.lock, toolchain, command"
  row "SLSA" "1.0" "Build L1" "Provenance exists" EV-02 build/reproducibility.txt "The same sources built in two directories give byte-identical binaries"
  row "NIST SSDF" "1.1" "PS.2.1" "Make software integrity verification information available to software acquirers" EV-03 binaries/SHA256SUMS "SHA-256 of the release binaries, covered by the signed Merkle root"
  row "NIST SSDF" "1.1" "PS.3.2" "Collect, safeguard, maintain, and share provenance data for all components of each software release" EV-04 sbom/prov-verify.cdx.json "CycloneDX 1.5 SBOM of prov-verify"
  row "NIST SSDF" "1.1" "PS.3.2" "Collect, safeguard, maintain, and share provenance data for all components of each software release" EV-05 sbom/audit-pack.cdx.json "CycloneDX 1.5 SBOM of audit-pack"
  row "NIST SSDF" "1.1" "PS.3.2" "Collect, safeguard, maintain, and share provenance data for all components of each software release" EV-01 build/provenance.intoto.json ""
  row "NIST SSDF" "1.1" "PW.4.1" "Acquire and maintain well-secured software components from commercial, open-source, and other third-party developers" EV-06 security/cargo-deny.txt "cargo deny: advisories, licences, bans, sources (crates.io only)"
  row "NIST SSDF" "1.1" "PW.4.1" "Acquire and maintain well-secured software components from commercial, open-source, and other third-party developers" EV-07 security/deny.toml "The policy cargo deny applied"
  row "NIST SSDF" "1.1" "RV.1.1" "Gather information on potential vulnerabilities in the software and third-party components" EV-06 security/cargo-deny.txt "RustSec advisories: no vulnerability, no unmaintained crate"
  row "NIST SSDF" "1.1" "PW.6.2" "Determine and use the approved compiler, interpreter and build tool configurations" EV-02 build/reproducibility.txt "Path remapping, locked dependencies; identical outputs from two builds"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-08 tests/summary.txt "The whole test suite of this commit"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-09 conformance/matrix.md "Plugin conformance matrix: external kits and corpora"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-10 conformance/sigstore-results.json "sigstore-conformance kit"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-11 conformance/limbo-results.json "x509-limbo kit"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-12 conformance/tuf-kit.txt "tuf-conformance kit"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-13 conformance/merkle-vectors.txt "Merkle vectors"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-14 conformance/realworld.txt "Real-world Sigstore corpus"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-15 conformance/nitro-corpus.txt "Real AWS Nitro documents"
  row "NIST SSDF" "1.1" "PW.8.2" "Scope the testing, design the tests, perform the testing, and document the results" EV-16 benchmarks/benchmarks.md "Benchmark figures with their commands"
} > "$OUT/control-map.csv"

# 3. Keys and log.
if [ -z "$KEY" ]; then
  "$AP" keygen --name prov-verify-release --out "$OUT/keys" >/dev/null
  KEY=$OUT/keys/prov-verify-release.key
  echo "release-evidence: throwaway index key $KEY (give --key for a release)"
fi
PUB=${KEY%.key}.pub
[ -s "$PUB" ] || die "$PUB: the public key beside $KEY is missing"
if [ -z "$LOG_DIR" ]; then
  # The log's private key is kept outside the directory that a log server would publish
  # (`log init` creates its folder).
  LOG_DIR=$OUT/log LOG_KEY=$OUT/keys/release-log.key
  "$PV" log init --dir "$LOG_DIR" --origin prov-verify.example/release-log --key "$LOG_KEY" >/dev/null
fi
LOG_PUB=$LOG_KEY.pub
[ -s "$LOG_PUB" ] || die "$LOG_PUB: the log's public key is missing"

# 4. The pack, recorded in the log.
"$AP" build --org prov-verify --evidence "$EV" --controls "$OUT/control-map.csv" --key "$KEY" \
  --date "$DATE" --log-dir "$LOG_DIR" --log-key "$LOG_KEY" --out "$DIST" >"$OUT/build.txt"
PACK=$DIST/audit-pack-prov-verify-$DATE.tgz
[ -s "$PACK" ] || die "audit-pack build wrote no $PACK"
cp "$PUB" "$DIST/prov-verify-release.pub"
cp "$LOG_PUB" "$DIST/release-log.pub"
cp "$EV/binaries/SHA256SUMS" "$DIST/SHA256SUMS"
tar -xzf "$PACK" -O index.receipt.json > "$DIST/receipt.json"

# 5. Verify, as a user would, with the public keys only.
cd "$DIST"
"$PV" audit-pack verify "$(basename "$PACK")" --key prov-verify-release.pub --log-key release-log.pub
"$PV" log verify-receipt --key release-log.pub receipt.json
"$PV" audit-pack prove "$(basename "$PACK")" --key prov-verify-release.pub --log-key release-log.pub \
  --artifact binaries/SHA256SUMS --out proof-SHA256SUMS.json >/dev/null
"$PV" audit-pack verify-proof proof-SHA256SUMS.json --key prov-verify-release.pub
tar -xzf "$(basename "$PACK")" -O evidence/binaries/SHA256SUMS | cmp - SHA256SUMS
sha256sum -c --quiet SHA256SUMS
echo "release binaries match SHA256SUMS in the verified pack"
if [ "$STATIC" = 1 ]; then
  static/prov-verify --version
  static/prov-verify cosign verify-blob "$ROOT/fixtures/cosign/artifact.txt" \
    --bundle "$ROOT/fixtures/cosign/keyless.sigstore.json" --trusted-root "$ROOT/fixtures/cosign/trusted_root.json" \
    --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 \
    --certificate-oidc-issuer https://token.actions.githubusercontent.com --at 1769904000
  static/audit-pack --version
fi
# A tampered copy must be refused (exit 1), however little is changed.
python3 - "$(basename "$PACK")" tampered.tgz <<'PY'
import gzip, io, sys
data = bytearray(gzip.decompress(open(sys.argv[1], "rb").read()))
i = data.find(b"  prov-verify\n")
assert i > 0, "SHA256SUMS line not found"
data[i - 1] ^= 0x01
open(sys.argv[2], "wb").write(gzip.compress(bytes(data), mtime=0))
PY
rc=0
"$PV" audit-pack verify tampered.tgz --key prov-verify-release.pub --log-key release-log.pub >/dev/null 2>&1 || rc=$?
rm -f tampered.tgz
[ "$rc" = 1 ] || die "a pack with one checksum bit flipped was not refused (exit $rc, expected 1)"
echo "a pack with one checksum bit flipped: refused (exit 1)"
echo "release evidence: $DIST"
ls -1 "$DIST"
