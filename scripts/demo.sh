#!/usr/bin/env bash
# The main job on bundled fixtures:
#  1. prov-verify on the Merkle fixtures (a root, an inclusion proof, a consistency proof, a
#     signed checkpoint); a tampered proof fails (exit 1), a malformed one is refused (exit 2);
#  2. audit-pack: build the sample organisation's pack, check it is byte-identical to the one
#     checked in (reproducible), verify it with prov-verify (with a spot check) and the
#     manifest signer's key given again (failing without it), write the PDF report, and show
#     hostile packs rejected; a build without the manifest key stops, and one with
#     --allow-unverified-manifests verifies marked INSECURE; a pack with a Sigstore-signed
#     manifest verified with the Sigstore trust given again (and failing without it);
#  3. X.509: a CMS-signed manifest verified to a pinned root; a revoked signer rejected;
#  4. the offline cache: TUF metadata verified offline from the bundled cache;
#  5. the transparency log: an inclusion receipt verified with only the log's key;
#  6. Sigstore: a keyless bundle verified offline against the test trusted root in
#     fixtures/cosign; one with a forged signed entry timestamp rejected;
#  7. evidence as the operations pipelines write it, packed without renaming anything (Audit
#     Pack Index v1.0 sections) and verified;
#  8. the release gate: a policy allows real npm provenance, denies a stale audit pack, and
#     refuses a set whose items failed, whatever the policy says.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
cargo build --release --locked -q -p prov-verify -p audit-pack-cli
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
# The manifest signer's key is the verifier's own (--manifest-key), never taken from the pack.
MKEY=(--manifest-key $E/keys/acme-release.pub)
run 0 audit-pack verify "$OUT/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub "${MKEY[@]}" --spot-check 2 --seed 7
run 1 audit-pack verify "$OUT/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub
run 0 audit-pack report "$OUT/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub "${MKEY[@]}" --format pdf --out "$OUT/report.pdf"
run 1 audit-pack verify $E/hostile/forged-signature.tgz --key $E/keys/acme-audit-pack.pub "${MKEY[@]}"
run 1 audit-pack verify $E/hostile/manifest-self-vouched.tgz --key $E/keys/acme-audit-pack.pub "${MKEY[@]}"
run 0 audit-pack prove "$OUT/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub "${MKEY[@]}" \
  --artifact releases/payments-api-1.4.0.manifest.json --out "$OUT/proof.json"
run 0 audit-pack verify-proof "$OUT/proof.json" --key $E/keys/acme-audit-pack.pub
run 2 audit-pack verify-proof "$OUT/proof.json" --key $E/keys/acme-audit-pack.pub --log-key $E/logged/log.pub
# Without the manifest signer's key the build stops (exit 1); --allow-unverified-manifests builds
# a pack that records the mode and verifies only as "[INSECURE: built with ...]".
run_ap 1 build --org acme --evidence $E/acme --controls $E/control-map.csv \
  --key $E/keys/acme-audit-pack.key --date 2026-11-23 --out "$OUT/insecure"
run_ap 0 build --org acme --evidence $E/acme --controls $E/control-map.csv \
  --key $E/keys/acme-audit-pack.key --allow-unverified-manifests --date 2026-11-23 --out "$OUT/insecure"
cmp "$OUT/insecure/audit-pack-acme-2026-11-23.tgz" $E/insecure/audit-pack-acme-2026-11-23.tgz
run 0 audit-pack verify "$OUT/insecure/audit-pack-acme-2026-11-23.tgz" --key $E/keys/acme-audit-pack.pub
run_ap 0 build --org acme --evidence $E/acme --controls $E/control-map.csv \
  --signer-cert fixtures/x509/gen/leaf-rsa.pem --signer-key fixtures/x509/gen/leaf-rsa.key \
  --signer-chain fixtures/x509/gen/inter.pem --manifest-key $E/keys/acme-release.pub --date 2026-11-23 --out "$OUT/x509"
run 0 audit-pack verify "$OUT/x509/audit-pack-acme-2026-11-23.tgz" --trust-root fixtures/x509/gen/root.pem "${MKEY[@]}"
run 1 audit-pack verify $E/logged/audit-pack-acme-2026-11-23.tgz --key $E/keys/acme-audit-pack.pub "${MKEY[@]}"
run 0 audit-pack verify $E/logged/audit-pack-acme-2026-11-23.tgz --key $E/keys/acme-audit-pack.pub "${MKEY[@]}" \
  --log-key $E/logged/log.pub
# A manifest signed with a Sigstore bundle (keyless): verified by plugin-cosign at build time,
# and again at verification with the trusted root and identity given again.
SIGSTORE=(--manifest-sigstore-trusted-root fixtures/cosign/trusted_root.json
  --manifest-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0
  --manifest-issuer https://token.actions.githubusercontent.com)
run_ap 0 build --org acme --evidence $E/sigstore/evidence --controls $E/sigstore/control-map.csv \
  --key $E/keys/acme-audit-pack.key "${SIGSTORE[@]}" --date 2026-11-23 --out "$OUT/sigstore"
cmp "$OUT/sigstore/audit-pack-acme-2026-11-23.tgz" $E/sigstore/audit-pack-acme-2026-11-23.tgz
echo "(byte-identical to the checked-in pack: reproducible)"
run 0 audit-pack verify $E/sigstore/audit-pack-acme-2026-11-23.tgz --key $E/keys/acme-audit-pack.pub "${SIGSTORE[@]}"
run 1 audit-pack verify $E/sigstore/audit-pack-acme-2026-11-23.tgz --key $E/keys/acme-audit-pack.pub

X=fixtures/x509/gen
run 0 x509 verify --at 2026-06-01T00:00:00Z --manifest $X/manifest.json --signature $X/manifest.cms.der \
  --cert $X/leaf.der --root $X/root.pem
run 1 x509 verify --at 2026-06-01T00:00:00Z --manifest $X/manifest.json --signature $X/manifest.leaf-revoked.sig \
  --cert $X/leaf-revoked.pem --chain $X/inter.pem --root $X/root.pem --crl $X/inter.crl.pem

run 0 --offline --cache-dir fixtures/tuf/cache cache verify --at 2030-01-01T00:00:00Z
run 1 --offline --cache-dir fixtures/tuf/cache cache verify --at 2031-06-01T00:00:00Z

run 0 log verify-receipt --key fixtures/tlog/log.vkey fixtures/tlog/receipt-5.json
run 1 log verify-receipt --key fixtures/tlog/log.vkey fixtures/tlog/receipt-5-wrong-entry.json

C=fixtures/cosign
SIGNER=(--certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0
        --certificate-oidc-issuer https://token.actions.githubusercontent.com)
run 0 cosign verify-blob $C/artifact.txt --bundle $C/keyless.sigstore.json --trusted-root $C/trusted_root.json \
  "${SIGNER[@]}" --at 1769904000
run 1 cosign verify-blob $C/artifact.txt --bundle $C/bad-set.sigstore.json --trusted-root $C/trusted_root.json \
  "${SIGNER[@]}" --at 1769904000

run 0 --offline plugins
run 0 --offline verify --set fixtures/sets/release-evidence.json
run 1 --offline verify --set fixtures/sets/two-fail.json

P=$E/pipelines
run_ap 0 build --org acme --evidence $P/evidence --controls $P/evidence/compliance/control-map.csv \
  --kinds $P/kinds.txt --key $E/keys/acme-audit-pack.key --date 2026-11-23 --out "$OUT/pipelines"
cmp "$OUT/pipelines/audit-pack-acme-2026-11-23.tgz" $P/audit-pack-acme-2026-11-23.tgz
echo "(byte-identical to the checked-in pack: reproducible)"
run 0 audit-pack verify $P/audit-pack-acme-2026-11-23.tgz --key $E/keys/acme-audit-pack.pub

G=examples/policies
run 0 --offline gate --policy $G/npm-provenance --data $G/npm-provenance/data.json --set $G/npm-provenance/set.json \
  --builder-id https://github.com/actions/runner/github-hosted --source-uri github.com/sigstore/sigstore-js --source-branch main
run 1 --offline gate --policy $G/audit-pack-fresh --set $G/audit-pack-fresh/set.json --at 2027-03-01T00:00:00Z
run 1 --offline gate --policy fixtures/gate/must-deny/policies/allow-all.rego --set fixtures/sets/two-fail.json -o github
run 0 --offline gate test $G/enclave-release --data $G/enclave-release/data.json
echo
echo "demo: all outcomes as expected"
