# METADATA
# title: Credential TTL too long
# description: |
#   Checks that a credential's ttl does not exceed the limit for its type: settings.maxTtl
#   (default 24h) for federated, oauth_client_credentials and short_lived_token credentials,
#   settings.maxStaticTtl (default 90d) for api_key, password and certificate. The lifetime
#   of a credential is the window in which a stolen copy is useful; short-lived credentials
#   that are reissued automatically limit the blast radius of a leak even when every other
#   control has failed.
# custom:
#   id: AG021
#   slug: ttl-too-long
#   family: credentials
#   severity: error
#   summary: A credential's ttl exceeds the configured limit for its type
#   fix: >-
#     Shorten the credential's ttl to the limit or below (24h for issued tokens, 90d for static
#     secrets by default), and automate reissue so the shorter lifetime costs nothing.
#   example: |
#     credentials:
#       - name: ledger-db
#         type: federated
#         ttl: 1h
#         shared: false
#   controls:
#     - nist-800-53:IA-5
#     - iso27001:A.5.17
#     - iso27001:A.8.5
#     - soc2:CC6.1
#     - owasp-nhi:NHI7
#     - owasp-asi:ASI03
package agentgate.rules.ag021_ttl_too_long

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts
import data.agentgate.lib.settings

limit("federated") := ["maxTtl", settings.maxTtl]

limit("oauth_client_credentials") := ["maxTtl", settings.maxTtl]

limit("short_lived_token") := ["maxTtl", settings.maxTtl]

limit("api_key") := ["maxStaticTtl", settings.maxStaticTtl]

limit("password") := ["maxStaticTtl", settings.maxStaticTtl]

limit("certificate") := ["maxStaticTtl", settings.maxStaticTtl]

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/ttl", [i])} if {
	credential := input.spec.credentials[i]
	[setting, limit_seconds] := limit(credential.type)
	seconds := facts.credentials[i].ttlSeconds
	is_number(seconds)
	seconds > limit_seconds
	msg := sprintf("ttl %s of %s credential %s exceeds the %s limit (%s)", [
		lib.quote(credential.ttl),
		credential.type,
		lib.credential_text(credential),
		lib.duration_text(limit_seconds),
		setting,
	])
}
