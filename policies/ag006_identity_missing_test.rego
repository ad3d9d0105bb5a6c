package agentgate.rules.ag006_identity_missing

import rego.v1

test_absent_identity_fires if {
	deny == {{
		"msg": "spec.identity is missing: the identity the agent runs under is not declared",
		"path": "/spec/identity",
	}} with input as {"spec": {}}
}

test_declared_identity_passes if {
	count(deny) == 0 with input as {"spec": {"identity": {"type": "workload", "id": "spiffe://example.org/a"}}}
}
