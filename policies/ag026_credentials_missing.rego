# METADATA
# title: Credentials missing
# description: |
#   Checks that spec.credentials is present. The credential inventory is where an agent's
#   authentication is governed: its lifetime, rotation, whether it is shared and where the
#   secret is kept. An agent whose credentials are undeclared authenticates somehow, and
#   whatever it uses escapes every credential rule. An empty list is allowed and means the
#   agent holds no credential of its own (for instance, it only acts through delegation).
# custom:
#   id: AG026
#   slug: credentials-missing
#   family: credentials
#   severity: error
#   summary: The manifest does not declare the agent's credentials
#   fix: >-
#     Add spec.credentials listing every credential the agent authenticates with (name, type,
#     ttl, rotation, shared, source), or an empty list if it holds none.
#   example: |
#     credentials:
#       - name: ledger-db
#         type: federated
#         ttl: 1h
#         shared: false
#         source: vault://finance/ledger-db
#   controls:
#     - nist-800-53:IA-5
#     - nist-800-53:IA-9
#     - iso27001:A.5.17
#     - soc2:CC6.2
#     - owasp-nhi:NHI4
package agentgate.rules.ag026_credentials_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.credentials is missing: how the agent authenticates is not declared (use [] if it holds none)",
	"path": "/spec/credentials",
} if {
	lib.absent_at(["spec", "credentials"])
}
