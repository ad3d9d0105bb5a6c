package agentgate.rules.ag003_owner_inactive

import rego.v1

manifest(email) := {"spec": {"owner": {"name": "Jane Doe", "email": email}}}

test_owner_not_in_directory_fires if {
	deny == {{
		"msg": "owner \"jane.doe@example.com\" is not in the people directory: the owner has left or moved on",
		"path": "/spec/owner/email",
	}} with input as manifest("jane.doe@example.com")
		with data.agentgate.settings.directory as ["raj.patel@example.com"]
}

test_owner_in_directory_passes_case_insensitively if {
	count(deny) == 0 with input as manifest("Jane.Doe@Example.com")
		with data.agentgate.settings.directory as ["jane.doe@example.com"]
}

test_no_directory_configured_does_not_apply if {
	count(deny) == 0 with input as manifest("jane.doe@example.com")
}

test_empty_directory_means_nobody_is_active if {
	count(deny) == 1 with input as manifest("jane.doe@example.com")
		with data.agentgate.settings.directory as []
}

test_absent_email_is_ag001s if {
	count(deny) == 0 with input as {"spec": {"owner": {"name": "Jane"}}}
		with data.agentgate.settings.directory as []
}
