//! The man page sections clap does not know (see `audit_pack_cli::manual`).

use audit_pack_cli::manual::Sections;

pub const SECTIONS: Sections<'static> = Sections {
    exit_status: "0: verified (a command that only computes or lists: done).

1: a verdict: the evidence does not verify. The output names the failed check.

2: no verdict: a usage error, an input that cannot be read or is not what it must be (not JSON, not a bundle, not a pack, not a certificate), or an internal error. The message names the flag, file or field.",
    examples: &[
        ("", "Verify a Sigstore bundle offline against a trusted root and an expected signer:

$ prov-verify cosign verify-blob artifact.tgz --bundle artifact.sigstore.json --trusted-root trusted_root.json --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com

Verify an audit pack with its signer's key, then write its PDF report:

$ prov-verify audit-pack verify audit-pack-acme-2026-11-23.tgz --key acme-audit-pack.pub
$ prov-verify audit-pack report audit-pack-acme-2026-11-23.tgz --key acme-audit-pack.pub --format pdf --out report.pdf

Verify an evidence set (many items, one report each), as a pipeline would:

$ prov-verify --json verify --set release-evidence.json

Carry the Sigstore trust root to an air-gapped machine:

$ prov-verify cache warm --sigstore
$ prov-verify cache export sigstore-cache.tgz
$ prov-verify cache import sigstore-cache.tgz --sigstore"),
        ("cosign verify-blob", "$ prov-verify cosign verify-blob artifact.tgz --bundle artifact.sigstore.json --trusted-root trusted_root.json --certificate-identity-regexp 'https://github.com/acme/.*' --certificate-oidc-issuer https://token.actions.githubusercontent.com --certificate-github-workflow-ref refs/tags/v1.0.0

$ prov-verify cosign verify-blob sha256:4b0e3728e9364bdc8c983ae1d5be25b6283ac8189f573b48545fb88afcf77714 --bundle artifact.sigstore.json --key cosign.pub"),
        ("cosign verify-blob-attestation", "$ prov-verify cosign verify-blob-attestation artifact.tgz --bundle provenance.sigstore.json --type slsaprovenance1 --certificate-identity https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0 --certificate-oidc-issuer https://token.actions.githubusercontent.com"),
        ("x509 verify", "$ prov-verify x509 verify --manifest release.json --signature release.cms.der --cert signer.pem --root corp-root.pem --crl corp-inter.crl --require-crl"),
        ("nitro verify", "$ prov-verify nitro verify attestation.cbor --measurements enclave.eif.json --nonce 0a1b2c3d --max-age 10m"),
        ("audit-pack verify", "$ prov-verify audit-pack verify audit-pack-acme-2026-11-23.tgz --key acme-audit-pack.pub --manifest-key acme-release.pub --spot-check 5 --seed 42"),
        ("verify", "$ prov-verify verify --plugin cosign --manifest artifact.tgz --signature artifact.sigstore.json --root sigstore-trusted-root=trusted_root.json --certificate-identity ID --certificate-oidc-issuer URL

$ prov-verify verify --set release-evidence.json"),
        ("merkle verify-inclusion", "$ prov-verify merkle verify-inclusion --proof-file proof.json"),
        ("log verify-receipt", "$ prov-verify log verify-receipt --key log.vkey receipt.json"),
        ("cache warm", "$ prov-verify cache warm --sigstore"),
    ],
    environment: "PROV_VERIFY_CACHE_DIR: the offline cache directory (as --cache-dir).

XDG_CACHE_HOME, HOME: without either of the above, the cache is $XDG_CACHE_HOME/prov-verify, else $HOME/.cache/prov-verify.

No other variable changes what is verified; verification never reads the network unless a command says so (cache warm, log mirror), and --offline forbids even that.",
    files: "$XDG_CACHE_HOME/prov-verify/ (or ~/.cache/prov-verify/): the offline cache: tuf/NAME/ (verified TUF metadata and targets, one committed generation each) and crls/ (CRLs added with cache add-crl).

Every other file is named on the command line.",
};
