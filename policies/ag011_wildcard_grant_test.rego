package agentgate.rules.ag011_wildcard_grant

import rego.v1

manifest(permissions) := {"spec": {"permissions": permissions}}

test_admin_action_fires_at_the_action if {
	deny == {{
		"msg": "action \"admin\" grants everything on postgres://ledger",
		"path": "/spec/permissions/0/actions/2",
	}} with input as manifest([{"resource": "postgres://ledger", "actions": ["read", "write", "admin"]}])
}

test_uppercase_admin_fires if {
	deny == {{
		"msg": "action \"Admin\" grants everything on postgres://ledger",
		"path": "/spec/permissions/1/actions/0",
	}} with input as manifest([
		{"resource": "jira://FIN", "actions": ["create"]},
		{"resource": "postgres://ledger", "actions": ["Admin"]},
	])
}

test_every_all_powerful_verb_fires if {
	findings := deny with input as manifest([{"resource": "s3://b", "actions": ["all", "owner", "full_access", "root", "superuser", "FULL-ACCESS"]}])
	count(findings) == 6
}

test_star_action_fires if {
	deny == {{
		"msg": "action \"*\" is a wildcard: it grants every verb on s3://reports",
		"path": "/spec/permissions/0/actions/0",
	}} with input as manifest([{"resource": "s3://reports", "actions": ["*"]}])
}

test_star_inside_resource_fires_at_the_resource if {
	deny == {{
		"msg": "resource \"s3://reports/*/2026\" uses a wildcard: it grants whatever matches, now and later",
		"path": "/spec/permissions/0/resource",
	}} with input as manifest([{"resource": "s3://reports/*/2026", "actions": ["read"]}])
}

test_wildcard_admin_action_is_one_finding if {
	count(deny) == 1 with input as manifest([{"resource": "s3://b", "actions": ["admin*"]}])
}

test_concrete_grants_pass if {
	count(deny) == 0 with input as manifest([
		{"resource": "postgres://ledger/public.payouts", "actions": ["read", "write"]},
		{"resource": "jira://FIN", "actions": ["create", "administer-board"]},
	])
}

test_malformed_permissions_do_not_break if {
	count(deny) == 0 with input as manifest("all")
	count(deny) == 0 with input as manifest(["x", {"actions": "admin"}, {"resource": 5, "actions": [7]}])
}
