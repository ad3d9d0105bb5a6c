# METADATA
# title: Purpose missing
# description: |
#   Checks that spec.purpose says what the agent does and why it exists. The purpose is the
#   registry entry: without it nobody can judge whether the agent's permissions are the
#   least it needs, whether it is still needed at all, or what it should be doing when its
#   behaviour is investigated. Most organisations find agents whose purpose nobody still
#   employed can explain; those are the ones that keep access longest.
# custom:
#   id: AG005
#   slug: purpose-missing
#   family: ownership and identity
#   severity: error
#   summary: The manifest does not say what the agent does and why it exists
#   fix: >-
#     Add spec.purpose: one or two sentences on what the agent does, for whom, and why it
#     needs to exist.
#   example: |
#     purpose: >
#       Compares nightly payout files with ledger entries and opens a ticket on mismatch.
#   controls:
#     - nist-ai-rmf:GOVERN-1.6
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
#     - cis:5.5
package agentgate.rules.ag005_purpose_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.purpose is missing or empty: the manifest does not say what the agent is for",
	"path": "/spec/purpose",
} if {
	lib.blank_at(["spec", "purpose"])
}
