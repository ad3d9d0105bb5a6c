package agentgate.rules.ag030_blast_radius_missing

import rego.v1

test_absent_blast_radius_fires if {
	deny == {{
		"msg": "spec.blastRadius is missing: the agent's worst case if compromised is not documented",
		"path": "/spec/blastRadius",
	}} with input as {"spec": {}}
}

test_empty_worst_case_fires_at_worst_case if {
	deny == {{
		"msg": "spec.blastRadius.worstCase is missing or empty: the agent's worst case is not described",
		"path": "/spec/blastRadius/worstCase",
	}} with input as {"spec": {"blastRadius": {"worstCase": "", "dataClasses": []}}}
	count(deny) == 1 with input as {"spec": {"blastRadius": {"reversible": true}}}
}

test_documented_worst_case_passes if {
	count(deny) == 0 with input as {"spec": {"blastRadius": {"worstCase": "Could read payouts"}}}
}
