# METADATA
# title: Unknown delegate
# description: |
#   Checks that every agent named in spec.delegation.delegatesTo is defined by a manifest in
#   the inventory (the whole repository). A delegate nobody registered is an ungoverned
#   agent in the chain: its owner, permissions, credentials and review are unknown, so
#   neither escalation through it (AG071) nor cycles can be checked, and accountability
#   dissolves across the agents that call each other. A name that more than one manifest
#   uses (AG080) is in no inventory entry, so a delegation to it is reported here too: a
#   decoy of the same name must not stand in for the real delegate. The finding is reported
#   on the delegating agent, at the delegatesTo entry.
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
	msg := message(name)
}

# A name that several manifests use is in no inventory entry: which one is meant is unknown.
message(name) := sprintf("delegate %s is defined by more than one manifest (AG080), so it is no agent of the inventory; give each agent a unique name", [lib.quote(name)]) if {
	name in data.agentgate.duplicates
} else := sprintf("delegate %s is not defined by any manifest in the inventory", [lib.quote(name)])
