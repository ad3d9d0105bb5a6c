package agentgate.rules.ag005_purpose_missing

import rego.v1

test_absent_purpose_fires if {
	deny == {{
		"msg": "spec.purpose is missing or empty: the manifest does not say what the agent is for",
		"path": "/spec/purpose",
	}} with input as {"spec": {}}
}

test_whitespace_purpose_fires if {
	count(deny) == 1 with input as {"spec": {"purpose": " \n\t"}}
}

test_purpose_passes if {
	count(deny) == 0 with input as {"spec": {"purpose": "Reconciles payouts nightly."}}
}
