package agentgate.rules.ag071_delegation_escalates

import rego.v1

agent(name, permissions, delegates) := {
	"metadata": {"name": name},
	"spec": {"permissions": permissions, "delegation": {"delegatesTo": delegates}},
}

reconciler := agent("billing-reconciler", [
	{"resource": "postgres://ledger", "actions": ["read"]},
	{"resource": "jira://FIN", "actions": ["create"]},
], ["ticket-writer", "ledger-admin"])

inventory := {
	"billing-reconciler": reconciler,
	"ticket-writer": agent("ticket-writer", [{"resource": "jira://FIN", "actions": ["create"]}], []),
	"ledger-admin": agent("ledger-admin", [
		{"resource": "postgres://ledger", "actions": ["read", "write", "delete"]},
		{"resource": "jira://FIN", "actions": ["Create"]},
	], []),
}

test_escalating_delegate_fires_at_its_entry_naming_sorted_grants if {
	deny == {{
		"msg": "delegate \"ledger-admin\" holds 3 grants this agent does not: (jira://FIN, Create), (postgres://ledger, delete), (postgres://ledger, write)",
		"path": "/spec/delegation/delegatesTo/1",
	}} with input as reconciler
		with data.agentgate.inventory as inventory
}

test_single_extra_grant if {
	m := agent("reader", [{"resource": "jira://FIN", "actions": ["read"]}], ["ticket-writer"])
	deny == {{
		"msg": "delegate \"ticket-writer\" holds a grant this agent does not: (jira://FIN, create)",
		"path": "/spec/delegation/delegatesTo/0",
	}} with input as m
		with data.agentgate.inventory as inventory
}

test_subset_delegate_passes if {
	m := agent("billing-reconciler", reconciler.spec.permissions, ["ticket-writer"])
	count(deny) == 0 with input as m
		with data.agentgate.inventory as inventory
}

test_unknown_delegate_is_ag070s if {
	m := agent("billing-reconciler", [], ["nobody"])
	count(deny) == 0 with input as m
		with data.agentgate.inventory as inventory
}

test_delegate_with_malformed_permissions_does_not_break if {
	m := agent("a", [], ["b"])
	count(deny) == 0 with input as m
		with data.agentgate.inventory as {"b": {"spec": {"permissions": "all"}}}
	count(deny) == 0 with input as m
		with data.agentgate.inventory as {"b": "not a manifest"}
}
