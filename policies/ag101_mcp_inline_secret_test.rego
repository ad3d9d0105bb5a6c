package agentgate.rules.ag101_mcp_inline_secret

import rego.v1

# AG101 is computed by agentgate in Rust (discovery over the repository); the Rego package never denies.
test_rego_side_is_empty if {
	count(deny) == 0 with input as {"metadata": {"name": "a"}, "spec": {"sources": ["gone/**"]}}
}
