package agentgate.rules.ag023_static_credential

import rego.v1

test_api_key_fires_at_its_type if {
	deny == {{
		"msg": "credential \"key\" is a static api_key: anyone holding a copy can act as the agent",
		"path": "/spec/credentials/1/type",
	}} with input as {"spec": {"credentials": [
		{"name": "tok", "type": "federated"},
		{"name": "key", "type": "api_key"},
	]}}
}

test_password_fires if {
	count(deny) == 1 with input as {"spec": {"credentials": [{"name": "db", "type": "password"}]}}
}

test_other_types_pass if {
	count(deny) == 0 with input as {"spec": {"credentials": [
		{"name": "a", "type": "federated"},
		{"name": "b", "type": "oauth_client_credentials"},
		{"name": "c", "type": "short_lived_token"},
		{"name": "d", "type": "certificate"},
	]}}
}
