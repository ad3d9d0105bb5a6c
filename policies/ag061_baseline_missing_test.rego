package agentgate.rules.ag061_baseline_missing

import rego.v1

test_missing_baseline_fires if {
	deny == {{
		"msg": "spec.baseline is missing: there is no expected behaviour to monitor the agent against",
		"path": "/spec/baseline",
	}} with input as {"spec": {}}
}

test_empty_baseline_fires if {
	count(deny) == 1 with input as {"spec": {"baseline": {}}}
}

test_baseline_passes if {
	count(deny) == 0 with input as {"spec": {"baseline": {"schedule": "0 2 * * *"}}}
}
