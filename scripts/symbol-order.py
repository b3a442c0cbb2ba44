#!/usr/bin/env python3
"""Writes prov-verify/link/symbol-order.txt: the functions of the release `prov-verify` that
its common commands run, for the linker to place next to each other (prov-verify/build.rs).

A process maps its executable's code a 64 KiB window at a time, one page fault per window
touched (about 3-4 us each on the machines measured, docs/benchmarks.md). Laid out by the
linker in source order, the ~1 MB of code a Sigstore verification runs is spread over ~80
windows of the 13 MB of code; listed here, lld puts it in ~16. The order changes no behaviour:
a name missing from the binary is skipped, so a stale list costs speed only.

    python3 scripts/symbol-order.py            # build, profile, rewrite the list
    python3 scripts/symbol-order.py --check    # how many listed names the current build has

The profile is Valgrind's callgrind (every function executed, not a sample) over: `--version`,
the whole-process benchmark's bundles (bench/sigstore-peer/run.py) and the README's console
examples, plus a few success paths of the other plugins. Needs valgrind. Names are Rust's
mangled symbols, whose hashes depend on the toolchain and dependency versions: regenerate
after updating either (the --check figure drops). Python 3 standard library only.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "prov-verify" / "link" / "symbol-order.txt"
BIN = REPO / "target" / "release" / "prov-verify"

sys.path.insert(0, str(REPO / "bench" / "sigstore-peer"))
import run as peer_bench  # noqa: E402  (the benchmark's own case list and command line)

# Success paths of the other plugins and output formats, from the bundled fixtures.
EXTRA = [
    ["--json", "cosign", "verify-blob", "fixtures/cosign/artifact.txt",
     "--bundle", "fixtures/cosign/keyless.sigstore.json",
     "--trusted-root", "fixtures/cosign/trusted_root.json",
     "--certificate-identity-regexp", "https://github.com/acme/app/.*",
     "--certificate-oidc-issuer", "https://token.actions.githubusercontent.com",
     "--at", "2026-02-01T00:00:00Z"],
    ["verify", "--set", "fixtures/sets/release-evidence.json"],
    ["nitro", "verify", "fixtures/nitro/gen/doc.cbor", "--root", "fixtures/nitro/gen/test-root.pem",
     "--measurements", "fixtures/nitro/gen/measurements.json"],
]


def readme_commands():
    """`$ prov-verify ...` lines of the README's console blocks (continuations joined)."""
    out, in_console = [], False
    lines = iter((REPO / "README.md").read_text(encoding="utf-8").splitlines())
    for line in lines:
        if line.lstrip().startswith("```"):
            in_console = not in_console and line.lstrip().lstrip("`") == "console"
            continue
        if not in_console or not line.startswith("$ prov-verify "):
            continue
        cmd = line[2:].rstrip()
        while cmd.endswith("\\"):
            cmd = cmd[:-1] + " " + next(lines).strip()
        words = []
        for w in shlex.split(cmd)[1:]:
            m = re.fullmatch(r"\$\(cat (\S+)\)", w)
            words.append((REPO / m.group(1)).read_text(encoding="utf-8").strip() if m else w)
        out.append(words)
    return out


def runs():
    cases = peer_bench.kit_cases(peer_bench.KIT) + peer_bench.realworld_cases(peer_bench.REALWORLD)
    yield ["--version"]
    for c in cases:
        yield peer_bench.ours_cmd(str(BIN), c)[1:]
    yield from readme_commands()
    yield from EXTRA


def defined_functions():
    out = subprocess.run(["nm", "--defined-only", str(BIN)], check=True, capture_output=True,
                         text=True).stdout
    return {p[2] for p in (line.split() for line in out.splitlines())
            if len(p) == 3 and p[1] in "tTwW"}


def executed(profile):
    """Function names of a callgrind profile, in the order the file first names them."""
    names, seen, ids = [], set(), {}
    with open(profile, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"c?fn=\((\d+)\)(?: (.*))?$", line.rstrip("\n"))
            if not m:
                continue
            if m.group(2):
                ids[m.group(1)] = m.group(2)
            name = ids.get(m.group(1))
            if name and name not in seen:
                seen.add(name)
                names.append(name)
    return names


def check():
    listed = [l for l in OUT.read_text(encoding="utf-8").splitlines() if l and not l.startswith("#")]
    have = defined_functions()
    found = sum(1 for n in listed if n in have)
    print(f"{OUT.relative_to(REPO)}: {found} of {len(listed)} names are functions of {BIN.relative_to(REPO)}"
          f" ({100 * found / max(len(listed), 1):.0f} %)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="only count the listed names the binary has")
    a = ap.parse_args()
    if a.check:
        return check()
    env = dict(os.environ)
    subprocess.run(["bash", "-c", "source scripts/reproducible-env.sh && "
                    "cargo build --release --locked -q -p prov-verify"], cwd=REPO, check=True, env=env)
    have = defined_functions()
    order, seen = [], set()
    with tempfile.TemporaryDirectory() as tmp:
        for i, args in enumerate(runs()):
            prof = Path(tmp) / f"{i}.out"
            p = subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", "--dump-line=no",
                                f"--callgrind-out-file={prof}", str(BIN), *args], cwd=REPO,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
            print(f"exit {p.returncode}: prov-verify {' '.join(args)[:110]}")
            for n in executed(prof):
                if n in have and n not in seen:
                    seen.add(n)
                    order.append(n)
    rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
    header = [
        "# Functions of the release prov-verify that its common commands run, in first-run order:",
        "# lld places them together (prov-verify/build.rs). Written by scripts/symbol-order.py;",
        f"# names as built by {rustc}. Regenerate after a toolchain or dependency update.",
    ]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("\n".join(header + order) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(REPO)}: {len(order)} functions")


if __name__ == "__main__":
    main()
