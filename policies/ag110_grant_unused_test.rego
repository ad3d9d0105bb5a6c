package agentgate.rules.ag110_grant_unused

import rego.v1

manifest(status) := {"metadata": {"name": "a"}, "spec": {"lifecycle": {"status": status}}}

observed(grants) := {"a": {"observed": {"since": "2026-10-24", "until": "2026-11-22", "grants": grants}}}

test_an_unused_grant_fires if {
	deny == {{
		"msg": "grant \"write\" on \"db://prod\" was not used from 2026-10-24 to 2026-11-22 (no allowed event; 2 denied attempts, first 2026-11-01T00:00:00Z, last 2026-11-02T00:00:00Z): remove it, least privilege",
		"path": "/spec/permissions/1",
	}} with input as manifest("active")
		with data.agentgate.facts as observed([
			{"permission": 0, "resource": "db://prod", "action": "read", "allowed": 3, "denied": 0, "first": "2026-11-01T00:00:00Z", "last": "2026-11-02T00:00:00Z"},
			{"permission": 1, "resource": "db://prod", "action": "write", "allowed": 0, "denied": 2, "first": "2026-11-01T00:00:00Z", "last": "2026-11-02T00:00:00Z"},
		])
}

test_without_observations_nothing_fires if {
	count(deny) == 0 with input as manifest("active")
}

test_proposed_and_retired_agents_are_not_judged if {
	grants := [{"permission": 0, "resource": "db://prod", "action": "read", "allowed": 0, "denied": 0, "first": null, "last": null}]
	count(deny) == 0 with input as manifest("proposed") with data.agentgate.facts as observed(grants)
	count(deny) == 0 with input as manifest("retired") with data.agentgate.facts as observed(grants)
	count(deny) == 1 with input as manifest("deprecated") with data.agentgate.facts as observed(grants)
}
