# METADATA
# title: Review missing
# description: |
#   Checks that an active agent (lifecycle.status: active) carries a security review in
#   spec.review. Most agents reach production without any formal security review; making the
#   signed review a precondition of the active state puts governance before deployment
#   rather than after an incident, and records who accepted the agent's permissions,
#   credentials and blast radius.
# custom:
#   id: AG040
#   slug: review-missing
#   family: review
#   severity: error
#   summary: An active agent has no security review
#   fix: >-
#     Have the manifest reviewed by someone other than its owners, and add spec.review with the
#     reviewer, the date, the digest and the reviewer's signature (agentgate review);
#     until then keep lifecycle.status at proposed.
#   example: |
#     review:
#       reviewer: sec-review@example.com
#       date: 2026-11-02
#       digest: sha256:…
#       signature: |
#         -----BEGIN SSH SIGNATURE-----
#         …
#         -----END SSH SIGNATURE-----
#   controls:
#     - nist-800-53:CA-6
#     - nist-800-53:CM-3
#     - nist-800-53:CM-4
#     - iso27001:A.8.25
#     - iso27001:A.8.32
#     - soc2:CC8.1
#     - nist-ai-rmf:MANAGE-1.1
#     - nist-ai-rmf:MEASURE-2.7
#     - eu-ai-act:Art.15
package agentgate.rules.ag040_review_missing

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.status

deny contains {
	"msg": "the agent is active but has no security review (spec.review)",
	"path": "/spec/review",
} if {
	status == "active"
	lib.absent_at(["spec", "review"])
}
