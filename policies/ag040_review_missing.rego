# METADATA
# title: Review missing
# description: |
#   Checks that every agent that holds any permission or credential and is not retired carries
#   a security review in spec.review, whatever its lifecycle.status (proposed, active,
#   deprecated, or none): a status is only a label, and an agent keeps its access under any of
#   them. Most agents reach production without any formal security review; making the signed
#   review a precondition of holding access puts governance before deployment rather than
#   after an incident, and records who accepted the agent's permissions, credentials and blast
#   radius. A proposed agent with no permission and no credential needs no review yet.
# custom:
#   id: AG040
#   slug: review-missing
#   family: review
#   severity: error
#   summary: An agent that holds access and is not retired has no security review
#   fix: >-
#     Have the manifest reviewed by someone other than its owners, and add spec.review with the
#     reviewer, the date, the digest and the reviewer's signature (agentgate review);
#     until then grant it no permission and no credential.
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
import data.agentgate.lib.is_retired
import data.agentgate.lib.status

deny contains {"msg": msg, "path": "/spec/review"} if {
	not is_retired
	lib.absent_at(["spec", "review"])
	access := _access
	access != ""
	msg := sprintf("the agent (%s) holds %s but has no security review (spec.review)", [_state, access])
}

# What the agent holds, for the message: "2 permissions and 1 credential"; "" when nothing.
_access := concat(" and ", [text |
	some kind in ["permission", "credential"]
	n := count(_items(kind))
	n > 0
	text := sprintf("%d %s%s", [n, kind, _plural(n)])
])

_items(kind) := input.spec.permissions if {
	kind == "permission"
	is_array(input.spec.permissions)
} else := input.spec.credentials if {
	kind == "credential"
	is_array(input.spec.credentials)
} else := []

_plural(1) := ""

_plural(n) := "s" if n != 1

_state := sprintf("lifecycle.status: %s", [status]) if is_string(status)

_state := "no lifecycle.status" if not is_string(status)
