# METADATA
# title: Source too broad
# description: |
#   A spec.sources entry covers more than one service folder (the nearest folder holding a
#   project file such as package.json, pyproject.toml, go.mod or a Dockerfile), or names a
#   whole configuration file that defines several MCP servers or agents, without `#NAME`.
#   Sources decide which footprints a manifest governs: a catch-all such as `**` would let one
#   manifest silence discovery (AG100) for every agent of the repository. Sources govern only
#   when the manifest passes the review rules (AG040 to AG044), so an unreviewed catch-all
#   governs nothing; a reviewed one is still reported, so that the reviewer narrows it.
#   agentgate computes this rule itself, in Rust; this package only carries the rule's metadata.
# custom:
#   id: AG104
#   slug: source-too-broad
#   family: discovery
#   severity: warning
#   summary: A manifest's spec.sources entry covers several services or servers
#   fix: >-
#     Narrow the entry to the agent's own service folder (services/billing/**), and name one
#     server or agent card of a shared configuration file with `#NAME` (.mcp.json#ledger).
#   example: |
#     spec:
#       sources: [services/billing/reconciler/**, .mcp.json#ledger]
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
package agentgate.rules.ag104_source_too_broad

import rego.v1

# Computed by agentgate in Rust (repository files against spec.sources); nothing to evaluate here.
deny := set()
