# METADATA
# title: Shared credential
# description: |
#   Checks that every credential states shared: false. A credential used by another agent or
#   by a person breaks attribution: the audit trail cannot say which identity acted, the
#   credential cannot be revoked without breaking its other users, and a compromise of any
#   one of them exposes all of them. Each agent needs its own credential. A credential that
#   does not say whether it is shared is reported too, so the question is always answered.
# custom:
#   id: AG022
#   slug: shared-credential
#   family: credentials
#   severity: error
#   summary: A credential is shared with other agents or people, or does not say
#   fix: >-
#     Issue the agent a credential of its own and set shared: false; if it really holds no
#     shared credential, say so with shared: false.
#   example: |
#     credentials:
#       - name: ledger-db
#         type: federated
#         ttl: 1h
#         shared: false
#   controls:
#     - nist-800-53:IA-4
#     - nist-800-53:IA-5
#     - iso27001:A.5.17
#     - soc2:CC6.1
#     - owasp-nhi:NHI9
#     - owasp-asi:ASI03
package agentgate.rules.ag022_shared_credential

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/shared", [i])} if {
	credential := input.spec.credentials[i]
	credential.shared == true
	msg := sprintf("credential %s is shared with other agents or people", [lib.credential_text(credential)])
}

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/shared", [i])} if {
	credential := input.spec.credentials[i]
	is_object(credential)
	not lib.has(credential, "shared")
	msg := sprintf("credential %s does not say whether it is shared (shared is required)", [lib.credential_text(credential)])
}
