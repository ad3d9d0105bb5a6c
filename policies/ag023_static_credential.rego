# METADATA
# title: Static credential
# description: |
#   Reports credentials of type api_key or password. Static secrets are set once, copied into
#   configuration, and rarely rotated; nothing binds them to the workload that should use
#   them, so anyone who obtains a copy can act as the agent. Federated workload identity or
#   short-lived tokens let the platform vouch for the agent instead of a shared secret, and
#   expire on their own.
# custom:
#   id: AG023
#   slug: static-credential
#   family: credentials
#   severity: warning
#   summary: A credential is a static api_key or password
#   fix: >-
#     Replace the api_key or password with a federated workload identity or a short-lived
#     token; until then, keep its ttl short and rotation automatic.
#   example: |
#     credentials:
#       - name: ledger-db
#         type: federated
#         ttl: 1h
#         shared: false
#   controls:
#     - nist-800-53:IA-5
#     - nist-800-53:IA-9
#     - iso27001:A.8.5
#     - soc2:CC6.1
#     - owasp-nhi:NHI4
#     - owasp-nhi:NHI7
package agentgate.rules.ag023_static_credential

import rego.v1

import data.agentgate.lib

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/type", [i])} if {
	credential := input.spec.credentials[i]
	credential.type in {"api_key", "password"}
	msg := sprintf("credential %s is a static %s: anyone holding a copy can act as the agent", [
		lib.credential_text(credential),
		credential.type,
	])
}
