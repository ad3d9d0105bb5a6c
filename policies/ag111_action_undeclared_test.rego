package agentgate.rules.ag111_action_undeclared

import rego.v1

facts(undeclared, overflow) := {"a": {"observed": {"undeclared": undeclared, "undeclaredOverflow": overflow}}}

test_an_undeclared_action_fires_even_when_denied if {
	deny == {{
		"msg": "\"delete\" on \"db://prod/users\" is not granted by any permission, yet the logs show it: 0 allowed, 1 denied, first 2026-11-01T00:00:00Z, last 2026-11-01T00:00:00Z",
		"path": "/spec/permissions",
	}} with input as {"metadata": {"name": "a"}}
		with data.agentgate.facts as facts(
			[{"resource": "db://prod/users", "action": "delete", "allowed": 0, "denied": 1, "first": "2026-11-01T00:00:00Z", "last": "2026-11-01T00:00:00Z"}],
			0,
		)
}

test_overflow_is_reported if {
	count(deny) == 1 with input as {"metadata": {"name": "a"}} with data.agentgate.facts as facts([], 7)
}

test_without_observations_nothing_fires if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}}
}
