#!/usr/bin/env python3
"""Offline peer verification with sigstore-python (Verifier(trusted_root=...)), no network.
Usage: peer-py/bin/python peer-verify.py jobs.json > results-py.json  (same jobs format as peer-verify.js)"""
import json, sys, os, base64, hashlib
from sigstore.models import Bundle, TrustedRoot
from sigstore.verify import Verifier
from sigstore.verify.policy import Identity, UnsafeNoOp
from sigstore.hashes import Hashed
HERE = os.path.dirname(os.path.abspath(__file__))
from sigstore_models.trustroot.v1 import TrustedRoot as _TR  # type: ignore
from sigstore_models.common.v1 import HashAlgorithm  # type: ignore
def load_root(fn):
    d = json.load(open(os.path.join(HERE, fn)))
    if "trustedRoot" in d: d = d["trustedRoot"]
    return TrustedRoot(_TR.from_json(json.dumps(d)))
jobs = json.load(open(sys.argv[1]))
out = {}
for job in jobs:
    try:
        raw = open(os.path.join(HERE, job["bundle"]), "rb").read()
        bundle = Bundle.from_json(raw)
        verifier = Verifier(trusted_root=load_root(job["trusted_root"]))
        policy = Identity(identity=job["identity"], issuer=job["issuer"]) if job.get("identity") else UnsafeNoOp()
        bj = json.loads(raw)
        data = open(os.path.join(HERE, job["artifact"]), "rb").read() if job.get("artifact") else None
        if "dsseEnvelope" in bj:
            ptype, payload = verifier.verify_dsse(bundle, policy)
            if data is not None:
                st = json.loads(payload)
                subs = [(a, h) for s in st.get("subject", []) for a, h in s.get("digest", {}).items()]
                if not any(a in hashlib.algorithms_available and hashlib.new(a, data).hexdigest() == h for a, h in subs):
                    raise ValueError("artifact digest does not match any in-toto subject")
            out[job["id"]] = "verified"
        else:
            if data is not None:
                inp = data
            elif job.get("digest", "").startswith("sha256:"):
                inp = Hashed(algorithm=HashAlgorithm.SHA2_256, digest=bytes.fromhex(job["digest"].split(":", 1)[1]))
            else:
                out[job["id"]] = "not-run: no artifact and no sha256 digest"; continue
            verifier.verify_artifact(inp, bundle, policy)
            out[job["id"]] = "verified" + ("" if data is not None else " (digest-only input)")
    except Exception as e:
        msg = str(e).split("\n")[0][:300]
        out[job["id"]] = f"failed: {type(e).__name__}: {msg}"
print(json.dumps(out, indent=1))
