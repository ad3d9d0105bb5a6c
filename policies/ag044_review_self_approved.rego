# METADATA
# title: Review self-approved
# description: |
#   Checks that the reviewer is neither the owner nor the backup owner (emails compared
#   case-insensitively), and that no principal of the key that verified the signature is
#   either: when allowed_signers lists one key for the owner's email and for the reviewer's,
#   the owner signs as the reviewer (facts.review.principals; wildcard patterns are not
#   expanded). A review is a second pair of eyes; when the people accountable for
#   the agent approve their own manifest, nobody independent has weighed its permissions,
#   credentials and blast radius, which defeats separation of duties. The rule applies when
#   the reviewer and the owner's or backup owner's emails are present.
# custom:
#   id: AG044
#   slug: review-self-approved
#   family: review
#   severity: error
#   summary: The reviewer, or the key that signed the review, is the agent's owner or backup owner
#   fix: >-
#     Have the manifest reviewed and signed by someone who is neither its owner nor its
#     backup owner, such as the security team.
#   example: |
#     owner:
#       name: Jane Doe
#       email: jane.doe@example.com
#     review:
#       reviewer: sec-review@example.com
#       date: 2026-11-02
#   controls:
#     - nist-800-53:AC-5
#     - nist-800-53:CA-6
#     - iso27001:A.5.3
#     - iso27001:A.8.25
#     - soc2:CC8.1
#     - nist-ai-rmf:MANAGE-1.1
package agentgate.rules.ag044_review_self_approved

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts

deny contains {"msg": msg, "path": "/spec/review/reviewer"} if {
	reviewer := input.spec.review.reviewer
	lib.filled(reviewer)
	role := reviewer_role(lib.email_key(reviewer))
	msg := sprintf("the reviewer %s is the agent's %s: a review needs someone independent", [lib.quote(reviewer), role])
}

# The key that signed is also listed for the owner or the backup owner (one finding, naming
# the first such principal); not when the reviewer's own email already is one.
deny contains {"msg": msg, "path": "/spec/review/reviewer"} if {
	reviewer := input.spec.review.reviewer
	lib.filled(reviewer)
	not reviewer_role(lib.email_key(reviewer))
	aliases := [[p, role] |
		some p in facts.review.principals
		role := reviewer_role(lib.email_key(p))
	]
	count(aliases) > 0
	[principal, role] := aliases[0]
	msg := sprintf("the review by %s is signed with a key that allowed_signers also lists for %s, the agent's %s: a review needs someone independent", [lib.quote(reviewer), lib.quote(principal), role])
}

reviewer_role(key) := "owner" if {
	key == lib.email_key(input.spec.owner.email)
} else := "backup owner" if {
	key == lib.email_key(input.spec.backupOwner.email)
}
