# METADATA
# title: Delegation cycle
# description: |
#   Reports agents that delegate to each other in a cycle (a delegates to b, b to c, c back
#   to a). A cycle means no agent in it is the end of the chain: requests can bounce between
#   agents without a clear originator, attribution and approval break down, privileges
#   combine across the loop, and a manipulated agent can re-enter itself indefinitely.
#   agentgate finds the cycles across the whole inventory (data.agentgate.facts) and each is
#   reported once, on its member whose name sorts first, at the delegatesTo entry that
#   continues the cycle, naming the cycle.
# custom:
#   id: AG072
#   slug: delegation-cycle
#   family: delegation
#   severity: error
#   summary: Delegation between agents forms a cycle
#   fix: >-
#     Break the cycle: remove the delegatesTo entry that points back up the chain so that
#     delegation flows one way, from the agent that owns the task to narrower helpers.
#   example: |
#     delegation:
#       delegatesTo: [ticket-writer]   # and ticket-writer delegates to nobody upstream
#   controls:
#     - nist-800-53:AC-3
#     - nist-800-53:AC-6
#     - owasp-asi:ASI03
package agentgate.rules.ag072_delegation_cycle

import rego.v1

import data.agentgate.lib.facts

deny contains {"msg": msg, "path": entry(members[1])} if {
	cycle := [name | name := facts.delegationCycle[_]; is_string(name)]
	count(cycle) > 0
	members := array.concat(cycle, [cycle[0]])
	msg := sprintf("delegation forms a cycle: %s", [concat(" → ", members)])
}

# The delegatesTo entry that takes the cycle on to its next member (the first such entry).
entry(next) := sprintf("/spec/delegation/delegatesTo/%v", [min(indexes)]) if {
	indexes := {i | input.spec.delegation.delegatesTo[i] == next}
	count(indexes) > 0
} else := "/spec/delegation/delegatesTo"
