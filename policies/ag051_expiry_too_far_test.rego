package agentgate.rules.ag051_expiry_too_far

import rego.v1

manifest(status, expires) := {"metadata": {"name": "bot"}, "spec": {"lifecycle": {"status": status, "expires": expires}}}

facts_for(seconds) := {"bot": {"file": "bot.agent.yaml", "credentials": [], "expiresInSeconds": seconds, "reviewAgeSeconds": null}}

test_far_expiry_fires if {
	deny == {{
		"msg": "expiry 2028-11-23 is 731 days away, beyond the 365d limit (maxLifetime)",
		"path": "/spec/lifecycle/expires",
	}} with input as manifest("active", "2028-11-23")
		with data.agentgate.facts as facts_for(731 * 86400)
}

test_within_lifetime_passes if {
	count(deny) == 0 with input as manifest("active", "2027-11-23")
		with data.agentgate.facts as facts_for(365 * 86400)
	count(deny) == 0 with input as manifest("active", "2026-01-01")
		with data.agentgate.facts as facts_for(-326 * 86400)
}

test_retired_agents_are_exempt if {
	count(deny) == 0 with input as manifest("retired", "2099-01-01")
		with data.agentgate.facts as facts_for(26702 * 86400)
}

test_configured_limit if {
	count(deny) == 1 with input as manifest("active", "2027-05-31")
		with data.agentgate.facts as facts_for(189 * 86400)
		with data.agentgate.settings.maxLifetime as 90 * 86400
}

test_absent_expiry_is_ag050s if {
	count(deny) == 0 with input as {"metadata": {"name": "bot"}, "spec": {"lifecycle": {"status": "active"}}}
		with data.agentgate.facts as facts_for(null)
}
