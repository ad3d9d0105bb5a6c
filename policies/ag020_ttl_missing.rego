# METADATA
# title: Credential TTL missing
# description: |
#   Checks that every credential declares a ttl, the lifetime of one issued credential, as a
#   positive duration (30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H). A missing ttl,
#   "never", 0 or a value agentgate cannot read as a duration all mean the credential may
#   never expire. Long-lived credentials are the most common way non-human identities are
#   abused: a key that never expires stays useful to whoever copies it, long after the
#   leak. Durations are read by agentgate (data.agentgate.facts), never parsed in Rego.
# custom:
#   id: AG020
#   slug: ttl-missing
#   family: credentials
#   severity: error
#   summary: A credential has no ttl, or its ttl is never, 0 or not a duration
#   fix: >-
#     Set ttl on the credential to the shortest lifetime that works, such as 1h for issued
#     tokens; prefer federated or short-lived credentials to static ones.
#   example: |
#     credentials:
#       - name: ledger-db
#         type: federated
#         ttl: 1h
#         shared: false
#         source: vault://finance/ledger-db
#   controls:
#     - nist-800-53:IA-5
#     - iso27001:A.5.17
#     - iso27001:A.8.5
#     - soc2:CC6.1
#     - owasp-nhi:NHI7
#     - owasp-asi:ASI03
package agentgate.rules.ag020_ttl_missing

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.facts

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/ttl", [i])} if {
	credential := input.spec.credentials[i]
	is_object(credential)
	object.get(credential, "ttl", null) == null
	msg := sprintf("credential %s has no ttl: what it issues may never expire", [lib.credential_text(credential)])
}

deny contains {"msg": msg, "path": sprintf("/spec/credentials/%v/ttl", [i])} if {
	credential := input.spec.credentials[i]
	ttl := credential.ttl
	ttl != null
	seconds := facts.credentials[i].ttlSeconds
	not bounded(seconds)
	msg := sprintf("ttl %s of credential %s %s", [lib.quote(ttl), lib.credential_text(credential), reason(ttl)])
}

bounded(seconds) if {
	is_number(seconds)
	seconds > 0
}

reason(ttl) := "means it never expires" if {
	never(ttl)
} else := sprintf("is unparsable: agentgate cannot read it as a duration, so it may never expire; write it as %s", [suggestion(ttl)]) if {
	is_string(ttl)
	not iso8601_like(ttl)
} else := "is not a positive duration (write 30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)"

# An ISO-8601 duration that reads as zero or less (PT0S) is not unparsable, only not positive.
iso8601_like(ttl) if regex.match(`^\s*[+-]?P`, upper(ttl))

iso8601_like(ttl) if regex.match(`^\s*-`, ttl)

# "1 hour", "30 minutes": the number and the unit agentgate reads.
suggestion(ttl) := sprintf("`%s%s` (30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)", [match[1], unit_letter[lower(match[2])]]) if {
	match := regex.find_all_string_submatch_n(`^\s*([0-9]+)\s*([A-Za-z]+?)s?\s*$`, ttl, 1)[0]
	unit_letter[lower(match[2])]
} else := "a number and a unit: `1h` (30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)"

unit_letter := {
	"s": "s", "sec": "s", "second": "s",
	"m": "m", "min": "m", "minute": "m",
	"h": "h", "hr": "h", "hour": "h",
	"d": "d", "day": "d",
	"w": "w", "wk": "w", "week": "w",
}

never(ttl) if ttl == 0

never(ttl) if {
	is_string(ttl)
	lower(trim_space(ttl)) in {"never", "0"}
}
