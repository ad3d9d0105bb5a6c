# METADATA
# title: Identity missing
# description: |
#   Checks that spec.identity declares the identity the agent runs under (a workload
#   identity, service account, OAuth client or delegated user) and its identifier. An agent
#   whose runtime identity is undeclared cannot be tied to what it does in audit logs,
#   cannot be offboarded with confidence, and often ends up borrowing a person's or a
#   shared account's credentials. Every agent needs a distinct, declared identity.
# custom:
#   id: AG006
#   slug: identity-missing
#   family: ownership and identity
#   severity: error
#   summary: The manifest does not declare the identity the agent runs under
#   fix: >-
#     Add spec.identity with the type (workload, service_account, oauth_client or
#     user_delegated) and the id of the agent's own identity.
#   example: |
#     identity:
#       type: workload
#       id: spiffe://example.org/ns/finance/sa/billing-reconciler
#   controls:
#     - nist-800-53:IA-4
#     - nist-800-53:AC-2
#     - iso27001:A.5.16
#     - soc2:CC6.2
#     - cis:5.5
#     - nist-ai-rmf:GOVERN-1.6
#     - owasp-nhi:NHI1
package agentgate.rules.ag006_identity_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.identity is missing: the identity the agent runs under is not declared",
	"path": "/spec/identity",
} if {
	lib.absent_at(["spec", "identity"])
}
