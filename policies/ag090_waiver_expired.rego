# METADATA
# title: Waiver expired
# description: |
#   Checks every waiver in .agentgate.yaml against today's date: a waiver whose `expires` date
#   has passed (the date itself is the last day it applies) no longer hides anything, and is
#   reported at the waiver in the configuration file. An exception is only acceptable because
#   someone approved it for a limited time; once that time is over, the finding it covered
#   counts again and the stale approval must be renewed or removed, never silently extended.
#   agentgate computes this rule itself from the configuration (it is not a fact about a
#   manifest), so this package only carries the rule's metadata. It cannot be waived.
# custom:
#   id: AG090
#   slug: waiver-expired
#   family: waivers
#   severity: error
#   summary: A waiver in the configuration is past its expiry date
#   fix: >-
#     Fix the findings the waiver covered, or have the exception approved again with a new
#     expires date, and update the waiver.
#   example: |
#     waivers:
#       - rule: AG013
#         agent: billing-reconciler
#         reason: Ticket creation is reviewed weekly in bulk
#         approvedBy: ciso@example.com
#         expires: 2027-03-31
#   controls: []
package agentgate.rules.ag090_waiver_expired

import rego.v1

# Computed by agentgate from the configuration; nothing to evaluate per manifest.
deny := set()
