package agentgate.rules.ag115_owner_half_departed

import rego.v1

# Computed by agentgate in Rust (`agentgate owners --check`); the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}, "spec": {"owner": {"email": "gone@example.com"}}}
}
