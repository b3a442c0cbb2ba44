#!/usr/bin/env python3
"""Extracts the x509-limbo testcases used by plugin-x509's integration tests.

Source: the shared x509-limbo kit (../shared/conformance/x509-limbo/limbo.json.gz, see its
SOURCES.md; Apache-2.0). Run from the repository root:

    python3 plugins/x509/tests/data/extract-limbo-fixtures.py

It rewrites plugins/x509/tests/data/limbo-fixtures.json (never hand-edit that file).
"""
import gzip
import json
import os

CASES = [
    "webpki::san::exact-dns-san",
    "webpki::cryptographydotio-chain",
    "webpki::eku::ee-without-eku",
    "rfc5280::validity::expired-leaf",
    "rfc5280::nc::excluded-dns-match",
    "rfc5280::unknown-critical-extension-ee",
    "pathlen::intermediate-violates-pathlen-0",
    "cve::cve-2024-0567",
    "cve::cve-2025-61727",
    "crl::revoked-certificate-with-crl",
    "crl::certificate-not-on-crl",
    "pathological::pathological-chain-same-subject-same-key",
]
KEEP = ["id", "expected_result", "validation_kind", "trusted_certs", "untrusted_intermediates",
        "peer_certificate", "validation_time", "expected_peer_name", "extended_key_usage",
        "key_usage", "max_chain_depth", "crls"]

root = os.path.dirname(os.path.abspath(__file__))
kit = os.path.join(root, "..", "..", "..", "..", "..", "shared", "conformance", "x509-limbo",
                   "limbo.json.gz")
with gzip.open(kit, "rt", encoding="utf-8") as f:
    limbo = json.load(f)
by_id = {tc["id"]: tc for tc in limbo["testcases"]}
out = [{k: by_id[c][k] for k in KEEP} for c in CASES]
with open(os.path.join(root, "limbo-fixtures.json"), "w", encoding="utf-8") as f:
    json.dump({"source": "x509-limbo kit, ../shared/conformance/x509-limbo (Apache-2.0)",
               "testcases": out}, f, indent=1)
    f.write("\n")
