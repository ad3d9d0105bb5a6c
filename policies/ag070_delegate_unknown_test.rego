package agentgate.rules.ag070_delegate_unknown

import rego.v1

inventory := {
	"billing-reconciler": {"metadata": {"name": "billing-reconciler"}},
	"ticket-writer": {"metadata": {"name": "ticket-writer"}},
}

manifest(delegates) := {"metadata": {"name": "billing-reconciler"}, "spec": {"delegation": {"delegatesTo": delegates}}}

test_unknown_delegate_fires_at_the_entry if {
	deny == {{
		"msg": "delegate \"tiket-writer\" is not defined by any manifest in the inventory",
		"path": "/spec/delegation/delegatesTo/1",
	}} with input as manifest(["ticket-writer", "tiket-writer"])
		with data.agentgate.inventory as inventory
}

test_known_delegates_pass if {
	count(deny) == 0 with input as manifest(["ticket-writer", "billing-reconciler"])
		with data.agentgate.inventory as inventory
}

test_empty_inventory_means_every_delegate_is_unknown if {
	count(deny) == 2 with input as manifest(["a", "b"])
}

test_no_delegation_passes if {
	count(deny) == 0 with input as {"spec": {}}
}

test_duplicated_name_is_unknown_and_says_why if {
	m := {"metadata": {"name": "a"}, "spec": {"delegation": {"delegatesTo": ["twin"]}}}
	deny == {{
		"msg": "delegate \"twin\" is defined by more than one manifest (AG080), so it is no agent of the inventory; give each agent a unique name",
		"path": "/spec/delegation/delegatesTo/0",
	}} with input as m
		with data.agentgate.inventory as {}
		with data.agentgate.duplicates as ["twin"]
}
