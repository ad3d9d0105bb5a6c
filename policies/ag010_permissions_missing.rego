# METADATA
# title: Permissions missing
# description: |
#   Checks that spec.permissions is present. Least privilege starts from zero: every grant
#   the agent holds must be written down, so that it can be reviewed, justified and
#   compared with what the agent actually does. An agent with undeclared permissions has
#   whatever its identity happens to be given, which is how agent access sprawls. An empty
#   list is allowed and means the agent needs no access of its own.
# custom:
#   id: AG010
#   slug: permissions-missing
#   family: permissions
#   severity: error
#   summary: The manifest does not declare the agent's permissions
#   fix: >-
#     Add spec.permissions listing every resource the agent touches with the actions it needs,
#     or an empty list if it needs none.
#   example: |
#     permissions:
#       - resource: postgres://ledger/public.payouts
#         actions: [read]
#         justification: Reads payout rows to compare with the ledger
#   controls:
#     - nist-800-53:AC-3
#     - nist-800-53:AC-6
#     - iso27001:A.5.15
#     - iso27001:A.5.18
#     - soc2:CC6.1
#     - soc2:CC6.3
#     - cis:6.1
#     - owasp-llm:LLM06
#     - owasp-asi:ASI03
#     - owasp-nhi:NHI5
package agentgate.rules.ag010_permissions_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.permissions is missing: the agent's grants are not declared (use [] if it needs none)",
	"path": "/spec/permissions",
} if {
	lib.absent_at(["spec", "permissions"])
}
