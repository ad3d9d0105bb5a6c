# METADATA
# title: Data class undeclared in the blast radius
# description: |
#   Checks that every data class a permission touches (permissions[].dataClasses) also
#   appears in spec.blastRadius.dataClasses. The blast radius is the documented worst case
#   if the agent is compromised or manipulated; if it leaves out data the agent can reach,
#   the risk assessment understates what a breach would expose (personal, financial or
#   health data) and reviewers approve a smaller risk than the real one. The rule applies
#   once spec.blastRadius.dataClasses is present; its absence is reported by AG030 or AG031.
# custom:
#   id: AG014
#   slug: data-class-undeclared
#   family: permissions
#   severity: error
#   summary: A permission touches a data class the blast radius does not declare
#   fix: >-
#     Add the data class to spec.blastRadius.dataClasses and update worstCase to cover it, or
#     remove the grant that touches it.
#   example: |
#     permissions:
#       - resource: postgres://ledger/public.payouts
#         actions: [read]
#         justification: Reads payout rows to compare with the ledger
#         dataClasses: [financial]
#     blastRadius:
#       worstCase: Could read every payout row; cannot write to the ledger
#       dataClasses: [financial]
#       reversible: true
#       externalReach: false
#   controls:
#     - nist-800-53:AC-6
#     - nist-800-53:RA-3
#     - iso27001:A.5.12
#     - iso27001:A.5.15
#     - soc2:CC6.1
#     - cis:3.7
#     - nist-ai-rmf:MAP-5.1
#     - eu-ai-act:Art.9
#     - owasp-llm:LLM06
package agentgate.rules.ag014_data_class_undeclared

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%v/dataClasses/%v", [i, j])} if {
	declared := input.spec.blastRadius.dataClasses
	is_array(declared)
	permission := input.spec.permissions[i]
	class := permission.dataClasses[j]
	not class in declared
	msg := sprintf(
		"data class %s of the grant on %s is not declared in spec.blastRadius.dataClasses",
		[lib.quote(class), lib.resource_text(permission)],
	)
}
