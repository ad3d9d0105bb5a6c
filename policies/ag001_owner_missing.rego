# METADATA
# title: Owner missing
# description: |
#   Checks that spec.owner names an accountable human with a name and an email address.
#   An agent is an identity that acts on the organisation's behalf; without a named owner
#   nobody answers for what it can access or does, nobody reviews its permissions, and
#   when something goes wrong the question "who was accountable for this agent?" has no
#   answer. Unowned agents are how orphaned, forgotten identities accumulate access.
# custom:
#   id: AG001
#   slug: owner-missing
#   family: ownership and identity
#   severity: error
#   summary: The manifest names no accountable owner, or the owner lacks a name or email
#   fix: >-
#     Add spec.owner with the name and the personal email address of the human who is
#     accountable for the agent.
#   example: |
#     owner:
#       name: Jane Doe
#       email: jane.doe@example.com
#       team: finance-eng
#   controls:
#     - nist-ai-rmf:GOVERN-1.6
#     - nist-ai-rmf:GOVERN-2.1
#     - nist-800-53:AC-2
#     - nist-800-53:CM-8
#     - iso27001:A.5.2
#     - iso27001:A.5.9
#     - soc2:CC1.3
#     - cis:5.5
#     - eu-ai-act:Art.26
#     - owasp-nhi:NHI1
package agentgate.rules.ag001_owner_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.owner is missing: no accountable human is named for this agent",
	"path": "/spec/owner",
} if {
	lib.absent_at(["spec", "owner"])
}

deny contains {"msg": msg, "path": sprintf("/spec/owner/%s", [field])} if {
	owner := input.spec.owner
	is_object(owner)
	some field in ["name", "email"]
	lib.is_blank(object.get(owner, field, null))
	msg := sprintf("the owner has no %s (spec.owner.%s is absent or empty)", [field, field])
}
