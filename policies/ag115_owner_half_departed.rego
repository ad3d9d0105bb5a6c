# METADATA
# title: Owner or backup owner departed
# description: |
#   `agentgate owners --check` compares every agent's owner and backup owner with the people
#   directory (settings.directory). When one of them is no longer in it and the other is, the
#   agent still has somebody accountable but no cover: the remaining person should take the
#   role over, or name a new partner, before they leave too. agentgate computes this rule
#   itself, in Rust, only in `agentgate owners --check`; this package only carries the rule's
#   metadata. The path is the departed person's email (/spec/owner/email or
#   /spec/backupOwner/email).
# custom:
#   id: AG115
#   slug: owner-half-departed
#   family: ownership and identity
#   severity: warning
#   summary: One of owner and backup owner left the directory and the other remains (hand the role over)
#   fix: >-
#     Replace the departed person: the remaining owner or backup owner takes over the role,
#     and a current member of staff fills the other one.
#   example: |
#     owner:
#       name: Raj Patel
#       email: raj.patel@example.com
#     backupOwner:
#       name: Mei Chen
#       email: mei.chen@example.com
#   controls:
#     - nist-ai-rmf:GOVERN-2.1
#     - nist-800-53:AC-2
#     - iso27001:A.5.9
#     - soc2:CC6.2
package agentgate.rules.ag115_owner_half_departed

import rego.v1

# Computed by agentgate in Rust (`agentgate owners --check`); nothing to evaluate here.
deny := set()
