package agentgate.rules.ag113_identity_undeclared

import rego.v1

# Computed by agentgate in Rust (`agentgate drift`); the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}}
}
