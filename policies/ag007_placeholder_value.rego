# METADATA
# title: Placeholder value
# description: |
#   Checks that no value in the manifest is still a placeholder: a string that starts with
#   the word TODO, as `agentgate init` writes for everything it cannot know (the owner, the
#   purpose, the identity, a credential's lifetime, the worst case, the audit sink). A
#   manifest is the registry entry that auditors and incident responders rely on; a
#   placeholder in it looks like an answer to a tool that only checks that a field is
#   present, so every rule that asks "is this filled in?" would pass on it.
# custom:
#   id: AG007
#   slug: placeholder-value
#   family: ownership and identity
#   severity: error
#   summary: A value in the manifest is still a TODO placeholder
#   fix: >-
#     Replace the TODO with the real value: the text after TODO says what belongs there.
#   example: |
#     owner:
#       name: Jane Doe
#       email: jane.doe@example.com
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
#     - cis:5.5
#     - nist-ai-rmf:GOVERN-1.6
package agentgate.rules.ag007_placeholder_value

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.tree.strings

# One cheap look at the whole document first: a finished manifest holds no TODO at all,
# and then no value is visited.
suspect if contains(json.marshal(input), "TODO")

deny contains {"msg": msg, "path": lib.pointer(path)} if {
	suspect
	some [path, text] in strings
	regex.match(`^\s*TODO([^A-Za-z0-9]|$)`, text)
	msg := sprintf("%s is still a placeholder: %s", [lib.pointer(path), trim_space(text)])
}
