# An npm package with GitHub Actions provenance: the package's SLSA provenance attestation
# verified (Sigstore, keyless), built by GitHub Actions from the expected repository and
# workflow, about this very tarball.
package main

import rego.v1

expected := data.npm

provenance := [a |
	some a in input.attestations
	a.predicateType == "https://slsa.dev/provenance/v1"
]

deny contains "no SLSA provenance v1 attestation among the verified evidence" if {
	count(provenance) == 0
}

deny_builder contains msg if {
	some a in provenance
	a.predicate.runDetails.builder.id != expected.builder_id
	msg := sprintf("%s: built by %s, expected %s", [a.item, a.predicate.runDetails.builder.id, expected.builder_id])
}

deny_source contains msg if {
	some a in provenance
	wf := a.predicate.buildDefinition.externalParameters.workflow
	wf.repository != expected.repository
	msg := sprintf("%s: built from %s, expected %s", [a.item, wf.repository, expected.repository])
}

deny_workflow contains msg if {
	some a in provenance
	wf := a.predicate.buildDefinition.externalParameters.workflow
	wf.path != expected.workflow
	msg := sprintf("%s: built by workflow %s, expected %s", [a.item, wf.path, expected.workflow])
}

deny_package contains msg if {
	some a in provenance
	not package_named(a)
	msg := sprintf("%s: the provenance is not about %s", [a.item, expected.package])
}

package_named(a) if {
	some s in a.subject
	s.name == expected.package
}

violation_signer contains {"msg": msg, "item": name, "check": "cosign.identity"} if {
	some name, r in input.reports
	r.plugin == "cosign"
	not startswith(r.report.outputs.identity, concat("", [expected.repository, "/"]))
	msg := sprintf("signed by %s, not by a workflow of %s", [r.report.outputs.identity, expected.repository])
}

# The VSA claims what the checks above establish.
verified_levels contains "SLSA_BUILD_LEVEL_2" if count(provenance) > 0
