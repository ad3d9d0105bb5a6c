package agentgate.rules.ag080_duplicate_agent

import rego.v1

# AG080 is computed by agentgate before evaluation; the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}}
		with data.agentgate.inventory as {"a": {"metadata": {"name": "a"}}}
}
