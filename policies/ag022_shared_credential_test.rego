package agentgate.rules.ag022_shared_credential

import rego.v1

test_shared_true_fires if {
	deny == {{
		"msg": "credential \"db\" is shared with other agents or people",
		"path": "/spec/credentials/1/shared",
	}} with input as {"spec": {"credentials": [
		{"name": "tok", "type": "federated", "shared": false},
		{"name": "db", "type": "password", "shared": true},
	]}}
}

test_absent_shared_fires_at_its_pointer if {
	deny == {{
		"msg": "credential \"tok\" does not say whether it is shared (shared is required)",
		"path": "/spec/credentials/0/shared",
	}} with input as {"spec": {"credentials": [{"name": "tok", "type": "federated"}]}}
}

test_not_shared_passes if {
	count(deny) == 0 with input as {"spec": {"credentials": [{"name": "tok", "type": "federated", "shared": false}]}}
	count(deny) == 0 with input as {"spec": {"credentials": []}}
}
