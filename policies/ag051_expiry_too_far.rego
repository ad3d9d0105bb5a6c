# METADATA
# title: Expiry too far away
# description: |
#   Checks that spec.lifecycle.expires is no more than settings.maxLifetime (default 365d)
#   after today. An expiry years away is an expiry in name only: the agent would run that
#   long without anyone re-confirming its owner, purpose and access, while the people and
#   systems around it change. Retired agents are exempt. The distance from today is
#   computed by agentgate (data.agentgate.facts).
# custom:
#   id: AG051
#   slug: expiry-too-far
#   family: lifecycle
#   severity: warning
#   summary: The agent's expiry date is further away than the maximum lifetime
#   fix: >-
#     Bring spec.lifecycle.expires within the maximum lifetime (365 days from today by
#     default) and re-certify the agent when it comes due.
#   example: |
#     lifecycle:
#       status: active
#       expires: 2027-05-31
#   controls:
#     - nist-800-53:AC-2(3)
#     - soc2:CC6.2
#     - nist-ai-rmf:GOVERN-1.7
#     - owasp-nhi:NHI1
package agentgate.rules.ag051_expiry_too_far

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts
import data.agentgate.lib.is_retired
import data.agentgate.lib.settings

deny contains {"msg": msg, "path": "/spec/lifecycle/expires"} if {
	seconds := facts.expiresInSeconds
	is_number(seconds)
	seconds > settings.maxLifetime
	not is_retired
	msg := sprintf("expiry %s is %d days away, beyond the %s limit (maxLifetime)", [
		input.spec.lifecycle.expires,
		lib.days(seconds),
		lib.duration_text(settings.maxLifetime),
	])
}
