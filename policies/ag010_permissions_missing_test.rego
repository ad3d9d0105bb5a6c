package agentgate.rules.ag010_permissions_missing

import rego.v1

test_absent_permissions_fires if {
	deny == {{
		"msg": "spec.permissions is missing: the agent's grants are not declared (use [] if it needs none)",
		"path": "/spec/permissions",
	}} with input as {"spec": {}}
}

test_empty_permissions_passes if {
	count(deny) == 0 with input as {"spec": {"permissions": []}}
}
