package agentgate.rules.ag040_review_missing

import rego.v1

test_active_without_review_fires if {
	deny == {{
		"msg": "the agent is active but has no security review (spec.review)",
		"path": "/spec/review",
	}} with input as {"spec": {"lifecycle": {"status": "active", "expires": "2027-01-01"}}}
}

test_proposed_without_review_passes if {
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "proposed"}}}
	count(deny) == 0 with input as {"spec": {}}
}

test_active_with_review_passes if {
	count(deny) == 0 with input as {"spec": {
		"lifecycle": {"status": "active"},
		"review": {"reviewer": "sec@example.com", "date": "2026-11-02"},
	}}
}
