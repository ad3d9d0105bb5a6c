package agentgate.rules.ag105_agent_config_unreadable

import rego.v1

# AG105 is computed by agentgate in Rust (discovery over the repository); the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}}
}
