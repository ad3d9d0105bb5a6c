package agentgate.rules.acme.pii_external_reach

import rego.v1

test_pii_with_external_reach_fires if {
	count(deny) == 1 with input as {"spec": {"blastRadius": {"externalReach": true, "dataClasses": ["pii"]}}}
}

test_internal_pii_agent_passes if {
	count(deny) == 0 with input as {"spec": {"blastRadius": {"externalReach": false, "dataClasses": ["pii"]}}}
}

test_external_agent_without_pii_passes if {
	count(deny) == 0 with input as {"spec": {"blastRadius": {"externalReach": true, "dataClasses": ["public"]}}}
}
