# METADATA
# title: Retired agent still has access
# description: |
#   Checks that an agent whose lifecycle.status is retired holds no credentials and no
#   permissions. Decommissioning is the step most often skipped: the agent stops being
#   used, but its service account, keys and grants stay active, unmonitored, and available
#   to whoever finds them. Retiring an agent means revoking everything it could use.
# custom:
#   id: AG052
#   slug: retired-with-access
#   family: lifecycle
#   severity: error
#   summary: A retired agent still declares credentials or permissions
#   fix: >-
#     Revoke the retired agent's credentials and grants in the systems that issued them, then
#     empty spec.credentials and spec.permissions.
#   example: |
#     lifecycle:
#       status: retired
#       expires: 2026-12-31
#     permissions: []
#     credentials: []
#   controls:
#     - nist-800-53:AC-2(3)
#     - cis:5.3
#     - cis:6.2
#     - soc2:CC6.2
#     - nist-ai-rmf:GOVERN-1.7
#     - nist-ai-rmf:MANAGE-2.4
#     - owasp-nhi:NHI1
package agentgate.rules.ag052_retired_with_access

import rego.v1

import data.agentgate.lib.is_retired

held := {"credentials": ["credential", "credentials"], "permissions": ["permission", "permissions"]}

deny contains {"msg": msg, "path": sprintf("/spec/%s", [field])} if {
	is_retired
	some field, words in held
	value := input.spec[field]
	is_array(value)
	n := count(value)
	n > 0
	msg := sprintf("the agent is retired but still holds %d %s", [n, noun(n, words)])
}

noun(1, words) := words[0]

noun(n, words) := words[1] if n != 1
