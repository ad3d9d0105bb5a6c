# METADATA
# title: Rotation missing
# description: |
#   Checks that every api_key, password and certificate declares rotation: automatic, or a
#   period such as 30d. Static secrets do not renew themselves; without a rotation schedule
#   the same secret stays valid for as long as anyone forgets it, and a copy taken today
#   still works next year. A rotation value that is neither automatic nor a readable period
#   (such as "never") is reported too.
# custom:
#   id: AG024
#   slug: rotation-missing
#   family: credentials
#   severity: error
#   summary: A static credential (api_key, password, certificate) has no rotation
#   fix: >-
#     Set rotation: automatic and let the secret manager rotate the credential, or give a
#     period such as 30d and automate it.
#   example: |
#     credentials:
#       - name: partner-api
#         type: api_key
#         ttl: 30d
#         rotation: automatic
#         shared: false
#         source: vault://finance/partner-api
#   controls:
#     - nist-800-53:IA-5
#     - iso27001:A.5.17
#     - soc2:CC6.1
#     - owasp-nhi:NHI7
package agentgate.rules.ag024_rotation_missing

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts

static := {"api_key", "password", "certificate"}

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/rotation", [i])} if {
	credential := input.spec.credentials[i]
	credential.type in static
	lib.is_blank(object.get(credential, "rotation", null))
	msg := sprintf("%s credential %s has no rotation", [credential.type, lib.credential_text(credential)])
}

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/rotation", [i])} if {
	credential := input.spec.credentials[i]
	credential.type in static
	rotation := credential.rotation
	lib.filled(rotation)
	lower(trim_space(rotation)) != "automatic"
	facts.credentials[i].rotationSeconds == null
	msg := sprintf("rotation %s of %s credential %s is neither automatic nor a period such as 30d", [
		lib.quote(rotation),
		credential.type,
		lib.credential_text(credential),
	])
}
