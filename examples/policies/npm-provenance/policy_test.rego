package main

import rego.v1

good := {
	"reports": {"provenance": {"plugin": "cosign", "ok": true, "report": {"outputs": {"identity": "https://github.com/sigstore/sigstore-js/.github/workflows/release.yml@refs/heads/main"}}}},
	"attestations": [{
		"item": "provenance",
		"predicateType": "https://slsa.dev/provenance/v1",
		"subject": [{"name": "pkg:npm/sigstore@2.1.0", "digest": {"sha512": "90f2"}}],
		"predicate": {
			"buildDefinition": {"externalParameters": {"workflow": {"repository": "https://github.com/sigstore/sigstore-js", "path": ".github/workflows/release.yml"}}},
			"runDetails": {"builder": {"id": "https://github.com/actions/runner/github-hosted"}},
		},
	}],
}

test_good_provenance_allows if {
	count(deny) == 0 with input as good
	count(deny_builder) == 0 with input as good
	count(deny_source) == 0 with input as good
	count(deny_workflow) == 0 with input as good
	count(deny_package) == 0 with input as good
	count(violation_signer) == 0 with input as good
}

test_no_provenance_denies if {
	count(deny) == 1 with input as object.union(good, {"attestations": []})
}

provenance_with(workflow, builder) := object.union(good, {"attestations": [{
	"item": "provenance",
	"predicateType": "https://slsa.dev/provenance/v1",
	"subject": [{"name": "pkg:npm/sigstore@2.1.0", "digest": {"sha512": "90f2"}}],
	"predicate": {
		"buildDefinition": {"externalParameters": {"workflow": workflow}},
		"runDetails": {"builder": {"id": builder}},
	},
}]})

test_other_repository_denies if {
	bad := provenance_with(
		{"repository": "https://github.com/evil/fork", "path": ".github/workflows/release.yml"},
		"https://github.com/actions/runner/github-hosted",
	)
	count(deny_source) == 1 with input as bad
}

test_self_hosted_runner_denies if {
	bad := provenance_with(
		{"repository": "https://github.com/sigstore/sigstore-js", "path": ".github/workflows/release.yml"},
		"https://github.com/actions/runner/self-hosted",
	)
	count(deny_builder) == 1 with input as bad
}

test_foreign_signer_is_a_violation if {
	bad := object.union(good, {"reports": {"provenance": {"plugin": "cosign", "ok": true, "report": {"outputs": {"identity": "https://github.com/evil/fork/.github/workflows/release.yml@refs/heads/main"}}}}})
	count(violation_signer) == 1 with input as bad
}
