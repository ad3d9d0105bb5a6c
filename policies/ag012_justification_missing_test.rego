package agentgate.rules.ag012_justification_missing

import rego.v1

test_missing_justification_fires_at_its_pointer if {
	deny == {{
		"msg": "the grant on jira://FIN has no justification",
		"path": "/spec/permissions/1/justification",
	}} with input as {"spec": {"permissions": [
		{"resource": "postgres://ledger", "actions": ["read"], "justification": "Reads payouts"},
		{"resource": "jira://FIN", "actions": ["create"]},
	]}}
}

test_blank_justification_fires if {
	count(deny) == 1 with input as {"spec": {"permissions": [{"resource": "a://b", "actions": ["read"], "justification": "  "}]}}
}

test_justified_permissions_pass if {
	count(deny) == 0 with input as {"spec": {"permissions": [{"resource": "a://b", "actions": ["read"], "justification": "Needed"}]}}
	count(deny) == 0 with input as {"spec": {"permissions": []}}
}
