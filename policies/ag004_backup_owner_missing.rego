# METADATA
# title: Backup owner missing
# description: |
#   Checks that spec.backupOwner names a second person, different from the owner. Owners
#   leave, change teams or go on holiday; without a designated successor the agent becomes
#   an orphan the day its owner moves on, and its access outlives anyone who understands
#   it. The backup owner is the same person as the owner when their emails match
#   (case-insensitively), or, when either lacks an email, their names match.
# custom:
#   id: AG004
#   slug: backup-owner-missing
#   family: ownership and identity
#   severity: warning
#   summary: No backup owner is named, or the backup owner is the owner
#   fix: >-
#     Add spec.backupOwner with the name and email of a second person who takes over the agent
#     when the owner leaves.
#   example: |
#     backupOwner:
#       name: Raj Patel
#       email: raj.patel@example.com
#   controls:
#     - nist-ai-rmf:GOVERN-2.1
#     - nist-800-53:AC-2
#     - iso27001:A.5.2
#     - soc2:CC1.3
#     - owasp-nhi:NHI1
package agentgate.rules.ag004_backup_owner_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.backupOwner is missing: nobody is named to take over when the owner leaves",
	"path": "/spec/backupOwner",
} if {
	lib.absent_at(["spec", "backupOwner"])
}

deny contains {
	"msg": "spec.backupOwner names nobody: it has neither a name nor an email",
	"path": "/spec/backupOwner",
} if {
	backup := input.spec.backupOwner
	is_object(backup)
	lib.is_blank(object.get(backup, "name", null))
	lib.is_blank(object.get(backup, "email", null))
}

deny contains {"msg": msg, "path": "/spec/backupOwner/email"} if {
	email := input.spec.backupOwner.email
	lib.filled(email)
	lib.email_key(email) == lib.email_key(input.spec.owner.email)
	msg := sprintf("the backup owner %s is the owner: name a second person", [lib.quote(email)])
}

deny contains {"msg": msg, "path": "/spec/backupOwner/name"} if {
	backup := input.spec.backupOwner
	owner := input.spec.owner
	not _both_have_emails(owner, backup)
	name := backup.name
	lib.filled(name)
	lib.filled(owner.name)
	lower(trim_space(name)) == lower(trim_space(owner.name))
	msg := sprintf("the backup owner %s is the owner: name a second person", [lib.quote(name)])
}

_both_have_emails(owner, backup) if {
	lib.filled(owner.email)
	lib.filled(backup.email)
}
