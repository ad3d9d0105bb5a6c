# Helpers of the drift rules (AG110 to AG112), for other packs' drift rules too.
package agentgate.lib.drift

import rego.v1

# What `agentgate drift` observed of the manifest being evaluated; undefined in every other
# command, so a rule that reads it is evaluated by `drift` alone.
observed := data.agentgate.facts[input.metadata.name].observed

# A grant's (or baseline system's) resource covers a resource when they are equal, or when it
# is a prefix ending at a URI path boundary: db://prod covers db://prod/users, never
# db://production. (AG071 compares grants exactly; drift asks what an event falls under.)
covers(grant, resource) if grant == resource

covers(grant, resource) if {
	is_string(grant)
	endswith(grant, "/")
	startswith(resource, grant)
}

covers(grant, resource) if {
	is_string(grant)
	startswith(resource, concat("", [grant, "/"]))
}

# A time for messages: the timestamp, or "never" when there was none.
when(t) := t if is_string(t)

when(t) := "never" if not is_string(t)
