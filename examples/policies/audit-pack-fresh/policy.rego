# The audit pack that goes with a release is verified (signature, index, every file, every
# control line) and no older than 90 days at the verification time. The verification time is
# input.context.now_ns, never the clock: the same evidence gives the same decision on any day
# it is replayed with the same --at.
package main

import rego.v1

max_age_days := 90

day_ns := (24 * 3600) * 1000000000

packs := [name |
	some name, r in input.reports
	r.plugin == "audit-pack"
]

deny contains "no audit pack among the evidence" if count(packs) == 0

deny_stale contains msg if {
	some name in packs
	generated := input.reports[name].report.outputs.generated_at
	age_days := (input.context.now_ns - time.parse_rfc3339_ns(generated)) / day_ns
	age_days > max_age_days
	msg := sprintf("%s was generated %s, %d days before %s (at most %d)", [name, generated, age_days, input.context.now, max_age_days])
}

deny_future contains msg if {
	some name in packs
	generated := input.reports[name].report.outputs.generated_at
	time.parse_rfc3339_ns(generated) > input.context.now_ns
	msg := sprintf("%s claims to be generated %s, after %s", [name, generated, input.context.now])
}

warn_insecure contains msg if {
	some name in packs
	modes := input.reports[name].report.outputs.insecure_build_modes
	msg := sprintf("%s was built with insecure modes: %s", [name, modes])
}
