#!/usr/bin/env python3
"""Build peer jobs (tools/jobs.json) from tools/analysis.json: choose trusted root, thresholds, keys."""
import json, os
A = json.load(open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools") + "/" + "analysis.json"))
NPMKEY = open(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/" + "roots/keys/npm-registry-SHA256_jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA.pem").read()
ROOT = {"public-good":"roots/public-good.trusted_root.json","staging":"roots/staging.trusted_root.json",
        "github":"roots/github.trusted_root.json","github-staging":"roots/github-staging.trusted_root.json",
        "private/test CA:sigstore-go scaffolding":"roots/go-scaffolding.trusted_root.json"}
jobs = []
for r in A:
    j = {"id": r["id"], "bundle": r["file"], "artifact": r["artifact"], "digest": r["artifact_digest"],
         "identity": r["identity"], "issuer": r["issuer"]}
    inst = r["instance"]
    if inst == "unknown" and r.get("tlog_log_instance"):
        inst = r["tlog_log_instance"][0] if r["tlog_log_instance"][0] != "unknown-log" else "unknown"
    j["trusted_root"] = ROOT.get(inst, "roots/public-good.trusted_root.json")
    if r["repo"] == "sigstore/sigstore-python" and "/tsa/" in r["path"]:
        j["trusted_root"] = "roots/py-tsa-staging+ca.trusted_root.json"
    OVR = {
      "go-bundle-with-timestamp-h54bb28e": {"trusted_root": "roots/go-d121c90-with-tsa.trusted_root.json", "tlog_threshold": 0},
      "go-tsa-h65fec05": {"trusted_root": "roots/go-489a5b6-tsa.trusted_root.json", "tlog_threshold": 0},
      "go-bundle-github-staging-sigstorejs1.3.0-ha5b365a": {"trusted_root": "roots/go-850cedb-github-staging.trusted_root.json"},
      "java-github-private-no-tlog_attestation": {"digest": "sha256:caa015ef69e9bc31a41322d6c71563ed9600c75bb988e4d639b1edc578580551"},
      "go-othername": {"digest": "sha256:bc103b4a84971ef6459b294a2b98568a2bfb72cded09d4acd1e16366a401f95b", "identity": "foo!oidc.local", "issuer": "http://oidc.local:8080"},
    }
    j.update(OVR.get(r["id"], {}))
    if inst in ("github", "github-staging"):
        j["tlog_threshold"] = 0; j["ctlog_threshold"] = 0
    b = json.load(open(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/" + "" + r["file"]))
    pk = (b.get("verificationMaterial") or {}).get("publicKey")
    if pk is not None:
        hint = pk.get("hint")
        if hint == "SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA": j["keys"] = {hint: NPMKEY}
        elif hint == "IpekKjxVkmTfB4YqY8q5sGEAeVtF9x3m7jHdhAxpgjQ=":
            j["keys"] = {hint: open(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/" + "roots/keys/go-public-key-validity.pem").read()}
            j["trusted_root"] = "roots/go-public-key-validity.trusted_root.json"; j["tlog_threshold"] = 0
            j["artifact"] = "artifacts/go-public-key-validity.test-content.txt"
        elif r["repo"] == "sigstore/model-transparency":
            j["keys"] = {"*": open(os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + "/" + "roots/keys/mt-signing-key-pub.pem").read()}
            j["tlog_threshold"] = 0; j["timestamp_threshold"] = 0
    if r["repo"] == "sigstore/model-transparency" and r["instance"] == "unknown" and pk is None:
        j["trusted_root"] = "roots/mt-private-ca.trusted_root.json"; j["tlog_threshold"] = 0; j["ctlog_threshold"] = 0; j["timestamp_threshold"] = 0
    jobs.append(j)
json.dump(jobs, open(os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tools") + "/" + "jobs.json", "w"), indent=1)
print(len(jobs))
