#!/usr/bin/env python3
"""Collect Sigstore bundles from scan results (tools/scan-*.jsonl) into candidates.json.
For each blob: find a commit (HEAD preferred) that contains it, split JSONL / npm attestation wrappers."""
import json, subprocess, glob, os, re, hashlib, base64
MIR = os.environ.get("MIRROR_DIR", "mirror")
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHORT = {"cli/cli":"ghcli","npm/cli":"npmcli","sigstore/cosign":"cosign","sigstore/model-transparency":"mt",
 "sigstore/sigstore-go":"go","sigstore/sigstore-java":"java","sigstore/sigstore-js":"js","sigstore/sigstore-python":"py",
 "sigstore/sigstore-rs":"rs","trailofbits/pypi-attestations":"pypiatt","slsa-framework/slsa-verifier":"slsa","Homebrew/brew":"brew"}
EXCLUDE = [re.compile(r"^specs/dotsigstore_bundle/")]
def git(repo, *args, inp=None):
    gd = f"{MIR}/{repo.replace('/','+')}/repo"
    return subprocess.run(["git","--git-dir",gd,*args], capture_output=True, input=inp).stdout
def head(repo): return git(repo,"rev-parse","HEAD").decode().strip()
def locate(repo, blob, path):
    h = head(repo)
    r = git(repo,"rev-parse",f"{h}:{path}").decode().strip()
    if r == blob: return h, path
    # commits that introduced/removed the object
    cs = git(repo,"log","--all","--format=%H","--find-object="+blob).decode().split()
    for c in cs:
        r = git(repo,"rev-parse",f"{c}:{path}").decode().strip()
        if r == blob: return c, path
        # maybe renamed
        for line in git(repo,"ls-tree","-r",c).decode().splitlines():
            meta, p = line.split("\t",1)
            if meta.split()[2] == blob: return c, p
    return None, path
def is_bundle(o): return isinstance(o, dict) and "vnd.dev.sigstore.bundle" in str(o.get("mediaType",""))
cands = []
for f in sorted(glob.glob(f"{OUT}/tools/scan-*.jsonl")):
    for line in open(f):
        s = json.loads(line); repo = s["repo"]
        if any(x.search(s["path"]) for x in EXCLUDE): continue
        commit, path = locate(repo, s["blob"], s["path"])
        if not commit: print("NOT LOCATED", s); continue
        data = git(repo,"cat-file","blob",s["blob"])
        ishead = commit == head(repo)
        pieces = []  # (bytes, how)
        try:
            o = json.loads(data)
            if is_bundle(o) or s.get("force"): pieces.append((data, "file"))
            elif (isinstance(o, dict) and isinstance(o.get("attestations"), list)) or isinstance(o, list):
                atts = o if isinstance(o, list) else o["attestations"]
                key = "" if isinstance(o, list) else "attestations"
                for i,a in enumerate(atts):
                    if is_bundle(a.get("bundle")):
                        pieces.append((json.dumps(a["bundle"], separators=(",",":")).encode(), f"wrapper:{key}[{i}].bundle ({a.get('predicateType')})"))
            else: print("UNKNOWN JSON", repo, path)
        except ValueError:
            lines = [l for l in data.split(b"\n") if l.strip()]
            for i,l in enumerate(lines):
                try: o = json.loads(l)
                except ValueError: print("BAD LINE", repo, path, i); continue
                if is_bundle(o): pieces.append((l, f"jsonl:line{i+1}" if len(lines)>1 else "jsonl:single-line"))
                else: print("NONBUNDLE LINE", repo, path, i)
        for b, how in pieces:
            cands.append({"repo":repo,"path":path,"commit":commit,"blob":s["blob"],"at_head":ishead,"how":how,
                          "sha256":hashlib.sha256(b).hexdigest(),"data_b64":base64.b64encode(b).decode()})
json.dump(cands, open(f"{OUT}/tools/candidates.json","w"))
print(len(cands), "pieces;", len({c['sha256'] for c in cands}), "unique")
