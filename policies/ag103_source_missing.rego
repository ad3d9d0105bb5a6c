# METADATA
# title: Source missing
# description: |
#   A glob in the manifest's spec.sources matches no file in the repository (globs are
#   repository-relative; a glob also covers the files below a folder it matches). The
#   manifest governs code that is gone or has moved, so the agent it describes may now run
#   from somewhere no manifest covers, or not at all. Checked on every run (not only with
#   discovery); .gitignore and exclude are honoured. agentgate computes this rule itself, in
#   Rust; this package only carries the rule's metadata.
# custom:
#   id: AG103
#   slug: source-missing
#   family: discovery
#   severity: warning
#   summary: A manifest's spec.sources glob matches no file
#   fix: >-
#     Point the glob at where the agent's code and configuration now live, or remove it; retire
#     the agent if its code is gone.
#   example: |
#     spec:
#       sources: [services/support-bot/**]
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
package agentgate.rules.ag103_source_missing

import rego.v1

# Computed by agentgate in Rust (repository files against spec.sources); nothing to evaluate here.
deny := set()
