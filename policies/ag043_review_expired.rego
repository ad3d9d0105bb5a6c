# METADATA
# title: Review expired
# description: |
#   Checks that the security review is recent: no older than settings.maxReviewAge (default
#   180d) and not dated after today. Agents change as capabilities and integrations are
#   added, and permissions accumulate; a review is only evidence for the agent as it was
#   when it was reviewed, so it must be repeated periodically. A review dated in the future
#   is not evidence of anything. Retired agents are exempt. The review's age is computed by
#   agentgate (data.agentgate.facts).
# custom:
#   id: AG043
#   slug: review-expired
#   family: review
#   severity: error
#   summary: The security review is older than the maximum review age, or dated after today
#   fix: >-
#     Review the agent again (its permissions, credentials and blast radius as they are now),
#     then update spec.review with the new date, digest and signature.
#   example: |
#     review:
#       reviewer: sec-review@example.com
#       date: 2026-11-02
#   controls:
#     - nist-800-53:CA-6
#     - nist-800-53:CM-3
#     - iso27001:A.8.32
#     - soc2:CC8.1
#     - nist-ai-rmf:MANAGE-1.1
#     - nist-ai-rmf:MEASURE-2.7
#     - eu-ai-act:Art.15
package agentgate.rules.ag043_review_expired

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts
import data.agentgate.lib.is_retired
import data.agentgate.lib.settings

deny contains {"msg": msg, "path": "/spec/review/date"} if {
	age := facts.reviewAgeSeconds
	is_number(age)
	age > settings.maxReviewAge
	not is_retired
	msg := sprintf("the review of %s is %d days old, older than the %s limit (maxReviewAge)", [
		input.spec.review.date,
		lib.days(age),
		lib.duration_text(settings.maxReviewAge),
	])
}

deny contains {"msg": msg, "path": "/spec/review/date"} if {
	age := facts.reviewAgeSeconds
	is_number(age)
	age < 0
	not is_retired
	msg := sprintf("the review is dated %s, after today (%s)", [input.spec.review.date, settings.today])
}
