# METADATA
# title: Inline secret
# description: |
#   Checks every string value in the manifest for something that looks like a secret: a
#   private key block, an AWS access key id, a GitHub, GitLab or Slack token, an sk- API key
#   (sk- at the start of the value or after a non-alphanumeric character, then at least 20
#   letters, digits, "_" or "-"), or a JWT. Manifests live in git, where a secret is copied
#   to every clone, fork, CI log and backup and stays in history after it is deleted; a
#   leaked secret lets anyone act as the agent. The review's digest and SSH signature are not
#   secrets and are not checked. agentgate redacts the value in every output: the message
#   shows only the kind of secret, its first characters and its length.
# custom:
#   id: AG025
#   slug: inline-secret
#   family: credentials
#   severity: error
#   summary: A value in the manifest looks like a literal secret
#   fix: >-
#     Revoke and rotate the exposed secret now, remove it from the manifest (and from git
#     history), and point credentials[].source at the secret store that holds it instead.
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
#     - nist-800-53:IA-5(7)
#     - iso27001:A.5.17
#     - soc2:CC6.1
#     - owasp-nhi:NHI2
package agentgate.rules.ag025_inline_secret

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.secrets
import data.agentgate.lib.tree.deep
import data.agentgate.lib.tree.strings

# Signed review material: hex digest and OpenSSH signature, never secrets.
not_secret := {["spec", "review", "digest"], ["spec", "review", "signature"]}

# One cheap look at the whole document first: most manifests hold nothing like a secret,
# and then no value is visited and no regular expression compiled.
document := json.marshal(input)

suspect if secrets.suspect(document)

# The detectors worth trying on each value: those whose cheap test passes on the document.
detectors := secrets.candidates(document) if suspect

deny contains {"msg": msg, "path": lib.pointer(path), "redact": true} if {
	suspect
	some [path, text] in strings
	not path in not_secret
	[kind, secret] := secrets.detect_among(text, detectors)
	msg := sprintf("value looks like a literal %s: %s", [kind, secrets.describe(secret)])
}

# Containers nested deeper than lib.tree.strings reaches are examined whole, as JSON.
deny contains {"msg": msg, "path": lib.pointer(path), "redact": true} if {
	suspect
	some [path, value] in deep
	[kind, secret] := secrets.detect_among(json.marshal(value), detectors)
	msg := sprintf("value looks like a literal %s: %s", [kind, secrets.describe(secret)])
}
