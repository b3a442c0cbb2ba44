package main

import rego.v1

pack(generated) := {"plugin": "audit-pack", "ok": true, "report": {"outputs": {"generated_at": generated}}}

at(now) := {"now": now, "now_ns": time.parse_rfc3339_ns(now)}

test_fresh_pack_allows if {
	inp := {"reports": {"audit-pack": pack("2026-11-23T00:00:00Z")}, "context": at("2026-12-01T00:00:00Z")}
	count(deny) == 0 with input as inp
	count(deny_stale) == 0 with input as inp
	count(deny_future) == 0 with input as inp
}

test_pack_of_91_days_denies if {
	inp := {"reports": {"audit-pack": pack("2026-11-23T00:00:00Z")}, "context": at("2027-02-22T00:00:00Z")}
	count(deny_stale) == 1 with input as inp
}

test_pack_from_the_future_denies if {
	inp := {"reports": {"audit-pack": pack("2026-11-23T00:00:00Z")}, "context": at("2026-11-22T00:00:00Z")}
	count(deny_future) == 1 with input as inp
}

test_no_pack_denies if {
	count(deny) == 1 with input as {"reports": {}, "context": at("2026-12-01T00:00:00Z")}
}
