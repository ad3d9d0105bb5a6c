package agentgate.rules.ag040_review_missing

import rego.v1

grant := {"resource": "jira://FIN", "actions": ["create"]}

credential := {"name": "token", "type": "federated"}

test_active_without_review_fires if {
	deny == {{
		"msg": "the agent (lifecycle.status: active) holds 1 permission and 1 credential but has no security review (spec.review)",
		"path": "/spec/review",
	}} with input as {"spec": {
		"lifecycle": {"status": "active", "expires": "2027-01-01"},
		"permissions": [grant], "credentials": [credential],
	}}
}

test_any_status_but_retired_with_access_fires if {
	every state in ["proposed", "deprecated", "active", "paused"] {
		deny == {{
			"msg": sprintf("the agent (lifecycle.status: %s) holds 2 permissions but has no security review (spec.review)", [state]),
			"path": "/spec/review",
		}} with input as {"spec": {"lifecycle": {"status": state}, "permissions": [grant, grant], "credentials": []}}
	}
}

test_credentials_alone_need_a_review if {
	deny == {{
		"msg": "the agent (lifecycle.status: proposed) holds 2 credentials but has no security review (spec.review)",
		"path": "/spec/review",
	}} with input as {"spec": {"lifecycle": {"status": "proposed"}, "credentials": [credential, credential]}}
}

test_no_status_with_access_fires if {
	deny == {{
		"msg": "the agent (no lifecycle.status) holds 1 permission but has no security review (spec.review)",
		"path": "/spec/review",
	}} with input as {"spec": {"permissions": [grant]}}
}

test_no_access_needs_no_review if {
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "proposed"}, "permissions": [], "credentials": []}}
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "active"}}}
	count(deny) == 0 with input as {"spec": {}}
	count(deny) == 0 with input as {"spec": {"permissions": "none", "credentials": 3}}
}

test_retired_needs_no_review if {
	# AG052 reports a retired agent that still holds access.
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "retired"}, "permissions": [grant]}}
}

test_with_review_passes if {
	count(deny) == 0 with input as {"spec": {
		"lifecycle": {"status": "deprecated"},
		"permissions": [grant],
		"review": {"reviewer": "sec@example.com", "date": "2026-11-02"},
	}}
}
