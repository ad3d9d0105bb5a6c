package agentgate.rules.ag014_data_class_undeclared

import rego.v1

permissions := [
	{"resource": "postgres://ledger", "actions": ["read"], "dataClasses": ["financial"]},
	{"resource": "crm://contacts", "actions": ["read"], "dataClasses": ["internal", "pii"]},
]

test_undeclared_class_fires_at_the_entry if {
	deny == {{
		"msg": "data class \"pii\" of the grant on crm://contacts is not declared in spec.blastRadius.dataClasses",
		"path": "/spec/permissions/1/dataClasses/1",
	}} with input as {"spec": {"permissions": permissions, "blastRadius": {"worstCase": "x", "dataClasses": ["financial", "internal"]}}}
}

test_all_declared_passes if {
	count(deny) == 0 with input as {"spec": {"permissions": permissions, "blastRadius": {"dataClasses": ["pii", "internal", "financial"]}}}
}

test_needs_blast_radius if {
	count(deny) == 0 with input as {"spec": {"permissions": permissions}}
}

test_needs_declared_classes if {
	count(deny) == 0 with input as {"spec": {"permissions": permissions, "blastRadius": {"worstCase": "x"}}}
}

test_empty_declared_list_flags_every_class if {
	count(deny) == 3 with input as {"spec": {"permissions": permissions, "blastRadius": {"dataClasses": []}}}
}
