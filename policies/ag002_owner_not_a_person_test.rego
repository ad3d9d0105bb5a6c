package agentgate.rules.ag002_owner_not_a_person

import rego.v1

manifest(email) := {"spec": {"owner": {"name": "Finance", "email": email}}}

test_team_alias_fires if {
	deny == {{
		"msg": "owner email \"team-finance@example.com\" is a group, role or bot address (its local part matches \"team-*\"), not a person",
		"path": "/spec/owner/email",
	}} with input as manifest("team-finance@example.com")
}

test_uppercase_bot_fires_once if {
	findings := deny with input as manifest("Billing-BOT@Example.com")
	count(findings) == 1
	some f in findings
	f.path == "/spec/owner/email"
	contains(f.msg, "\"*-bot\"")
}

test_exact_role_names_fire if {
	count(deny) == 1 with input as manifest("noreply@example.com")
	count(deny) == 1 with input as manifest("ops@example.com")
	count(deny) == 1 with input as manifest("svc-ledger@example.com")
}

test_several_matching_globs_give_one_finding if {
	count(deny) == 1 with input as manifest("team-ops-team@example.com")
}

test_person_passes if {
	count(deny) == 0 with input as manifest("jane.doe@example.com")
	count(deny) == 0 with input as manifest("teammate@example.com")
	count(deny) == 0 with input as manifest("opsana@example.com")
}

test_custom_globs if {
	count(deny) == 1 with input as manifest("jane.doe@example.com")
		with data.agentgate.settings.nonPersonEmails as ["jane.*"]
}

test_absent_email_is_ag001s if {
	count(deny) == 0 with input as {"spec": {"owner": {"name": "Jane"}}}
	count(deny) == 0 with input as {"spec": {}}
}

test_other_glob_shapes if {
	count(deny) == 1 with input as manifest("ci-bot-7@example.com")
		with data.agentgate.settings.nonPersonEmails as ["ci-*-[0-9]"]
	count(deny) == 1 with input as manifest("billing@example.com")
		with data.agentgate.settings.nonPersonEmails as ["b?lling"]
	count(deny) == 1 with input as manifest("alerts.eu@example.com")
		with data.agentgate.settings.nonPersonEmails as ["*"]
	count(deny) == 0 with input as manifest("jane@example.com")
		with data.agentgate.settings.nonPersonEmails as ["j?"]
}
