package agentgate.rules.ag091_waiver_unused

import rego.v1

# Computed by agentgate from the configuration; the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}}
}
