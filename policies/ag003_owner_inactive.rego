# METADATA
# title: Owner no longer active
# description: |
#   When a people directory is configured (settings.directory), checks that the owner's
#   email is in it, compared case-insensitively. An owner missing from the directory has
#   usually left the organisation or changed roles, and the agent keeps running with
#   nobody accountable for it: the "leaver" gap through which orphaned non-human
#   identities keep their access indefinitely. Without a directory the rule does not apply.
# custom:
#   id: AG003
#   slug: owner-inactive
#   family: ownership and identity
#   severity: error
#   summary: The owner's email is not in the configured people directory (the owner left)
#   fix: >-
#     Hand the agent over: set spec.owner (and spec.backupOwner if needed) to current
#     members of staff, or retire the agent if nobody should own it.
#   example: |
#     owner:
#       name: Raj Patel
#       email: raj.patel@example.com
#   controls:
#     - nist-ai-rmf:GOVERN-2.1
#     - nist-800-53:AC-2
#     - iso27001:A.5.9
#     - soc2:CC6.2
#     - cis:5.5
#     - owasp-nhi:NHI1
package agentgate.rules.ag003_owner_inactive

import rego.v1

import data.agentgate.lib
import data.agentgate.lib.settings

deny contains {"msg": msg, "path": "/spec/owner/email"} if {
	directory := settings.directory
	is_array(directory)
	email := input.spec.owner.email
	lib.filled(email)
	not lib.email_key(email) in directory
	msg := sprintf("owner %s is not in the people directory: the owner has left or moved on", [lib.quote(email)])
}
