# METADATA
# title: Owner and backup owner departed
# description: |
#   `agentgate owners --check` compares every agent's owner and backup owner with the people
#   directory (settings.directory). When neither is in it, nobody accountable for the agent
#   remains: the agent is orphaned and keeps its access until somebody notices. The finding is
#   listed under each former owner, so that whoever handles a leaver sees every agent that
#   person leaves behind. agentgate computes this rule itself, in Rust, only in `agentgate
#   owners --check` (never in `check`, whose AG003 judges the owner alone); this package only
#   carries the rule's metadata. The path is /spec/owner/email.
# custom:
#   id: AG114
#   slug: owner-departed
#   family: ownership and identity
#   severity: error
#   summary: Neither the owner nor the backup owner is an active person in the directory (the agent is orphaned)
#   fix: >-
#     Name a new owner and backup owner who are in the people directory (and have the change
#     reviewed), or retire the agent: set lifecycle.status to retired and remove its
#     credentials and permissions.
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
#     - cis:5.5
#     - owasp-nhi:NHI1
package agentgate.rules.ag114_owner_departed

import rego.v1

# Computed by agentgate in Rust (`agentgate owners --check`); nothing to evaluate here.
deny := set()
