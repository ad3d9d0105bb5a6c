# METADATA
# title: Wildcard grant
# description: |
#   Checks that every permission names a concrete resource and concrete verbs: a resource or
#   action containing "*", or an all-powerful action (admin, all, owner, full_access, root,
#   superuser, compared case-insensitively), is reported. A wildcard grants whatever exists
#   now and whatever is added later, so nobody can say what the agent can reach; an
#   all-powerful verb hands it every operation including the destructive ones. For an agent
#   that can be steered by the content it reads, its permissions are also what an attacker
#   can do through it, so they must be enumerated and bounded.
# custom:
#   id: AG011
#   slug: wildcard-grant
#   family: permissions
#   severity: error
#   summary: A resource or action uses a wildcard or an all-powerful verb
#   fix: >-
#     Replace the wildcard or all-powerful verb with the concrete resources and the specific
#     actions the agent needs, one permission per resource.
#   example: |
#     permissions:
#       - resource: postgres://ledger/public.payouts
#         actions: [read]
#         justification: Reads payout rows to compare with the ledger
#   controls:
#     - nist-800-53:AC-6
#     - nist-800-53:AC-3
#     - iso27001:A.5.15
#     - iso27001:A.8.2
#     - soc2:CC6.3
#     - cis:6.8
#     - owasp-llm:LLM06
#     - owasp-asi:ASI03
#     - owasp-nhi:NHI5
package agentgate.rules.ag011_wildcard_grant

import rego.v1

import data.agentgate.lib

all_powerful := {"admin", "all", "owner", "full_access", "root", "superuser"}

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%v/resource", [i])} if {
	permission := input.spec.permissions[i]
	resource := permission.resource
	is_string(resource)
	contains(resource, "*")
	msg := sprintf("resource %s uses a wildcard: it grants whatever matches, now and later", [lib.quote(resource)])
}

deny contains {"msg": msg, "path": sprintf("/spec/permissions/%v/actions/%v", [i, j])} if {
	action := input.spec.permissions[i].actions[j]
	is_string(action)
	what := problem(action)
	msg := sprintf("action %s %s %s", [lib.quote(action), what, lib.resource_text(input.spec.permissions[i])])
}

# One finding per action, even when it is both a wildcard and an all-powerful verb.
problem(action) := "is a wildcard: it grants every verb on" if {
	contains(action, "*")
} else := "grants everything on" if {
	replace(lower(trim_space(action)), "-", "_") in all_powerful
}
