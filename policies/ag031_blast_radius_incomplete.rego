# METADATA
# title: Blast radius incomplete
# description: |
#   Checks that a documented spec.blastRadius also states which data classes the agent can
#   reach (dataClasses), whether its worst case can be undone (reversible) and whether it
#   can send data or messages outside the organisation (externalReach). These three facts
#   are what turn a free-text worst case into a risk that can be compared, ranked and
#   monitored: irreversible actions and external reach are what make a manipulated agent
#   dangerous. The rule applies only when spec.blastRadius is present (AG030 reports it
#   missing).
# custom:
#   id: AG031
#   slug: blast-radius-incomplete
#   family: blast radius
#   severity: error
#   summary: The blast radius lacks dataClasses, reversible or externalReach
#   fix: >-
#     Complete spec.blastRadius: list every data class the agent can reach in dataClasses,
#     and set reversible and externalReach to true or false.
#   example: |
#     blastRadius:
#       worstCase: Could read every payout row; cannot write to the ledger or move money
#       dataClasses: [financial]
#       reversible: true
#       externalReach: false
#   controls:
#     - nist-800-53:RA-3
#     - nist-800-53:RA-9
#     - iso27001:A.5.12
#     - cis:3.7
#     - nist-ai-rmf:MAP-5.1
#     - eu-ai-act:Art.9
package agentgate.rules.ag031_blast_radius_incomplete

import rego.v1

import data.agentgate.lib

meaning := {
	"dataClasses": "which data classes the agent can reach",
	"reversible": "whether its worst case can be undone",
	"externalReach": "whether it can send data or messages outside the organisation",
}

deny contains {"msg": msg, "path": sprintf("/spec/blastRadius/%s", [field])} if {
	blast_radius := input.spec.blastRadius
	is_object(blast_radius)
	some field, what in meaning
	not lib.has(blast_radius, field)
	msg := sprintf("spec.blastRadius.%s is missing: the blast radius does not say %s", [field, what])
}
