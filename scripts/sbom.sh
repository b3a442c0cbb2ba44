#!/usr/bin/env bash
# CycloneDX 1.5 JSON SBOMs of the two binaries, prov-verify and audit-pack, written to sbom/ by
# cargo-cyclonedx (installed if missing) for x86_64-unknown-linux-gnu, made byte-stable for a
# given Cargo.lock: no generation timestamp, no machine path (the workspace root is written
# `file:///workspace`), and a serial number derived from the content.
#   bash scripts/sbom.sh          rewrite sbom/
#   bash scripts/sbom.sh --check  regenerate into a temporary directory; fail if sbom/ differs
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v cargo-cyclonedx >/dev/null 2>&1 || cargo install cargo-cyclonedx --locked --debug --version 0.5.9
out=sbom
if [ "${1:-}" = "--check" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"
find . -name '*_bin.cdx.json' -not -path './target/*' -delete
cargo cyclonedx --format json --spec-version 1.5 --describe binaries \
  --target x86_64-unknown-linux-gnu -q
python3 - "$PWD" "$out" <<'PY'
import glob, hashlib, json, os, sys, uuid
root, out = sys.argv[1], sys.argv[2]
wanted = {"prov-verify/prov-verify_bin.cdx.json": "prov-verify.cdx.json",
          "audit-pack/cli/audit-pack_bin.cdx.json": "audit-pack.cdx.json"}
for src, name in wanted.items():
    text = open(src).read().replace("file://" + root, "file:///workspace")
    bom = json.loads(text)
    bom["metadata"].pop("timestamp", None)
    bom.pop("serialNumber", None)
    body = json.dumps(bom, sort_keys=True, separators=(",", ":")).encode()
    bom["serialNumber"] = "urn:uuid:" + str(uuid.UUID(bytes=hashlib.sha256(body).digest()[:16], version=4))
    with open(os.path.join(out, name), "w") as f:
        json.dump(bom, f, indent=2, sort_keys=True)
        f.write("\n")
for leftover in glob.glob("**/*_bin.cdx.json", recursive=True):
    if not leftover.startswith("target/"):
        os.remove(leftover)
PY
if [ "${1:-}" = "--check" ]; then
  diff -r sbom "$out" >/dev/null || { diff -r sbom "$out" | head -n 20; echo "sbom/ is stale: bash scripts/sbom.sh"; exit 1; }
  echo "sbom/: up to date"
else
  echo "sbom/: written"
fi
