package agentgate.rules.ag026_credentials_missing

import rego.v1

test_absent_credentials_fires if {
	deny == {{
		"msg": "spec.credentials is missing: how the agent authenticates is not declared (use [] if it holds none)",
		"path": "/spec/credentials",
	}} with input as {"spec": {"permissions": []}}
}

test_empty_credentials_passes if {
	count(deny) == 0 with input as {"spec": {"credentials": []}}
}
