#!/usr/bin/env python3
"""Scan every blob reachable from any ref of a mirrored repo for Sigstore bundle media types.
Output: JSON lines {repo, blob, path, size} for blobs containing the marker."""
import subprocess, sys, json, re
MARK = b"vnd.dev.sigstore.bundle"
SKIP_EXT = re.compile(r'\.(go|ts|js|py|rs|java|kt|rb|md|snap|cjs|mjs|tsx|yaml|yml|proto|txt|html|lock)$')
def main(gitdir, repo):
    p = subprocess.run(["git", "--git-dir", gitdir, "rev-list", "--all", "--objects", "--missing=allow-any"], capture_output=True, check=True)
    cand = {}
    for line in p.stdout.decode(errors="replace").splitlines():
        parts = line.split(" ", 1)
        if len(parts) != 2: continue
        sha, path = parts
        if SKIP_EXT.search(path): continue
        if "node_modules/" in path: continue
        cand.setdefault(sha, path)
    # batch check types/sizes
    inp = "\n".join(cand).encode()
    q = subprocess.run(["git", "--git-dir", gitdir, "cat-file", "--batch-check"], input=inp, capture_output=True)
    blobs = []
    for line in q.stdout.decode().splitlines():
        f = line.split()
        if len(f) == 3 and f[1] == "blob" and int(f[2]) < 4_000_000:
            blobs.append((f[0], int(f[2])))
    # read them in batch
    proc = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    out = []
    for sha, size in blobs:
        proc.stdin.write((sha + "\n").encode()); proc.stdin.flush()
        hdr = proc.stdout.readline()
        n = int(hdr.split()[2]) if len(hdr.split()) == 3 else 0
        data = proc.stdout.read(n); proc.stdout.read(1)
        if MARK in data:
            out.append({"repo": repo, "blob": sha, "path": cand[sha], "size": size})
    proc.stdin.close(); proc.wait()
    for o in out: print(json.dumps(o))
main(sys.argv[1], sys.argv[2])
