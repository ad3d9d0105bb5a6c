package agentgate.rules.ag072_delegation_cycle

import rego.v1

facts_for(name, cycle) := {name: {
	"file": "agents.yaml",
	"credentials": [],
	"expiresInSeconds": null,
	"reviewAgeSeconds": null,
	"delegationCycle": cycle,
}}

test_cycle_is_named_on_its_first_member_at_the_entry_continuing_it if {
	deny == {{
		"msg": "delegation forms a cycle: a → b → c → a",
		"path": "/spec/delegation/delegatesTo/1",
	}} with input as {"metadata": {"name": "a"}, "spec": {"delegation": {"delegatesTo": ["x", "b", "b"]}}}
		with data.agentgate.facts as facts_for("a", ["a", "b", "c"])
}

test_self_delegation if {
	deny == {{
		"msg": "delegation forms a cycle: a → a",
		"path": "/spec/delegation/delegatesTo/0",
	}} with input as {"metadata": {"name": "a"}, "spec": {"delegation": {"delegatesTo": ["a"]}}}
		with data.agentgate.facts as facts_for("a", ["a"])
}

test_falls_back_to_the_list_when_no_entry_matches if {
	deny == {{
		"msg": "delegation forms a cycle: a → b → a",
		"path": "/spec/delegation/delegatesTo",
	}} with input as {"metadata": {"name": "a"}, "spec": {}}
		with data.agentgate.facts as facts_for("a", ["a", "b"])
}

test_other_members_and_acyclic_agents_pass if {
	count(deny) == 0 with input as {"metadata": {"name": "b"}, "spec": {"delegation": {"delegatesTo": ["c"]}}}
		with data.agentgate.facts as facts_for("a", ["a", "b", "c"])
	count(deny) == 0 with input as {"metadata": {"name": "a"}, "spec": {"delegation": {"delegatesTo": ["b"]}}}
		with data.agentgate.facts as {"a": {"file": "a.yaml", "credentials": [], "expiresInSeconds": null, "reviewAgeSeconds": null}}
}
