# Helpers shared by the built-in rules (and available to other packs).
#
# Rules run on every document, including ones that break the schema (agentgate drops a
# finding at or below a pointer AG000 already reported). So every helper here tolerates a
# value of the wrong type: it is undefined or false, never a builtin error. Iterate with
# indexing (`p := input.spec.permissions[i]`), which is empty on a scalar, rather than
# `some x in y`, which fails on one. The engine calls user functions slowly, so helpers
# call few others.
package agentgate.lib

import rego.v1

# Import the values below by name (`import data.agentgate.lib.facts`) rather than reading
# them as `lib.facts` through `import data.agentgate.lib`: regorus evaluates the whole
# package, sub-packages included, when a rule of it is read through the package's alias.
# Functions may be called through the alias.

# The resolved settings (durations in seconds, today as YYYY-MM-DD).
settings := data.agentgate.settings

# What agentgate computed for the manifest being evaluated; undefined when it has none.
facts := data.agentgate.facts[input.metadata.name]

# obj has key (whatever its value, false included).
has(obj, key) if _ = obj[key]

# x is not a string with something other than whitespace in it (pass object.get(obj, key,
# null) to cover absent fields).
is_blank(x) if not is_string(x)

is_blank(x) if {
	is_string(x)
	trim_space(x) == ""
}

# x is a string with something other than whitespace in it. Prefer `filled(x.y)` to
# `not is_blank(x.y)`: when x.y is absent the call is undefined and `not` would succeed.
filled(x) if {
	is_string(x)
	trim_space(x) != ""
}

# The value at path (an array of keys) below input is absent, or not a non-blank string.
blank_at(path) if is_blank(object.get(input, path, null))

# The value at path (an array of keys) below input is absent.
absent_at(path) if object.get(input, path, null) == null

# lifecycle.status, when present.
status := input.spec.lifecycle.status

is_retired if status == "retired"

# One RFC 6901 reference token: "~" becomes "~0" and "/" becomes "~1"; indexes as digits.
escape(segment) := replace(replace(segment, "~", "~0"), "/", "~1") if is_string(segment)

escape(segment) := sprintf("%v", [segment]) if not is_string(segment)

# The JSON pointer of a path given as an array of keys and indexes ([] is "").
pointer(path) := concat("", [sprintf("/%s", [escape(s)]) | some s in path])

# A value as it would be written in JSON, for messages: "admin", 0, true.
quote(x) := json.marshal(x)

# Lowercase, trimmed email, when x is a string.
email_key(x) := lower(trim_space(x)) if is_string(x)

# The local part of an email (before its last "@"), lowercase.
email_local(x) := local if {
	parts := split(email_key(x), "@")
	count(parts) > 1
	local := concat("@", array.slice(parts, 0, count(parts) - 1))
} else := email_key(x)

# The globs of settings.nonPersonEmails that the local part of email matches, in order.
# glob.match compiles its pattern on every call, so when every glob is plain text with at
# most a leading and a trailing "*" (as the defaults are), a glob is only tried on a local
# part that contains its core (the glob without those stars); otherwise all are tried.
non_person_globs(email) := [g |
	local := email_local(email)
	some i, g in _non_person.globs
	contains(local, _non_person.cores[i])
	glob.match(g, null, local)
] if {
	_non_person.literal
} else := [g |
	local := email_local(email)
	some g in _non_person.globs
	glob.match(g, null, local)
]

# The globs (lowercase strings, as the settings contract guarantees) and their cores, worked
# out with a handful of calls for the whole list rather than several per glob.
_non_person := {"globs": globs, "cores": cores, "literal": literal} if {
	globs := settings.nonPersonEmails
	lines := concat("", ["\n", concat("\n", globs), "\n"])
	bare := replace(replace(lines, "\n*", "\n"), "*\n", "\n")
	cores := array.slice(split(bare, "\n"), 1, count(globs) + 1)
	literal := count([c | some c in ["*", "?", "[", "{", "\\"]; contains(bare, c)]) == 0
}

# Least privilege from zero: every action is high-consequence unless it is listed in
# settings.lowConsequenceActions (lowercase, as the settings contract guarantees; the
# action is compared case-insensitively).
is_high_consequence(action) if {
	is_string(action)
	not lower(action) in settings.lowConsequenceActions
}

# A duration in seconds as people write it: 90d, 24h, 15m, 30s (days from 2d up).
duration_text(seconds) := sprintf("%dd", [seconds / 86400]) if {
	seconds % 86400 == 0
	seconds > 86400
} else := sprintf("%dh", [seconds / 3600]) if {
	seconds % 3600 == 0
} else := sprintf("%dm", [seconds / 60]) if {
	seconds % 60 == 0
} else := sprintf("%ds", [seconds])

# Whole days in a number of seconds, rounded down.
days(seconds) := floor(seconds / 86400)

# The resource of a permission for messages, whatever the permission looks like.
resource_text(permission) := permission.resource if {
	is_string(permission.resource)
} else := "(no resource)"

# The name of a credential for messages.
credential_text(credential) := quote(credential.name) if {
	is_string(credential.name)
} else := "(unnamed)"

# The (resource, action) grants of a manifest document, as [resource, action] pairs.
grants(manifest) := {[p.resource, a] |
	p := manifest.spec.permissions[_]
	is_string(p.resource)
	a := p.actions[_]
	is_string(a)
}
