# METADATA
# title: Duplicate agent
# description: |
#   Two manifests share metadata.name. The name is the agent's key in the registry and in
#   delegation, so a duplicate makes the inventory ambiguous: delegation, ownership and
#   review can silently refer to the wrong manifest (a decoy sorting first could stand in for
#   the real agent). agentgate computes this rule itself, in Rust, before evaluation: the
#   finding points at every manifest that shares the name and names the others, in every
#   partial run that touches any of them. Until the name is unique, none of them is in the
#   inventory (data.agentgate.inventory), so a delegation to the name is AG070, and no waiver
#   applies to a finding on that name. This package only carries the rule's metadata and its
#   deny set is empty.
# custom:
#   id: AG080
#   slug: duplicate-agent
#   family: inventory
#   severity: error
#   summary: Two manifests share the same metadata.name
#   fix: >-
#     Give each agent a unique metadata.name, or delete the stale copy of the manifest.
#   example: |
#     metadata:
#       name: billing-reconciler-eu
#       description: Reconciles EU payouts against the ledger every night
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
#     - cis:5.5
package agentgate.rules.ag080_duplicate_agent

import rego.v1

# Computed by agentgate in Rust (duplicate names across the inventory); nothing to evaluate here.
deny := set()
