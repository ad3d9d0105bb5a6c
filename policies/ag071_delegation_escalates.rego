# METADATA
# title: Delegation escalates privilege
# description: |
#   Checks that no delegate holds a grant the delegating agent does not: for each agent in
#   spec.delegation.delegatesTo that the inventory defines, every (resource, action) pair in
#   the delegate's permissions, compared exactly, must also be in the delegating agent's.
#   Otherwise delegation is a path to privilege escalation: an agent that can be steered by
#   its input, or a low-privilege agent relaying instructions, gets a more privileged peer
#   to act for it (the confused deputy), and the delegator's least-privilege review no
#   longer bounds what it can cause. The finding is reported on the delegating agent, at
#   the delegatesTo entry, naming the grants.
# custom:
#   id: AG071
#   slug: delegation-escalates
#   family: delegation
#   severity: error
#   summary: A delegate holds grants that the delegating agent does not
#   fix: >-
#     Narrow the delegate's permissions to what the delegating agent itself holds, delegate to
#     a narrower agent, or, if the delegator must be able to cause these actions, grant and
#     justify them on the delegator explicitly.
#   example: |
#     delegation:
#       delegatesTo: [ticket-writer]   # holds only grants this agent also holds
#   controls:
#     - nist-800-53:AC-3
#     - nist-800-53:AC-6
#     - owasp-asi:ASI03
#     - owasp-nhi:NHI5
package agentgate.rules.ag071_delegation_escalates

import rego.v1

import data.agentgate.lib

own_grants := lib.grants(input)

deny contains {"msg": msg, "path": sprintf("/spec/delegation/delegatesTo/%v", [i])} if {
	name := input.spec.delegation.delegatesTo[i]
	is_string(name)
	delegate := data.agentgate.inventory[name]
	extra := lib.grants(delegate) - own_grants
	count(extra) > 0
	listed := [sprintf("(%s, %s)", [grant[0], grant[1]]) | some grant in sort(extra)]
	msg := sprintf("delegate %s holds %s this agent does not: %s", [
		lib.quote(name),
		noun(count(extra)),
		concat(", ", listed),
	])
}

noun(1) := "a grant"

noun(n) := sprintf("%d grants", [n]) if n != 1
