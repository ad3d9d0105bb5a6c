# METADATA
# title: Owner is not a person
# description: |
#   Checks that the owner's email address belongs to a person rather than a group, role or
#   bot mailbox: its local part must not match any glob in settings.nonPersonEmails
#   (team-*, *-team, noreply, admin, security, ops, *-bot, svc-* and so on), compared
#   case-insensitively. A distribution list or shared mailbox diffuses accountability:
#   when everyone owns the agent, nobody does, and nobody notices when the people behind
#   the alias have moved on. Ownership must rest with one accountable human.
# custom:
#   id: AG002
#   slug: owner-not-a-person
#   family: ownership and identity
#   severity: warning
#   summary: The owner's email is a group, role or bot address rather than a person's
#   fix: >-
#     Set spec.owner.email to the personal address of the accountable human; put the team in
#     spec.owner.team instead.
#   example: |
#     owner:
#       name: Jane Doe
#       email: jane.doe@example.com
#       team: finance-eng
#   controls:
#     - nist-ai-rmf:GOVERN-2.1
#     - nist-800-53:AC-2
#     - iso27001:A.5.2
#     - soc2:CC1.3
#     - eu-ai-act:Art.26
#     - owasp-nhi:NHI1
package agentgate.rules.ag002_owner_not_a_person

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": "/spec/owner/email"} if {
	email := input.spec.owner.email
	lib.filled(email)
	globs := lib.non_person_globs(email)
	count(globs) > 0
	msg := sprintf(
		"owner email %s is a group, role or bot address (its local part matches %s), not a person",
		[lib.quote(email), lib.quote(globs[0])],
	)
}
