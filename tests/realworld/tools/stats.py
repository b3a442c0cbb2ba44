#!/usr/bin/env python3
"""Print markdown statistics for sources.json (used to write README.md)."""
import json, collections, os
S = json.load(open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "sources.json")))
def table(title, counter, head=("value","count")):
    print(f"\n### {title}\n\n| {head[0]} | {head[1]} |\n|---|---|")
    for k, v in sorted(counter.items(), key=lambda x: (-x[1], str(x[0]))): print(f"| {k} | {v} |")
print(f"Total bundles: **{len(S)}**")
table("By source repository (first source after de-duplication)", collections.Counter(e["repo"] for e in S), ("repo","bundles"))
table("By media type", collections.Counter(e["media_type"] for e in S), ("mediaType","bundles"))
table("By expected verdict", collections.Counter(e["expected"] for e in S), ("expected","bundles"))
table("By evidence level", collections.Counter(e["evidence_level"] for e in S), ("evidence","bundles"))
table("By instance", collections.Counter(e["instance"] for e in S), ("instance","bundles"))
table("By content", collections.Counter(str(e["content"]) for e in S), ("content","bundles"))
table("Expected verdict x instance", collections.Counter(f'{e["instance"]} / {e["expected"]}' for e in S), ("instance / expected","bundles"))
cls = collections.Counter()
def has(e, s): return any(s in c for c in e["classes"])
for e in S:
    if has(e, "sha512 subject only"): cls["DSSE in-toto subject with sha512 digest only"] += 1
    if has(e, "sha512 subject (with"): cls["DSSE subject sha512 + sha256"] += 1
    if has(e, "messageDigest sha512") or has(e, "messageDigest sha384"): cls["messageDigest SHA2_384/512"] += 1
    if has(e, "chain includes root"): cls["x509CertificateChain includes the self-signed root"] += 1
    if has(e, "x509CertificateChain"): cls["x509CertificateChain (any length; v0.1/v0.2 style)"] += 1
    if has(e, "non-in-toto DSSE payloadType"): cls["non-in-toto DSSE payloadType"] += 1
    if e["bundle_version"] == "0.1" and has(e, "no inclusion proof"): cls["v0.1 without inclusion proof (SET only)"] += 1
    if has(e, "EC-secp384r1"): cls["P-384 leaf"] += 1
    if has(e, "EC-secp521r1"): cls["P-521 leaf"] += 1
    if has(e, "RSA-"): cls["RSA leaf"] += 1
    if has(e, "DSSE logged as hashedrekord"): cls["DSSE logged as hashedrekord (Rekor v2 hashedrekord/0.0.2 or mislabelled)"] += 1
    if has(e, "tlog kind intoto/"): cls["DSSE logged as intoto/0.0.2"] += 1
    if has(e, "tlog kind dsse/0.0.1"): cls["DSSE logged as dsse/0.0.1"] += 1
    if has(e, "Rekor v2 entry"): cls["Rekor v2 entry (hashedrekord/dsse 0.0.2)"] += 1
    if has(e, "no tlog entries"): cls["no tlog entries"] += 1
    if has(e, "RFC3161"): cls["RFC3161 timestamp(s)"] += 1
    if has(e, "public-key bundle"): cls["public-key bundle"] += 1
    if has(e, "no inclusion promise"): cls["tlog entry without SET"] += 1
    if has(e, "inclusion proof without checkpoint"): cls["inclusion proof without checkpoint"] += 1
    if has(e, "otherName SAN"): cls["otherName SAN"] += 1
    if has(e, "DSSE with 2 signatures"): cls["DSSE with 2 signatures"] += 1
    if has(e, "DSSE subjects"): cls["DSSE with several subjects"] += 1
    if has(e, "messageSignature without messageDigest"): cls["messageSignature without messageDigest"] += 1
    if e["instance"] == "staging": cls["staging instance"] += 1
    if e["instance"] == "github" or e["instance"] == "github-staging": cls["GitHub instance (github / github-staging)"] += 1
    if e.get("extracted"): cls["extracted from a wrapper/JSONL (see notes)"] += 1
    if e.get("artifact"): cls["artifact file shipped in artifacts/"] += 1
    if e.get("artifact_digest") and not e.get("artifact"): cls["digest only (no artifact file)"] += 1
    if e.get("disputed"): cls["disputed (source and a peer disagree, see 'disputed')"] += 1
table("Classes", cls, ("class","bundles"))
print("\n### Peer results\n\n| peer | verified | failed | not-run | agrees with expected | disagrees | agrees on expected=verify | agrees on expected=fail |\n|---|---|---|---|---|---|---|---|")
for p in ("sigstore-js", "sigstore-python"):
    v = sum(1 for e in S if e["peer"][p].startswith("verified")); f = sum(1 for e in S if e["peer"][p].startswith("failed")); n = sum(1 for e in S if e["peer"][p].startswith("not-run"))
    ag = sum(1 for e in S if e["peer_agrees"][p] is True); dis = sum(1 for e in S if e["peer_agrees"][p] is False)
    agv = sum(1 for e in S if e["peer_agrees"][p] is True and e["expected"] == "verify"); tv = sum(1 for e in S if e["expected"] == "verify" and e["peer_agrees"][p] is not None)
    agf = sum(1 for e in S if e["peer_agrees"][p] is True and e["expected"] == "fail"); tf = sum(1 for e in S if e["expected"] == "fail" and e["peer_agrees"][p] is not None)
    print(f"| {p} | {v} | {f} | {n} | {ag} | {dis} | {agv}/{tv} | {agf}/{tf} |")
print("\n### Peer failure reasons on bundles expected to verify\n")
for p in ("sigstore-js", "sigstore-python"):
    c = collections.Counter(e["peer"][p][:110] for e in S if e["expected"] == "verify" and e["peer"][p].startswith("failed"))
    print(f"\n{p}:\n")
    for k, v in c.most_common(): print(f"- {v} x `{k}`")
print("\n### Bundles expected to FAIL that a peer VERIFIES\n")
for e in S:
    for p in ("sigstore-js", "sigstore-python"):
        if e["expected"] == "fail" and e["peer"][p].startswith("verified"):
            print(f"- `{e['id']}` — {p} verified; source: {e['why'][:200]}" + (f" — {e.get('disputed')}" if e.get('disputed') else ""))
