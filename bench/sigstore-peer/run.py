#!/usr/bin/env python3
"""Whole-process time to verify one Sigstore bundle: prov-verify against a peer client.

Runs `prov-verify --quiet cosign verify-blob` and a sigstore-conformance CLI client (the
peer: `CLIENT verify-bundle --bundle B --certificate-identity I --certificate-oidc-issuer O
--trusted-root T ARTIFACT`) on the same bundles in one run, interleaved, and prints the
median wall time of each per bundle, the ratio ours/peer, and the median of /bin/true timed the
same way (the harness floor: fork, exec and wait from Python). If the repository's conformance
adapter (`target/release/sigstore-client`, plugin-cosign) is built, it is a third line.

    python3 bench/sigstore-peer/run.py --ours target/release/prov-verify [--peer CLIENT]
                                       [--rounds N | --quick] [--json OUT]

Every binary is first copied into one temporary directory and timed there (--no-copy: where
it is), so that all are in the same page-cache state. Without --peer the peer line says
"skipped". Every timed run's exit status is checked: a bundle that either side does not verify
in the check run is reported and left out; a timed run that fails is reported and not counted.
Python 3 standard library only.
"""

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
KIT = REPO.parent / "shared" / "conformance" / "sigstore"
REALWORLD = REPO / "tests" / "realworld"

# Verification time given to prov-verify (--at). The peer takes no time flag; both check the
# certificate at the signing time the log entry or timestamp proves.
AT = "2026-12-01T00:00:00Z"

# Happy-path rows of the conformance kit's cases.tsv (arguments taken from the kit as is).
KIT_CASES = [
    "happy-path-v0.1/path",  # v0.1, hashedrekord, x509CertificateChain, inclusion proof + SET
    "happy-path-v0.3/path",  # v0.3, hashedrekord, leaf certificate
    "happy-path-intoto-in-dsse-v3/path",  # v0.3, DSSE in-toto statement, dsse entry
    "rekor2-happy-path/path",  # v0.3, Rekor v2 hashedrekord 0.0.2, RFC 3161 timestamp
    "rekor2-dsse-happy-path/path",  # v0.3, Rekor v2 dsse 0.0.2, RFC 3161 timestamp
]

# Entries of tests/realworld/sources.json (artifact file, identity and issuer recorded there).
REALWORLD_CASES = [
    "java-bundle.v3",  # sigstore-java test data: v0.3 hashedrekord, public-good
    "py-bundle_v3_github.whl",  # sigstore-python: v0.2, GitHub Actions signer
    "slsa-bcr_rules_lint-v1.3.1.tar.gz",  # bazel-central-registry SLSA provenance, v0.3 DSSE
]


def kit_cases(kit):
    rows = {}
    with open(kit / "cases.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            cid, expect, args = line.rstrip("\n").split("\t")
            rows[cid] = (expect, shlex.split(args))
    out = []
    for cid in KIT_CASES:
        expect, args = rows[cid]
        if expect != "pass" or args[0] != "verify-bundle":
            sys.exit(f"kit case {cid}: not a pass row")
        opts, artifact = parse_protocol(args[1:])
        out.append(
            dict(
                name="kit:" + cid.split("/")[0],
                bundle=str(kit / opts["--bundle"]),
                identity=opts["--certificate-identity"],
                issuer=opts["--certificate-oidc-issuer"],
                root=str(kit / opts["--trusted-root"]),
                artifact=str(kit / artifact),
            )
        )
    return out


def parse_protocol(args):
    opts, rest, i = {}, [], 0
    while i < len(args):
        if args[i].startswith("--"):
            opts[args[i]] = args[i + 1]
            i += 2
        else:
            rest.append(args[i])
            i += 1
    return opts, rest[-1]


def realworld_cases(rw):
    entries = {e["id"]: e for e in json.loads((rw / "sources.json").read_text())}
    out = []
    for cid in REALWORLD_CASES:
        e = entries[cid]
        root = e.get("trusted_root") or e.get("peer_trusted_root") or (
            "roots/staging.trusted_root.json"
            if e.get("instance") == "staging"
            else "roots/public-good.trusted_root.json"
        )
        out.append(
            dict(
                name="rw:" + cid,
                bundle=str(rw / e["file"]),
                identity=e["identity"],
                issuer=e["issuer"],
                root=str(rw / root),
                artifact=str(rw / e["artifact"]),
            )
        )
    return out


def ours_cmd(binary, c):
    return [
        binary, "--quiet", "cosign", "verify-blob", c["artifact"], "--bundle", c["bundle"],
        "--certificate-identity", c["identity"], "--certificate-oidc-issuer", c["issuer"],
        "--trusted-root", c["root"], "--at", AT,
    ]


def protocol_cmd(client, c):
    return [
        *client, "verify-bundle", "--bundle", c["bundle"],
        "--certificate-identity", c["identity"], "--certificate-oidc-issuer", c["issuer"],
        "--trusted-root", c["root"], c["artifact"],
    ]


def run(cmd):
    """Wall time of one whole process (seconds), exit status, stderr tail."""
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    t = time.perf_counter() - t0
    return t, p.returncode, p.stderr.decode(errors="replace").strip().splitlines()[-1:]


def loadavg():
    try:
        return Path("/proc/loadavg").read_text().split()[:3]
    except OSError:
        return ["?"]


def fresh_copy(binary, directory, name):
    """Copies `binary` into `directory`/`name`/ under its own name (executable) and returns the
    copy's path."""
    os.mkdir(os.path.join(directory, name))
    dest = os.path.join(directory, name, os.path.basename(binary))
    shutil.copyfile(binary, dest)
    os.chmod(dest, 0o755)
    return dest


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ours", required=True, help="prov-verify binary")
    ap.add_argument("--peer", help="sigstore-conformance client binary (optional)")
    ap.add_argument("--adapter", help="conformance adapter binary "
                    "(default: target/release/sigstore-client if present; 'none' to skip)")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="5 rounds")
    ap.add_argument("--kit", type=Path, default=KIT)
    ap.add_argument("--json", type=Path, help="write all timings here")
    ap.add_argument("--no-copy", action="store_true",
                    help="time the binaries where they are instead of fresh copies")
    a = ap.parse_args()
    rounds = 5 if a.quick else a.rounds
    adapter = a.adapter or str(REPO / "target" / "release" / "sigstore-client")
    has_adapter = a.adapter != "none" and os.access(adapter, os.X_OK)

    # How a binary's pages sit in the page cache changes its start by several percent: a file
    # the linker just wrote, one read back from disk, and one written by a copy are mapped
    # differently (the last in the largest pieces). So every binary is timed as a fresh copy
    # in one temporary directory: the same state for each, as after an install.
    tmp = None
    if not a.no_copy:
        tmp = tempfile.TemporaryDirectory(prefix="sigstore-peer-")
        a.ours = fresh_copy(a.ours, tmp.name, "ours")
        if a.peer:
            a.peer = fresh_copy(a.peer, tmp.name, "peer")
        if has_adapter:
            adapter = fresh_copy(adapter, tmp.name, "adapter")

    tools = {"ours": lambda c: ours_cmd(a.ours, c)}
    # Process start without verification, with the exit status each gives: prov-verify
    # --version; the protocol clients called without arguments print their usage.
    startup = {"ours": ([a.ours, "--version"], 0)}
    if a.peer:
        tools["peer"] = lambda c: protocol_cmd([a.peer], c)
        startup["peer"] = ([a.peer], 1)
    if has_adapter:
        tools["adapter"] = lambda c: protocol_cmd([adapter], c)
        startup["adapter"] = ([adapter], 2)
    names = list(tools)

    cases = kit_cases(a.kit) + realworld_cases(REALWORLD)
    load_before = loadavg()
    print(f"load average before: {' '.join(load_before)}; rounds: {rounds}; "
          f"tools: {', '.join(names)}; --at {AT} for prov-verify")

    # Check run (untimed, also warms the page cache): keep bundles every tool verifies.
    kept, dropped = [], []
    for c in cases:
        bad = []
        for n in names:
            _, rc, err = run(tools[n](c))
            if rc != 0:
                bad.append(f"{n} exit {rc}: {' '.join(err)[:160]}")
        (dropped if bad else kept).append((c, bad))
    for c, bad in dropped:
        print(f"NOT TIMED {c['name']}: " + "; ".join(bad))
    kept = [c for c, _ in kept]
    if not kept:
        sys.exit("no bundle verified by every tool")

    times = {c["name"]: {n: [] for n in names} for c in kept}
    floor, failures = [], []
    start = {n: [] for n in names}
    for r in range(rounds):
        floor.append(run(["/bin/true"])[0])
        for n in names:
            t, rc, err = run(startup[n][0])
            if rc == startup[n][1]:
                start[n].append(t)
            else:
                failures.append(f"round {r}: start-up {n} exit {rc}, expected {startup[n][1]}")
        for c in kept:
            # interleaved; the order rotates every round so no tool always runs first
            order = names[r % len(names):] + names[: r % len(names)]
            for n in order:
                t, rc, err = run(tools[n](c))
                if rc == 0:
                    times[c["name"]][n].append(t)
                else:
                    failures.append(f"round {r}: {c['name']} {n} exit {rc}: {' '.join(err)}")
        floor.append(run(["/bin/true"])[0])
    load_after = loadavg()

    ms = lambda xs: statistics.median(xs) * 1e3 if xs else float("nan")
    hdr = f"{'bundle':44} {'ours ms':>8} {'peer ms':>8} {'ours/peer':>9}"
    if "adapter" in tools:
        hdr += f" {'adapter ms':>10} {'adapter/peer':>12}"
    print(hdr)
    ratios, aratios = [], []
    for c in kept:
        t = times[c["name"]]
        o = ms(t["ours"])
        line = f"{c['name'][:44]:44} {o:8.2f}"
        if "peer" in t:
            p = ms(t["peer"])
            ratios.append(o / p)
            line += f" {p:8.2f} {o / p:9.2f}"
        else:
            line += f" {'skipped':>8} {'-':>9}"
        if "adapter" in t:
            ad = ms(t["adapter"])
            line += f" {ad:10.2f}"
            if "peer" in t:
                aratios.append(ad / p)
                line += f" {ad / p:12.2f}"
        print(line)
    if "peer" not in tools:
        print("peer: skipped (no --peer given)")
    if ratios:
        gm = statistics.geometric_mean(ratios)
        print(f"ours/peer: geometric mean {gm:.2f} over {len(ratios)} bundles"
              + (f"; adapter/peer {statistics.geometric_mean(aratios):.2f}" if aratios else ""))
    print("process start, no verification: " + "; ".join(
        f"{n} {ms(start[n]):.2f} ms ({' '.join(Path(x).name if i == 0 else x for i, x in enumerate(startup[n][0]))})"
        for n in names))
    print(f"harness floor (/bin/true): median {ms(floor):.2f} ms over {len(floor)} runs")
    print(f"runs per figure: {rounds}; failed timed runs: {len(failures)}")
    for f in failures:
        print("FAILED " + f)
    print(f"load average after: {' '.join(load_after)}")

    if a.json:
        a.json.write_text(json.dumps(dict(
            at=AT, rounds=rounds, load_before=load_before, load_after=load_after,
            floor_s=floor, startup_s=start, times_s=times, failures=failures,
            not_timed={c["name"]: bad for c, bad in dropped},
            commands={c["name"]: {n: tools[n](c) for n in names} for c in kept},
        ), indent=1))
    return 1 if failures or dropped else 0


if __name__ == "__main__":
    sys.exit(main())
