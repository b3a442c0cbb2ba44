# The sensitive-services release train: the container release is signed by the release
# workflow (Sigstore), and the enclave it runs in attests the expected image (PCR0), kernel
# (PCR1) and application (PCR2), in production mode.
package main

import rego.v1

release := data.release

deny contains msg if {
	not some_signed_release
	msg := sprintf("no verified Sigstore signature by %s", [release.identity])
}

some_signed_release if {
	some r in input.reports
	r.plugin == "cosign"
	r.ok
	r.report.outputs.identity == release.identity
}

deny contains "no verified enclave attestation" if {
	count(enclaves) == 0
}

enclaves := [name |
	some name, r in input.reports
	r.plugin == "nitro"
	r.ok
]

violation_pcr contains {"msg": msg, "item": name, "check": "nitro.pcrs"} if {
	some name in enclaves
	some pcr, want in release.pcrs
	got := input.reports[name].report.outputs.pcrs[pcr]
	got != want
	msg := sprintf("PCR%s is %s, expected %s", [pcr, got, want])
}

violation_pcr contains {"msg": sprintf("PCR%s is not in the attestation", [pcr]), "item": name, "check": "nitro.pcrs"} if {
	some name in enclaves
	some pcr, _ in release.pcrs
	not input.reports[name].report.outputs.pcrs[pcr]
}

deny_debug contains msg if {
	some name in enclaves
	count(input.reports[name].report.insecure) > 0
	msg := sprintf("%s: verified with insecure modes %v", [name, input.reports[name].report.insecure])
}
