# METADATA
# title: Justification missing
# description: |
#   Checks that every permission carries a non-empty justification: why the agent needs this
#   grant. Starting from zero means each grant is added deliberately and explained; a
#   justification is what a reviewer weighs the grant against, and what lets a later access
#   review remove grants that are no longer needed instead of keeping them because nobody
#   remembers why they exist.
# custom:
#   id: AG012
#   slug: justification-missing
#   family: permissions
#   severity: error
#   summary: A permission does not say why the agent needs it
#   fix: >-
#     Add a justification to the permission saying what the agent does with this access;
#     remove the permission if nobody can say.
#   example: |
#     permissions:
#       - resource: jira://FIN
#         actions: [create]
#         justification: Opens a ticket for each mismatch
#         approval: human
#   controls:
#     - nist-800-53:AC-6
#     - nist-800-53:AC-6(7)
#     - iso27001:A.5.18
#     - soc2:CC6.3
#     - cis:6.1
#     - owasp-llm:LLM06
#     - owasp-nhi:NHI5
package agentgate.rules.ag012_justification_missing

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%v/justification", [i])} if {
	permission := input.spec.permissions[i]
	is_object(permission)
	lib.is_blank(object.get(permission, "justification", null))
	msg := sprintf("the grant on %s has no justification", [lib.resource_text(permission)])
}
