# METADATA
# title: Action undeclared
# description: |
#   `agentgate drift` compares a manifest's grants with audit logs: an event in which the agent
#   did (or tried to do) an action on a resource that no permission grants means the manifest
#   understates the agent's access, or the identity is over-privileged where it is issued. A
#   denied event still counts: the agent tried to exceed its manifest. An event is granted when
#   a permission lists its action (case-insensitively) and the permission's resource equals the
#   event's or lies above it at a URI path boundary (db://prod covers db://prod/users, never
#   db://production). The undeclared (resource, action) pairs are listed per agent up to a cap;
#   beyond it their events are counted and reported as one finding. Evaluated only by
#   `agentgate drift`; never by `check`.
# custom:
#   id: AG111
#   slug: action-undeclared
#   family: drift
#   severity: error
#   summary: An audit event shows the agent doing an action on a resource its manifest does not grant
#   fix: >-
#     Find out why the agent did it. If it needs the access, declare the permission (with a
#     justification, and approval: human for a high-consequence action) and have it reviewed;
#     if not, remove the access where the identity is issued and investigate the agent.
#   example: |
#     permissions:
#       - resource: jira://FIN
#         actions: [create]
#         justification: Opens a ticket for each mismatch
#         approval: human
#   controls:
#     - nist-800-53:AC-6
#     - nist-800-53:AU-2
#     - nist-800-53:SI-4
#     - iso27001:A.8.16
#     - soc2:CC7.2
#     - owasp-nhi:NHI5
package agentgate.rules.ag111_action_undeclared

import rego.v1

import data.agentgate.lib.drift

deny contains {"msg": msg, "path": "/spec/permissions"} if {
	some u in drift.observed.undeclared
	msg := sprintf("%s on %s is not granted by any permission, yet the logs show it: %d allowed, %d denied, first %s, last %s", [
		json.marshal(u.action), json.marshal(u.resource), u.allowed, u.denied, u.first, u.last,
	])
}

deny contains {"msg": msg, "path": "/spec/permissions"} if {
	n := drift.observed.undeclaredOverflow
	n > 0
	msg := sprintf("%d further events did undeclared actions on (resource, action) pairs beyond the %d listed; read the logs for them", [
		n, count(drift.observed.undeclared),
	])
}
