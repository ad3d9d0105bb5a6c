package agentgate.rules.ag043_review_expired

import rego.v1

manifest(status, date) := {
	"metadata": {"name": "bot"},
	"spec": {"lifecycle": {"status": status}, "review": {"reviewer": "sec@example.com", "date": date}},
}

facts_for(age) := {"bot": {"file": "bot.agent.yaml", "credentials": [], "expiresInSeconds": null, "reviewAgeSeconds": age}}

test_old_review_fires if {
	deny == {{
		"msg": "the review of 2026-01-02 is 325 days old, older than the 180d limit (maxReviewAge)",
		"path": "/spec/review/date",
	}} with input as manifest("active", "2026-01-02")
		with data.agentgate.facts as facts_for(325 * 86400)
}

test_future_review_fires if {
	deny == {{
		"msg": "the review is dated 2026-12-01, after today (2026-11-23)",
		"path": "/spec/review/date",
	}} with input as manifest("active", "2026-12-01")
		with data.agentgate.facts as facts_for(-8 * 86400)
		with data.agentgate.settings.today as "2026-11-23"
}

test_recent_review_passes if {
	count(deny) == 0 with input as manifest("active", "2026-11-02")
		with data.agentgate.facts as facts_for(21 * 86400)
	count(deny) == 0 with input as manifest("active", "2026-05-27")
		with data.agentgate.facts as facts_for(180 * 86400)
	count(deny) == 0 with input as manifest("active", "2026-11-23")
		with data.agentgate.facts as facts_for(0)
}

test_retired_agents_are_exempt if {
	count(deny) == 0 with input as manifest("retired", "2025-01-02")
		with data.agentgate.facts as facts_for(690 * 86400)
	count(deny) == 0 with input as manifest("retired", "2026-12-01")
		with data.agentgate.facts as facts_for(-8 * 86400)
}

test_configured_limit if {
	count(deny) == 1 with input as manifest("deprecated", "2026-10-01")
		with data.agentgate.facts as facts_for(53 * 86400)
		with data.agentgate.settings.maxReviewAge as 30 * 86400
}

test_no_review_date_no_finding if {
	count(deny) == 0 with input as manifest("active", "2026-01-02")
		with data.agentgate.facts as facts_for(null)
}
