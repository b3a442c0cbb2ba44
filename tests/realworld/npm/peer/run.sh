#!/bin/bash
# Replays this corpus through the real `npm audit signatures`, offline.
# usage: run.sh ROOT_SIGNING_GIT_DIR WORK_DIR [TAMPER_ID]
#   ROOT_SIGNING_GIT_DIR: a clone of sigstore/root-signing containing commit 60cf2ce8 (2026-08-21)
# Needs root (binds 127.0.0.1:443), node, npm, openssl, faketime. The clock is set to
# 2026-08-22 because that TUF snapshot's timestamp expires 2026-08-28 and its root 2026-11-20.
set -u
HERE=$(cd "$(dirname "$0")" && pwd); RS=$1; W=$2; TAMPER=${3:-}
C=60cf2ce8b2e45d600dc17c4421e8c751e75772be; G=(git --git-dir="$RS")
mkdir -p "$W/tuf/targets/registry.npmjs.org" "$W/cert"
for f in $("${G[@]}" ls-tree --name-only $C metadata/root_history/); do "${G[@]}" show $C:$f > "$W/tuf/$(basename $f)"; done
"${G[@]}" show $C:metadata/timestamp.json > "$W/tuf/timestamp.json"
"${G[@]}" show $C:metadata/snapshot.json > "$W/tuf/165.snapshot.json"
"${G[@]}" show $C:metadata/targets.json > "$W/tuf/14.targets.json"
"${G[@]}" show $C:metadata/registry.npmjs.org.json > "$W/tuf/8.registry.npmjs.org.json"
"${G[@]}" show $C:targets/trusted_root.json > "$W/tuf/targets/6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66.trusted_root.json"
"${G[@]}" show $C:targets/registry.npmjs.org/keys.json > "$W/tuf/targets/registry.npmjs.org/160677eb6e1c7083c89b166b20f8fe4e837fb71181506aff1991b80b89184f7d.keys.json"
faketime '2026-01-01 00:00:00' openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$W/cert/key.pem" -out "$W/cert/cert.pem" -days 3650 -subj "/CN=loopback mock" \
  -addext "subjectAltName=DNS:registry.npmjs.org,DNS:tuf-repo-cdn.sigstore.dev" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
node "$HERE/server.js" "$W/tuf" "$W/cert" $TAMPER > "$W/server.log" 2>&1 & SRV=$!
sleep 1
export NODE_OPTIONS="--require $HERE/dns-shim.js" NODE_EXTRA_CA_CERTS="$W/cert/cert.pem" FAKETIME_DONT_FAKE_MONOTONIC=1
FT=(faketime -f "@2026-08-22 12:00:00")
NPMARGS=(--registry https://registry.npmjs.org/ --cafile "$W/cert/cert.pem")
python3 -c "import json,sys; [print(s['id'], s['package'], s['version']) for s in json.load(open(sys.argv[1]))]" "$HERE/../sources.json" |
while read -r id name ver; do
  [ -n "$TAMPER" ] && [ "$TAMPER" != "$id" ] && continue
  D="$W/$id"; rm -rf "$D"; mkdir -p "$D"
  echo "{\"name\":\"peer\",\"version\":\"0.0.0\",\"private\":true,\"dependencies\":{\"a\":\"npm:$name@$ver\"}}" > "$D/package.json"
  (cd "$D" && "${FT[@]}" npm install --cache "$D/.cache" "${NPMARGS[@]}" --ignore-scripts --no-audit --no-fund > install.log 2>&1 </dev/null
   "${FT[@]}" npm audit signatures --cache "$D/.cache" "${NPMARGS[@]}" > audit.txt 2>&1 </dev/null; echo $? > audit.rc
   "${FT[@]}" npm audit signatures --json --cache "$D/.cache" "${NPMARGS[@]}" > audit.json 2>/dev/null </dev/null)
  echo "== $id (exit $(cat "$D/audit.rc"))"; cat "$D/audit.txt"
done
kill $SRV
