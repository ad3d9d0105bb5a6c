# METADATA
# title: Identity undeclared
# description: |
#   `agentgate drift` attributes each audit event to the manifests that declare its identity
#   (metadata.name, or identity.id; for CloudTrail the userIdentity ARN or principal id, for
#   Okta the actor's alternateId or id). Events from an identity that no manifest declares are
#   an agent (or a person's credential used by one) acting without a manifest: no owner, no
#   declared access, no review. agentgate computes this rule itself, in Rust, only in
#   `agentgate drift` (there is no manifest to judge); this package only carries the rule's
#   metadata. The finding is located in the log file, at the line of the identity's first
#   event in the window.
# custom:
#   id: AG113
#   slug: identity-undeclared
#   family: drift
#   severity: error
#   summary: Audit events from an agent identity that no manifest declares
#   fix: >-
#     Register the agent with a manifest whose identity.id is this identity (agentgate init),
#     or revoke the identity if nobody can say what it is.
#   example: |
#     identity:
#       type: workload
#       id: arn:aws:iam::123456789012:role/invoice-agent
#   controls:
#     - nist-800-53:CM-8
#     - nist-800-53:AC-2
#     - iso27001:A.5.9
#     - soc2:CC6.1
#     - owasp-nhi:NHI1
package agentgate.rules.ag113_identity_undeclared

import rego.v1

# Computed by agentgate in Rust (`agentgate drift`); nothing to evaluate here.
deny := set()
