package agentgate.rules.ag004_backup_owner_missing

import rego.v1

owner := {"name": "Jane Doe", "email": "jane.doe@example.com"}

test_absent_backup_owner_fires_at_its_own_pointer if {
	deny == {{
		"msg": "spec.backupOwner is missing: nobody is named to take over when the owner leaves",
		"path": "/spec/backupOwner",
	}} with input as {"spec": {"owner": owner}}
}

test_backup_equal_to_owner_fires_at_email if {
	findings := deny with input as {"spec": {"owner": owner, "backupOwner": {"name": "J. Doe", "email": "Jane.Doe@example.com"}}}
	{f.path | some f in findings} == {"/spec/backupOwner/email"}
}

test_same_name_without_email_fires_at_name if {
	findings := deny with input as {"spec": {"owner": owner, "backupOwner": {"name": "jane doe"}}}
	{f.path | some f in findings} == {"/spec/backupOwner/name"}
}

test_same_name_different_email_passes if {
	count(deny) == 0 with input as {"spec": {"owner": owner, "backupOwner": {"name": "Jane Doe", "email": "jane.doe2@example.com"}}}
}

test_empty_backup_owner_fires if {
	findings := deny with input as {"spec": {"owner": owner, "backupOwner": {}}}
	{f.path | some f in findings} == {"/spec/backupOwner"}
}

test_distinct_backup_owner_passes if {
	count(deny) == 0 with input as {"spec": {"owner": owner, "backupOwner": {"name": "Raj Patel", "email": "raj.patel@example.com"}}}
}
