package agentgate.rules.ag044_review_self_approved

import rego.v1

manifest(reviewer) := {"spec": {
	"owner": {"name": "Jane Doe", "email": "jane.doe@example.com"},
	"backupOwner": {"name": "Raj Patel", "email": "raj.patel@example.com"},
	"review": {"reviewer": reviewer, "date": "2026-11-02"},
}}

test_owner_reviewing_fires if {
	deny == {{
		"msg": "the reviewer \"Jane.Doe@example.com\" is the agent's owner: a review needs someone independent",
		"path": "/spec/review/reviewer",
	}} with input as manifest("Jane.Doe@example.com")
}

test_backup_owner_reviewing_fires if {
	deny == {{
		"msg": "the reviewer \"raj.patel@example.com\" is the agent's backup owner: a review needs someone independent",
		"path": "/spec/review/reviewer",
	}} with input as manifest("raj.patel@example.com")
}

test_owner_who_is_also_backup_is_one_finding if {
	m := {"spec": {
		"owner": {"email": "jane.doe@example.com"},
		"backupOwner": {"email": "jane.doe@example.com"},
		"review": {"reviewer": "jane.doe@example.com"},
	}}
	count(deny) == 1 with input as m
}

test_independent_reviewer_passes if {
	count(deny) == 0 with input as manifest("sec-review@example.com")
}

test_needs_the_emails_it_compares if {
	count(deny) == 0 with input as {"spec": {"review": {"reviewer": "jane.doe@example.com"}}}
	count(deny) == 0 with input as {"spec": {"owner": {"email": "jane.doe@example.com"}, "review": {"date": "2026-11-02"}}}
}

signed_by_key_of(principals) := {"bot": {"review": {"signature": "valid", "reason": "verified", "detail": "", "principals": principals}}}

test_key_alias_of_the_owner_fires if {
	m := object.union(manifest("sec-review@example.com"), {"metadata": {"name": "bot"}})
	deny == {{
		"msg": "the review by \"sec-review@example.com\" is signed with a key that allowed_signers also lists for \"Jane.Doe@example.com\", the agent's owner: a review needs someone independent",
		"path": "/spec/review/reviewer",
	}} with input as m
		with data.agentgate.facts as signed_by_key_of(["Jane.Doe@example.com", "sec-review@example.com"])
}

test_key_alias_of_the_backup_owner_fires if {
	m := object.union(manifest("sec-review@example.com"), {"metadata": {"name": "bot"}})
	deny == {{
		"msg": "the review by \"sec-review@example.com\" is signed with a key that allowed_signers also lists for \"raj.patel@example.com\", the agent's backup owner: a review needs someone independent",
		"path": "/spec/review/reviewer",
	}} with input as m
		with data.agentgate.facts as signed_by_key_of(["sec-review@example.com", "raj.patel@example.com"])
}

test_owner_reviewing_with_an_aliased_key_is_one_finding if {
	m := object.union(manifest("jane.doe@example.com"), {"metadata": {"name": "bot"}})
	count(deny) == 1 with input as m
		with data.agentgate.facts as signed_by_key_of(["jane.doe@example.com", "raj.patel@example.com"])
}

test_key_of_independent_principals_passes if {
	m := object.union(manifest("sec-review@example.com"), {"metadata": {"name": "bot"}})
	count(deny) == 0 with input as m
		with data.agentgate.facts as signed_by_key_of(["sec-review@example.com", "*@example.com"])
	count(deny) == 0 with input as m
		with data.agentgate.facts as {"bot": {"review": null}}
}
