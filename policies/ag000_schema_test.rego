package agentgate.rules.ag000_schema

import rego.v1

# AG000 is computed by agentgate (JSON Schema validation); the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"apiVersion": "agentgate/v2", "spec": {"permisions": []}}
}
