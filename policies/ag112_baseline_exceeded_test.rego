package agentgate.rules.ag112_baseline_exceeded

import rego.v1

manifest := {"metadata": {"name": "a"}, "spec": {"baseline": {"maxActionsPerHour": 10, "systems": ["db://prod"]}}}

facts(count, resources) := {"a": {"observed": {
	"maxPerHour": {"count": count, "hour": "2026-11-01T03:00:00Z"},
	"resources": resources,
	"resourcesOverflow": 0,
}}}

resource(r) := {"resource": r, "allowed": 1, "denied": 0, "first": "2026-11-01T03:00:00Z", "last": "2026-11-01T03:00:00Z"}

test_a_burst_fires if {
	deny == {{
		"msg": "11 events in the UTC hour from 2026-11-01T03:00:00Z, more than maxActionsPerHour 10",
		"path": "/spec/baseline/maxActionsPerHour",
	}} with input as manifest with data.agentgate.facts as facts(11, [resource("db://prod/users")])
}

test_a_system_outside_the_baseline_fires_at_a_path_boundary if {
	found := deny with input as manifest with data.agentgate.facts as facts(10, [resource("db://production")])
	count(found) == 1
	some f in found
	f.path == "/spec/baseline/systems"
}

test_without_a_baseline_or_observations_nothing_fires if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}, "spec": {}} with data.agentgate.facts as facts(99, [resource("x://y")])
	count(deny) == 0 with input as manifest
}
