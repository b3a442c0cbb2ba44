#!/usr/bin/env python3
"""Writes the plugin conformance matrix from the results of this CI run.

Every registered plugin x every external suite that judges it, plus the project's own
negative fixtures (golden cases that must fail), with passed / failed / false accepts /
skipped and the commit:

    target/conformance/matrix.json   machine-readable
    target/conformance/matrix.md     the table docs/conformance.md embeds

Inputs (written earlier in the same run by .ci/run):
    target/sigstore-results.json     scripts/conformance-sigstore.sh
    target/limbo-results.json        scripts/conformance-x509.sh
    target/tuf-kit.log               scripts/conformance-tuf.sh (pytest summary)
    target/merkle-vectors.log        the Merkle vector tests (counts printed)
    target/nitro-corpus.log          the nitro real-corpus and structural-mutant tests
    target/nitro-mutation.log        the nitro single-bit mutation benchmark (CI subset)
    target/realworld.log             the real-world Sigstore corpus test (tests/realworld)
    golden/*.toml                    negative fixtures: cases that must exit 1

With --check, also fails (exit 1) when the matrix embedded in docs/conformance.md between
the markers differs from the one just written (the commit line aside).
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
T = os.path.join(ROOT, "target")
BEGIN, END = "<!-- matrix:begin -->", "<!-- matrix:end -->"

# Which dedicated command's golden cases belong to which plugin.
GOLDEN_PLUGIN = [
    (("cosign",), "cosign"),
    (("x509",), "x509"),
    (("audit-pack",), "audit-pack"),
    (("log", "verify-receipt"), "tlog"),
    (("merkle", "verify-checkpoint"), "merkle"),
    (("merkle", "verify-inclusion"), "merkle"),
    (("merkle", "verify-consistency"), "merkle"),
    (("cache", "verify"), "tuf"),
    (("nitro", "verify"), "nitro"),
]


def die(msg):
    sys.exit(f"conformance-matrix: {msg}")


def load_json(name):
    path = os.path.join(T, name)
    if not os.path.exists(path):
        die(f"{path} is missing (run the kit first)")
    with open(path) as f:
        return json.load(f)


def row(plugin, suite, passed, failed, false_accepts, skipped, note=""):
    return {
        "plugin": plugin,
        "suite": suite,
        "passed": passed,
        "failed": failed,
        "false_accepts": false_accepts,
        "skipped": skipped,
        "note": note,
    }


def sigstore():
    r = load_json("sigstore-results.json")
    return row("cosign", "sigstore-conformance", r["passed"], r["failed"], r["false_accepts"], 0)


def limbo():
    r = load_json("limbo-results.json")
    a, c = r["all"], r["core"]
    note = f"CORE {c['passed']}/{c['total']}"
    failed = a["total"] - a["passed"] - a.get("skipped", 0)
    return row("x509", "x509-limbo", a["passed"], failed, a["false_accept"], a.get("skipped", 0), note)


def tuf():
    path = os.path.join(T, "tuf-kit.log")
    if not os.path.exists(path):
        die(f"{path} is missing (run the kit first)")
    text = open(path).read()
    counts = {k: 0 for k in ("passed", "failed", "skipped", "xfailed", "error")}
    m = None
    for line in text.splitlines():
        if re.search(r"\d+ passed", line) and (" in " in line):
            m = line
    if m is None:
        die("no pytest summary line in target/tuf-kit.log")
    for n, k in re.findall(r"(\d+) (passed|failed|skipped|xfailed|errors?)", m):
        counts["error" if k.startswith("error") else k] += int(n)
    return row("tuf", "tuf-conformance", counts["passed"], counts["failed"] + counts["error"],
               0, counts["skipped"] + counts["xfailed"],
               "the TUF client the tuf plugin verifies cached repositories with")


def merkle():
    path = os.path.join(T, "merkle-vectors.log")
    if not os.path.exists(path):
        die(f"{path} is missing (run the vector tests first)")
    text = open(path).read()
    total = sum(int(n) for n in re.findall(r"(\d+) (?:cases|values)[^\n]*checked", text))
    failed = sum(int(n) for n in re.findall(r"test result: \w+\. \d+ passed; (\d+) failed", text))
    if total == 0:
        die("no vector counts in target/merkle-vectors.log")
    return row("merkle", "merkle vectors (../shared/vectors/merkle)", total if failed == 0 else 0,
               failed, 0, 0, "every case of every file, accept and reject")


def read_log(name):
    path = os.path.join(T, name)
    if not os.path.exists(path):
        die(f"{path} is missing (run the step of .ci/run that writes it first)")
    return open(path).read()


def nitro():
    text = read_log("nitro-corpus.log")
    m = re.search(r"nitro real corpus: (\d+) documents: (\d+) verified at their timestamp, "
                  r"(\d+) debug refused by default and verified with --allow-debug, (\d+) fail "
                  r"one second after the leaf expires, (\d+) look-alike/tampered/NitroTPM "
                  r"rejected, (\d+) source expectations agreed; (\d+) problems", text)
    if not m:
        die("no corpus summary in target/nitro-corpus.log")
    total, ok, debug, expired, rejected, agreed, problems = map(int, m.groups())
    corpus = row("nitro", "AWS-signed documents from public repositories (fixtures/nitro/corpus)",
                 ok + debug + rejected, problems, 0, 0,
                 f"{ok} verify, {debug} debug refused by default, {rejected} look-alike/tampered/"
                 f"NitroTPM rejected; {expired} fail a second after the leaf expires; {agreed} "
                 "source PCR expectations agree")
    m = re.search(r"structural mutants: (\d+) \((\d+) rejected, (\d+) documented equivalents "
                  r"accepted\)", text)
    if not m:
        die("no structural-mutant summary in target/nitro-corpus.log")
    n, rej, eq = map(int, m.groups())
    structural = row("nitro", "structural mutants (re-signed)", rej + eq, n - rej - eq, 0, 0,
                     f"{rej} rejected, {eq} documented equivalents verify")
    m = re.search(r"nitro mutation campaign: (\d+) single-bit mutants of (\d+) documents "
                  r"\(CI subset\), (\d+) accepted", read_log("nitro-mutation.log"))
    if not m:
        die("no campaign summary in target/nitro-mutation.log")
    bits, docs, accepted = map(int, m.groups())
    flips = row("nitro", "single-bit mutants (CI subset)", bits - accepted, 0, accepted, 0,
                f"every bit of {docs} documents")
    return [corpus, structural, flips]


def realworld():
    text = read_log("realworld.log")
    m = re.search(r"realworld: (\d+) bundles; (\d+) of (\d+) that must verify verified, (\d+) false "
                  r"rejects; (\d+) of (\d+) that must fail rejected; (\d+) false accepts; (\d+) not "
                  r"run", text)
    if not m:
        die("no corpus summary in target/realworld.log")
    total, ok, must_ok, false_rejects, rej, must_fail, false_accepts, not_run = map(int, m.groups())
    return row("cosign", "real-world bundles from public repositories (tests/realworld)",
               ok + rej, false_rejects, false_accepts, not_run,
               f"{ok} of {must_ok} that must verify verify; {rej} of {must_fail} that must fail "
               f"are rejected; failed = known false rejects, each listed with its check")


def negatives():
    counts = {}
    gdir = os.path.join(ROOT, "golden")
    for name in sorted(os.listdir(gdir)):
        if not name.endswith(".toml"):
            continue
        text = open(os.path.join(gdir, name)).read()
        if not re.search(r"^status\.code = 1$", text, re.M):
            continue
        m = re.search(r"^args = (.*)$", text, re.M)
        raw = json.loads(m.group(1)) if m else []
        # Global flags with a value come before the command; drop them with their value.
        while raw and raw[0].startswith("-"):
            raw = raw[2:] if raw[0] in ("--cache-dir", "--log-format") else raw[1:]
        if raw[:1] == ["verify"] and "--plugin" in raw:
            i = raw.index("--plugin")
            plugin = raw[i + 1] if i + 1 < len(raw) else ""
            counts[plugin] = counts.get(plugin, 0) + 1
            continue
        args = [a for a in raw if not a.startswith("-")]
        for prefix, plugin in GOLDEN_PLUGIN:
            if tuple(args[: len(prefix)]) == prefix:
                counts[plugin] = counts.get(plugin, 0) + 1
                break
    # The golden test (run before this script in CI) checked each one exits 1 with its
    # recorded failing check: every one is rejected.
    return [row(p, "own negative fixtures (golden cases that must fail)", n, 0, 0, 0)
            for p, n in sorted(counts.items())]


def markdown(rows):
    lines = ["| plugin | suite | passed | failed | false accepts | skipped | note |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['plugin']} | {r['suite']} | {r['passed']} | {r['failed']} | "
                     f"{r['false_accepts']} | {r['skipped']} | {r['note']} |")
    return "\n".join(lines) + "\n"


def main():
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True,
                            text=True).stdout.strip() or "unknown"
    rows = [sigstore(), realworld(), limbo(), tuf(), merkle()] + nitro() + negatives()
    out = os.path.join(T, "conformance")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "matrix.json"), "w") as f:
        json.dump({"commit": commit, "rows": rows}, f, indent=2)
        f.write("\n")
    table = markdown(rows)
    with open(os.path.join(out, "matrix.md"), "w") as f:
        f.write(f"Commit {commit}.\n\n{table}")
    print(table, end="")
    if any(r["false_accepts"] for r in rows):
        die("a false accept")
    if "--check" in sys.argv:
        doc = open(os.path.join(ROOT, "docs", "conformance.md")).read()
        if BEGIN not in doc or END not in doc:
            die("docs/conformance.md has no matrix markers")
        embedded = doc.split(BEGIN, 1)[1].split(END, 1)[0].strip()
        if embedded != table.strip():
            die("docs/conformance.md embeds a stale matrix; copy target/conformance/matrix.md "
                "(the table) between the markers")
        print("docs/conformance.md: matrix up to date")


if __name__ == "__main__":
    main()
