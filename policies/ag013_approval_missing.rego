# METADATA
# title: Human approval missing
# description: |
#   Checks that every permission that includes a high-consequence action requires human
#   approval (approval: human). Least privilege from zero applies to verbs too: every action
#   is high-consequence unless it is listed in settings.lowConsequenceActions (by default
#   read, list, get, query, describe, view, search; compared case-insensitively), so write,
#   delete, send, deploy, pay, export and any verb nobody thought of need a person to
#   confirm each use. Sending messages, changing data, moving money and other hard-to-undo
#   actions are exactly what a manipulated agent would be steered into; a human checkpoint
#   bounds the damage.
# custom:
#   id: AG013
#   slug: approval-missing
#   family: permissions
#   severity: error
#   summary: A permission with a high-consequence action does not require human approval
#   fix: >-
#     Set approval: human on the permission, split the high-consequence actions into their own
#     permission with approval: human, or drop them; widen settings.lowConsequenceActions only
#     for verbs that truly cannot cause harm.
#   example: |
#     permissions:
#       - resource: jira://FIN
#         actions: [create]
#         justification: Opens a ticket for each mismatch
#         approval: human
#   controls:
#     - eu-ai-act:Art.14
#     - nist-ai-rmf:MAP-3.5
#     - nist-ai-rmf:GOVERN-3.2
#     - nist-800-53:AC-3(2)
#     - nist-800-53:AC-5
#     - owasp-llm:LLM06
package agentgate.rules.ag013_approval_missing

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%v/approval", [i])} if {
	permission := input.spec.permissions[i]
	is_object(permission)
	approval := object.get(permission, "approval", null)
	approval != "human"
	high := [action | action := permission.actions[_]; lib.is_high_consequence(action)]
	count(high) > 0
	words := plural(count(high))
	msg := sprintf("high-consequence %s %s on %s %s no human approval (approval is %s)", [
		words[0],
		concat(", ", [lib.quote(a) | some a in high]),
		lib.resource_text(permission),
		words[1],
		approval_text(approval),
	])
}

plural(1) := ["action", "has"]

plural(n) := ["actions", "have"] if n != 1

approval_text(null) := "absent"

approval_text(approval) := lib.quote(approval) if approval != null
