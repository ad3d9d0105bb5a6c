package agentgate.rules.ag052_retired_with_access

import rego.v1

test_retired_with_credentials_fires if {
	deny == {{
		"msg": "the agent is retired but still holds 1 credential",
		"path": "/spec/credentials",
	}} with input as {"spec": {
		"lifecycle": {"status": "retired"},
		"credentials": [{"name": "key", "type": "api_key"}],
		"permissions": [],
	}}
}

test_retired_with_both_fires_twice if {
	findings := deny with input as {"spec": {
		"lifecycle": {"status": "retired"},
		"credentials": [{"name": "key", "type": "api_key"}],
		"permissions": [{"resource": "a://b", "actions": ["read"]}, {"resource": "c://d", "actions": ["read"]}],
	}}
	findings == {
		{"msg": "the agent is retired but still holds 1 credential", "path": "/spec/credentials"},
		{"msg": "the agent is retired but still holds 2 permissions", "path": "/spec/permissions"},
	}
}

test_retired_without_access_passes if {
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "retired"}, "credentials": [], "permissions": []}}
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "retired"}}}
}

test_active_with_access_passes if {
	count(deny) == 0 with input as {"spec": {"lifecycle": {"status": "active"}, "credentials": [{"name": "key"}]}}
}
