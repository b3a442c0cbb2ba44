#!/usr/bin/env python3
"""Dedupe candidates, assign ids, write bundles/, find artifacts, extract cert identity/issuer, instance and classes.
Writes tools/analysis.json."""
import json, base64, hashlib, re, subprocess, os, sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519
from cryptography.x509.oid import ExtensionOID
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__))); MIR = os.environ.get("MIRROR_DIR", "mirror")
SHORT = {"cli/cli":"ghcli","npm/cli":"npmcli","sigstore/cosign":"cosign","sigstore/model-transparency":"mt",
 "sigstore/sigstore-go":"go","sigstore/sigstore-java":"java","sigstore/sigstore-js":"js","sigstore/sigstore-python":"py",
 "sigstore/sigstore-rs":"rs","trailofbits/pypi-attestations":"pypiatt","slsa-framework/slsa-verifier":"slsa","Homebrew/brew":"brew"}
PRIO = ["sigstore/sigstore-js","sigstore/sigstore-python","sigstore/sigstore-java","sigstore/sigstore-go","sigstore/sigstore-rs",
 "sigstore/cosign","slsa-framework/slsa-verifier","npm/cli","cli/cli","trailofbits/pypi-attestations","sigstore/model-transparency","Homebrew/brew"]
def git(repo, *args):
    return subprocess.run(["git","--git-dir",f"{MIR}/{repo.replace('/','+')}/repo",*args], capture_output=True).stdout
cands = json.load(open(f"{OUT}/tools/candidates.json"))
cands.sort(key=lambda c: (PRIO.index(c["repo"]), not c["at_head"], c["path"], c["how"]))
uniq = {}
for c in cands:
    if c["sha256"] in uniq:
        u = uniq[c["sha256"]]
        ref = {"repo":c["repo"],"path":c["path"],"commit":c["commit"]}
        if c["how"] != "file": ref["how"] = c["how"]
        if ref not in u["also_in"] and not (c["repo"]==u["repo"] and c["path"]==u["path"] and c["commit"]==u["commit"]):
            u["also_in"].append(ref)
        continue
    c = dict(c); c["also_in"] = []; uniq[c["sha256"]] = c
# ---- roots: CA certs & tlog keys for instance detection
ROOTS = {"public-good":"public-good.trusted_root.json","staging":"staging.trusted_root.json","github":"github.trusted_root.json",
 "github-staging":"github-staging.trusted_root.json","private/test CA:sigstore-go scaffolding":"go-scaffolding.trusted_root.json",
 "private/test CA:sigstore-go public-key-validity":"go-public-key-validity.trusted_root.json",
 "private/test CA:sigstore-python tsa":"py-tsa.trust_config.json","private/test CA:sigstore-python local tlog":"py-local_tlog_ed25519_rekor-tiles.trusted_root.json"}
ca_certs = []; tlog_ids = {}; tsa_certs = []
for inst, fn in ROOTS.items():
    d = json.load(open(f"{OUT}/roots/{fn}")); d = d.get("trustedRoot", d)
    for ca in d.get("certificateAuthorities", []):
        for cert in ca["certChain"]["certificates"]:
            ca_certs.append((inst, x509.load_der_x509_certificate(base64.b64decode(cert["rawBytes"]))))
    for tsa in d.get("timestampAuthorities", []):
        for cert in tsa["certChain"]["certificates"]:
            tsa_certs.append((inst, x509.load_der_x509_certificate(base64.b64decode(cert["rawBytes"]))))
    for t in d.get("tlogs", []):
        tlog_ids.setdefault(t["logId"]["keyId"], inst)
def issued_by_instance(leaf, chain_rest):
    for inst, ca in ca_certs:
        try:
            leaf.verify_directly_issued_by(ca); return inst
        except Exception: pass
    return None
def keydesc(k):
    if isinstance(k, ec.EllipticCurvePublicKey): return "EC-"+k.curve.name
    if isinstance(k, rsa.RSAPublicKey): return f"RSA-{k.key_size}"
    if isinstance(k, ed25519.Ed25519PublicKey): return "Ed25519"
    return type(k).__name__
def der_utf8(v):
    # 1.3.6.1.4.1.57264.1.8 value is DER UTF8String
    if v and v[0] == 0x0c:
        l = v[1]; off = 2
        if l & 0x80: n = l & 0x7f; l = int.from_bytes(v[2:2+n],"big"); off = 2+n
        return v[off:off+l].decode()
    return v.decode(errors="replace")
def cert_info(cert):
    info = {"key": keydesc(cert.public_key()), "not_before": cert.not_valid_before_utc.isoformat(), "not_after": cert.not_valid_after_utc.isoformat(),
            "issuer_dn": cert.issuer.rfc4514_string(), "self_signed": cert.issuer == cert.subject}
    san = None
    try:
        ext = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_ALTERNATIVE_NAME).value
        for g in ext:
            if isinstance(g, x509.OtherName):
                v = g.value
                san = der_utf8(v if v[0]==0x0c else v); info["san_type"] = "otherName"
            else:
                san = g.value; info["san_type"] = type(g).__name__
            break
    except x509.ExtensionNotFound: pass
    iss = None
    for e in cert.extensions:
        if e.oid.dotted_string == "1.3.6.1.4.1.57264.1.8": iss = der_utf8(e.value.value)
    if iss is None:
        for e in cert.extensions:
            if e.oid.dotted_string == "1.3.6.1.4.1.57264.1.1": iss = e.value.value.decode(errors="replace")
    info["san"] = san; info["oidc_issuer"] = iss
    return info
def b64(s): return base64.b64decode(s)
HASHN = {"SHA2_256":"sha256","SHA2_384":"sha384","SHA2_512":"sha512"}
def find_artifacts(repo, commit, path, digests):
    """Look in the bundle's directory (and parent) at that commit for a file whose digest matches."""
    d = os.path.dirname(path)
    dirs = [d, os.path.dirname(d)] if d else [""]
    found = []
    for dd in dirs:
        out = git(repo, "ls-tree", "--long", commit, (dd + "/") if dd else ".").decode().splitlines()
        for line in out:
            meta, p = line.split("\t", 1)
            typ, sha, size = meta.split()[1], meta.split()[2], meta.split()[3]
            if typ != "blob" or not size.isdigit() or int(size) > 64*1024*1024: continue
            data = git(repo, "cat-file", "blob", sha)
            if len(data) != int(size): continue
            for alg, hexd in digests:
                if hashlib.new(alg, data).hexdigest() == hexd:
                    found.append((p, alg, hexd, len(data), data))
        if found: break
    return found
res = []
ids = set()
for c in uniq.values():
    b = base64.b64decode(c["data_b64"]); o = json.loads(b)
    stem = re.sub(r"\.(sigstore\.json|sigstore|json|jsonl|intoto\.jsonl|build\.slsa|intoto\.build\.slsa|intoto\.sigstore|sig)$", "", os.path.basename(c["path"]))
    pd = os.path.basename(os.path.dirname(c["path"]))
    if c["repo"] in ("slsa-framework/slsa-verifier","sigstore/model-transparency") or pd in ("tsa","integration","github-private-no-tlog","dsse","gha","bundle"):
        stem = pd + "_" + stem
    if c["repo"] == "slsa-framework/slsa-verifier" and "/testdata/gha_" in c["path"]:
        stem = c["path"].split("/testdata/")[1].split("/")[0].replace("gha_","") + "_" + stem
    if c["how"].startswith("wrapper"):
        stem += "_" + ("prov" if "slsa.dev/provenance" in c["how"] else "publish" if "publish" in c["how"] else re.sub(r"\W","",c["how"])[-8:])
    if c["how"].startswith("jsonl:line"): stem += "_" + c["how"].split(":")[1]
    base = SHORT[c["repo"]] + "-" + re.sub(r"[^A-Za-z0-9._@-]", "_", stem)
    i = base if c["at_head"] else base + "-h" + c["blob"][:7]
    n = 2; i0 = i
    while i in ids: i = f"{i0}-{n}"; n += 1
    ids.add(i)
    open(f"{OUT}/bundles/{i}.json", "wb").write(b)
    vm = o.get("verificationMaterial", {})
    e = {"id": i, "file": f"bundles/{i}.json", "repo": c["repo"], "path": c["path"], "commit": c["commit"], "blob": c["blob"],
         "at_head": c["at_head"], "extracted": c["how"], "also_in": c["also_in"], "media_type": o.get("mediaType"),
         "content": "dsse" if "dsseEnvelope" in o else "message_signature" if "messageSignature" in o else "none"}
    cls = []
    mt = e["media_type"] or ""
    e["version"] = mt.split("version=")[-1] if "version=" in mt else ("v0.3" if mt.endswith("v0.3+json") else mt)
    # certificates
    certs = []
    if "x509CertificateChain" in vm: certs = [x["rawBytes"] for x in vm["x509CertificateChain"].get("certificates", [])]; cls.append(f"x509CertificateChain(len={len(certs)})")
    elif "certificate" in vm: certs = [vm["certificate"]["rawBytes"]]
    elif "publicKey" in vm: cls.append("public-key bundle")
    e["identity"] = e["issuer"] = None; e["instance"] = "unknown"
    if certs:
        try:
            leaf = x509.load_der_x509_certificate(b64(certs[0]))
            ci = cert_info(leaf); e["cert"] = ci
            e["identity"] = ci["san"]; e["issuer"] = ci["oidc_issuer"]
            inst = issued_by_instance(leaf, certs[1:])
            e["instance"] = inst if inst else "unknown"
            if ci["key"] != "EC-secp256r1": cls.append(f"leaf key {ci['key']}")
            if ci.get("san_type") == "otherName": cls.append("otherName SAN")
            if len(certs) > 1:
                last = x509.load_der_x509_certificate(b64(certs[-1]))
                if last.issuer == last.subject: cls.append("chain includes root")
        except Exception as ex:
            cls.append(f"unparseable certificate ({ex.__class__.__name__})")
    # tlog entries
    tl = vm.get("tlogEntries") or []
    if not tl: cls.append("no tlog entries")
    if len(tl) > 1: cls.append(f"{len(tl)} tlog entries")
    for t in tl:
        kv = t.get("kindVersion", {}); kind = f"{kv.get('kind')}/{kv.get('version')}"
        cls.append("tlog kind " + kind)
        if e["content"] == "dsse" and kv.get("kind") == "hashedrekord": cls.append("DSSE logged as hashedrekord")
        if "inclusionProof" not in t or not t.get("inclusionProof"): cls.append("no inclusion proof")
        elif "checkpoint" not in t["inclusionProof"]: cls.append("inclusion proof without checkpoint")
        if not t.get("inclusionPromise"): cls.append("no inclusion promise (SET)")
        if kv.get("version") == "0.0.2" and kv.get("kind") in ("hashedrekord","dsse"): cls.append("Rekor v2 entry")
        lid = t.get("logId", {}).get("keyId")
        if e["instance"] == "unknown" and lid in tlog_ids and not certs: e["instance"] = tlog_ids[lid]
        e.setdefault("tlog_log_instance", []).append(tlog_ids.get(lid, "unknown-log"))
    ts = (vm.get("timestampVerificationData") or {}).get("rfc3161Timestamps") or []
    if ts: cls.append(f"{len(ts)} RFC3161 timestamp(s)")
    # digests
    digests = []
    if e["content"] == "message_signature":
        md = o["messageSignature"].get("messageDigest")
        if md:
            alg = HASHN.get(md.get("algorithm"), md.get("algorithm")); digests.append((alg, b64(md["digest"]).hex()))
            if alg != "sha256": cls.append(f"messageDigest {alg}")
        else: cls.append("messageSignature without messageDigest")
    elif e["content"] == "dsse":
        env = o["dsseEnvelope"]; pt = env.get("payloadType")
        if pt != "application/vnd.in-toto+json": cls.append(f"non-in-toto DSSE payloadType {pt}")
        if len(env.get("signatures", [])) > 1: cls.append(f"DSSE with {len(env['signatures'])} signatures")
        try:
            st = json.loads(b64(env["payload"]))
            e["statement_type"] = st.get("_type"); e["predicate_type"] = st.get("predicateType")
            subs = st.get("subject", [])
            if len(subs) > 1: cls.append(f"{len(subs)} DSSE subjects")
            for s in subs:
                for alg, hexd in s.get("digest", {}).items():
                    if alg in ("sha256","sha512","sha384"): digests.append((alg, hexd))
            algs = {a for a,_ in digests}
            if algs and "sha256" not in algs: cls.append("sha512 subject only" if algs=={"sha512"} else f"subject digests {sorted(algs)}")
            elif "sha512" in algs: cls.append("sha512 subject (with sha256)")
        except Exception as ex:
            cls.append("DSSE payload not JSON")
    e["digests"] = digests
    e["artifact"] = None; e["artifact_digest"] = f"{digests[0][0]}:{digests[0][1]}" if digests else None
    if digests:
        f = find_artifacts(c["repo"], c["commit"], c["path"], digests)
        if f:
            bn = os.path.basename(c["path"])
            f.sort(key=lambda x: (not bn.startswith(os.path.basename(x[0])), len(x[0])))
            p, alg, hexd, size, data = f[0]
            e["artifact_source"] = p; e["artifact_size"] = size; e["artifact_digest"] = f"{alg}:{hexd}"
            if size <= 1024*1024:
                an = SHORT[c["repo"]] + "-" + os.path.basename(p)
                ah = hashlib.sha256(data).hexdigest()[:8]
                fn = f"artifacts/{an}" if not os.path.exists(f"{OUT}/artifacts/{an}") or open(f"{OUT}/artifacts/{an}","rb").read() == data else f"artifacts/{SHORT[c['repo']]}-{ah}-{os.path.basename(p)}"
                open(f"{OUT}/{fn}", "wb").write(data); e["artifact"] = fn
            else: cls.append(f"artifact in repo but {size} bytes > 1 MiB (not copied)")
    e["classes"] = cls
    res.append(e)
json.dump(res, open(f"{OUT}/tools/analysis.json","w"), indent=1)
from collections import Counter
print(len(res)); print(Counter(r["instance"] for r in res)); print(Counter(r["version"] for r in res)); print(sum(1 for r in res if r["artifact"]))
