package main

import rego.v1

pcrs := {
	"0": "929376f6baa93530c4adbcced661268588fbef9b6274f41ef61835d865dc594756e5963dc1f9b3c30b350a26f16bea41",
	"1": "fb2362fac46d2ba190109e3cc88b6e40d9df7681faefc257ecfe24b34b5c44c18a34cf8804ad4fd7a0421a900b1fd6ce",
	"2": "7f7dc70ebdda073088b45c7848a1d35e81448a51c3d6f7ad6b1fa7b13199f23889f74a8760c45c0134d8c49692b54a3d",
}

signed := {"plugin": "cosign", "ok": true, "report": {"outputs": {"identity": "https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0"}, "insecure": []}}

enclave(p) := {"plugin": "nitro", "ok": true, "report": {"outputs": {"pcrs": p}, "insecure": []}}

test_expected_release_allows if {
	inp := {"reports": {"image": signed, "enclave": enclave(pcrs)}}
	count(deny) == 0 with input as inp
	count(violation_pcr) == 0 with input as inp
	count(deny_debug) == 0 with input as inp
}

test_other_image_is_a_violation if {
	inp := {"reports": {"image": signed, "enclave": enclave(object.union(pcrs, {"0": "00"}))}}
	count(violation_pcr) == 1 with input as inp
}

test_missing_pcr_is_a_violation if {
	inp := {"reports": {"image": signed, "enclave": enclave(object.remove(pcrs, ["2"]))}}
	count(violation_pcr) == 1 with input as inp
}

test_unsigned_release_denies if {
	inp := {"reports": {"enclave": enclave(pcrs)}}
	count(deny) == 1 with input as inp
}

test_no_attestation_denies if {
	inp := {"reports": {"image": signed}}
	count(deny) == 1 with input as inp
}
