# METADATA
# title: Unknown delegate
# description: |
#   Checks that every agent named in spec.delegation.delegatesTo is defined by a manifest in
#   the inventory (the whole repository). A delegate nobody registered is an ungoverned
#   agent in the chain: its owner, permissions, credentials and review are unknown, so
#   neither escalation through it (AG071) nor cycles can be checked, and accountability
#   dissolves across the agents that call each other. The finding is reported on the
#   delegating agent, at the delegatesTo entry.
# custom:
#   id: AG070
#   slug: delegate-unknown
#   family: delegation
#   severity: error
#   summary: The agent delegates to an agent that no manifest defines
#   fix: >-
#     Register the delegate with its own manifest, correct the name in delegatesTo if it is a
#     typo, or stop delegating to it.
#   example: |
#     delegation:
#       delegatesTo: [ticket-writer]
#   controls:
#     - nist-800-53:AC-3
#     - nist-800-53:CM-8
#     - owasp-asi:ASI03
package agentgate.rules.ag070_delegate_unknown

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/delegation/delegatesTo/%v", [i])} if {
	name := input.spec.delegation.delegatesTo[i]
	is_string(name)
	not lib.has(data.agentgate.inventory, name)
	msg := sprintf("delegate %s is not defined by any manifest in the inventory", [lib.quote(name)])
}
