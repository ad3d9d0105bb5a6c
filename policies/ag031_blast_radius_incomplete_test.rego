package agentgate.rules.ag031_blast_radius_incomplete

import rego.v1

test_missing_fields_fire_at_their_pointers if {
	deny == {{
		"msg": "spec.blastRadius.externalReach is missing: the blast radius does not say whether it can send data or messages outside the organisation",
		"path": "/spec/blastRadius/externalReach",
	}} with input as {"spec": {"blastRadius": {"worstCase": "x", "dataClasses": [], "reversible": false}}}
}

test_each_missing_field_is_one_finding if {
	findings := deny with input as {"spec": {"blastRadius": {"worstCase": "x"}}}
	{f.path | some f in findings} == {
		"/spec/blastRadius/dataClasses",
		"/spec/blastRadius/reversible",
		"/spec/blastRadius/externalReach",
	}
}

test_needs_blast_radius if {
	count(deny) == 0 with input as {"spec": {}}
}

test_complete_blast_radius_passes if {
	count(deny) == 0 with input as {"spec": {"blastRadius": {"worstCase": "x", "dataClasses": [], "reversible": false, "externalReach": false}}}
}
