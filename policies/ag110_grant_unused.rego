# METADATA
# title: Grant unused
# description: |
#   `agentgate drift` compares a manifest's grants with audit logs: a declared (resource,
#   action) grant that no allowed event exercised in the observation window (default: the 30
#   days before today) is access the agent does not use. Least privilege from zero asks for it
#   to go: every unused grant is blast radius without purpose. An event exercises a grant when
#   its action is listed (case-insensitively) and its resource equals the grant's or lies below
#   it at a URI path boundary. Denied attempts do not exercise a grant (the message counts
#   them). Agents whose lifecycle.status is proposed or retired are not judged. Evaluated only
#   by `agentgate drift` (it reads data.agentgate.facts[name].observed, which only drift
#   provides); never by `check`.
# custom:
#   id: AG110
#   slug: grant-unused
#   family: drift
#   severity: warning
#   summary: A declared (resource, action) grant that no audit event exercised in the observation window
#   fix: >-
#     Remove the action (or the whole permission) from spec.permissions and revoke it where
#     the identity is issued; if the agent needs it rarely (a quarterly job), widen the window
#     with --since or waive the finding with a reason and an expiry.
#   example: |
#     permissions:
#       - resource: postgres://ledger/public.payouts
#         actions: [read]          # "write" was never used: removed
#         justification: Reads payout rows
#   controls:
#     - nist-800-53:AC-6
#     - nist-800-53:AC-2(12)
#     - iso27001:A.5.15
#     - soc2:CC6.3
#     - owasp-nhi:NHI5
package agentgate.rules.ag110_grant_unused

import rego.v1

import data.agentgate.lib.drift

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%d", [g.permission])} if {
	observed := drift.observed
	not input.spec.lifecycle.status in {"proposed", "retired"}
	some g in observed.grants
	g.allowed == 0
	msg := sprintf("grant %s on %s was not used from %s to %s (no allowed event%s): remove it, least privilege", [
		json.marshal(g.action), json.marshal(g.resource), observed.since, observed.until,
		denied_note(g),
	])
}

denied_note(g) := "" if g.denied == 0

denied_note(g) := sprintf("; %d denied attempts, first %s, last %s", [g.denied, g.first, g.last]) if g.denied > 0
