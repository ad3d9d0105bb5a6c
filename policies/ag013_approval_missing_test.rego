package agentgate.rules.ag013_approval_missing

import rego.v1

manifest(permissions) := {"spec": {"permissions": permissions}}

test_write_without_approval_fires_at_approval if {
	deny == {{
		"msg": "high-consequence action \"write\" on jira://FIN has no human approval (approval is absent)",
		"path": "/spec/permissions/1/approval",
	}} with input as manifest([
		{"resource": "postgres://ledger", "actions": ["read", "list"]},
		{"resource": "jira://FIN", "actions": ["read", "write"]},
	])
}

test_approval_none_fires_naming_every_high_action if {
	deny == {{
		"msg": "high-consequence actions \"delete\", \"Write\" on s3://b have no human approval (approval is \"none\")",
		"path": "/spec/permissions/0/approval",
	}} with input as manifest([{"resource": "s3://b", "actions": ["delete", "Write", "READ"], "approval": "none"}])
}

test_unknown_verb_is_high_consequence if {
	count(deny) == 1 with input as manifest([{"resource": "pay://x", "actions": ["reconcile"]}])
}

test_human_approval_passes if {
	count(deny) == 0 with input as manifest([{"resource": "jira://FIN", "actions": ["create"], "approval": "human"}])
}

test_low_consequence_actions_pass_case_insensitively if {
	count(deny) == 0 with input as manifest([{"resource": "postgres://ledger", "actions": ["Read", "LIST", "query"]}])
}

test_custom_low_consequence_actions if {
	count(deny) == 0 with input as manifest([{"resource": "jira://FIN", "actions": ["comment"]}])
		with data.agentgate.settings.lowConsequenceActions as ["read", "comment"]
	count(deny) == 1 with input as manifest([{"resource": "postgres://ledger", "actions": ["list"]}])
		with data.agentgate.settings.lowConsequenceActions as ["read"]
}
