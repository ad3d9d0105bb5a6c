# METADATA
# title: Agent expired
# description: |
#   Checks that spec.lifecycle.expires is set and not before today. Every agent carries a
#   date after which it must be re-certified: its owner confirms it is still needed and its
#   access still appropriate, or it is retired. Without an expiry, or past it, the agent
#   keeps running on access nobody has re-approved, which is how abandoned agents outlive
#   their purpose. The agent is valid through its expiry date. Retired agents are exempt.
# custom:
#   id: AG050
#   slug: agent-expired
#   family: lifecycle
#   severity: error
#   summary: The agent has no expiry date, or it has expired
#   fix: >-
#     Re-certify the agent (confirm its owner, purpose and access are still right) and move
#     spec.lifecycle.expires forward, or set lifecycle.status to retired and remove its access.
#   example: |
#     lifecycle:
#       status: active
#       expires: 2027-05-31
#   controls:
#     - nist-800-53:AC-2(3)
#     - cis:5.3
#     - soc2:CC6.2
#     - nist-ai-rmf:GOVERN-1.7
#     - owasp-nhi:NHI1
package agentgate.rules.ag050_agent_expired

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.is_retired
import data.agentgate.lib.settings

deny contains {
	"msg": "spec.lifecycle.expires is missing: the agent never comes up for re-certification",
	"path": "/spec/lifecycle/expires",
} if {
	lib.absent_at(["spec", "lifecycle", "expires"])
	not is_retired
}

deny contains {"msg": msg, "path": "/spec/lifecycle/expires"} if {
	expires := input.spec.lifecycle.expires
	is_string(expires)
	expires < settings.today
	is_date(expires)
	not is_retired
	msg := sprintf("the agent expired on %s (today is %s) and must be re-certified or retired", [expires, settings.today])
}

# YYYY-MM-DD strings compare like the dates they name; anything else is the schema's to report.
is_date(text) if {
	is_string(text)
	count(text) == 10
	substring(text, 4, 1) == "-"
	substring(text, 7, 1) == "-"
}
