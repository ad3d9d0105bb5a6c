# METADATA
# title: Blast radius missing
# description: |
#   Checks that spec.blastRadius documents the worst case: what the agent could do if it were
#   compromised or manipulated into acting against its purpose (spec.blastRadius.worstCase).
#   Writing the worst case down forces the question "what can an attacker do through this
#   agent?", which often prompts immediate tightening of its permissions, gives reviewers
#   the risk they are accepting, and gives responders a reference when its behaviour looks
#   wrong.
# custom:
#   id: AG030
#   slug: blast-radius-missing
#   family: blast radius
#   severity: error
#   summary: The manifest does not document the agent's worst case
#   fix: >-
#     Add spec.blastRadius with worstCase saying what the agent could do with its current
#     permissions if compromised, plus dataClasses, reversible and externalReach.
#   example: |
#     blastRadius:
#       worstCase: Could read every payout row; cannot write to the ledger or move money
#       dataClasses: [financial]
#       reversible: true
#       externalReach: false
#   controls:
#     - nist-800-53:RA-3
#     - nist-800-53:RA-9
#     - nist-ai-rmf:MAP-5.1
#     - eu-ai-act:Art.9
package agentgate.rules.ag030_blast_radius_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.blastRadius is missing: the agent's worst case if compromised is not documented",
	"path": "/spec/blastRadius",
} if {
	lib.absent_at(["spec", "blastRadius"])
}

deny contains {
	"msg": "spec.blastRadius.worstCase is missing or empty: the agent's worst case is not described",
	"path": "/spec/blastRadius/worstCase",
} if {
	is_object(input.spec.blastRadius)
	lib.blank_at(["spec", "blastRadius", "worstCase"])
}
