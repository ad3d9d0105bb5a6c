package agentgate.rules.ag050_agent_expired

import rego.v1

manifest(lifecycle) := {"spec": {"lifecycle": lifecycle}}

test_expired_agent_fires if {
	deny == {{
		"msg": "the agent expired on 2026-11-22 (today is 2026-11-23) and must be re-certified or retired",
		"path": "/spec/lifecycle/expires",
	}} with input as manifest({"status": "active", "expires": "2026-11-22"})
		with data.agentgate.settings.today as "2026-11-23"
}

test_missing_expiry_fires_at_its_pointer if {
	deny == {{
		"msg": "spec.lifecycle.expires is missing: the agent never comes up for re-certification",
		"path": "/spec/lifecycle/expires",
	}} with input as manifest({"status": "proposed"})
	count(deny) == 1 with input as {"spec": {}}
}

test_valid_through_its_expiry_date if {
	count(deny) == 0 with input as manifest({"status": "active", "expires": "2026-11-23"})
		with data.agentgate.settings.today as "2026-11-23"
	count(deny) == 0 with input as manifest({"status": "active", "expires": "2027-05-31"})
		with data.agentgate.settings.today as "2026-11-23"
}

test_today_setting if {
	count(deny) == 1 with input as manifest({"status": "active", "expires": "2027-05-31"})
		with data.agentgate.settings.today as "2027-06-01"
}

test_retired_agents_are_exempt if {
	count(deny) == 0 with input as manifest({"status": "retired", "expires": "2020-01-01"})
	count(deny) == 0 with input as manifest({"status": "retired"})
}

test_not_a_date_is_left_to_the_schema if {
	count(deny) == 0 with input as manifest({"status": "active", "expires": "soon"})
}
