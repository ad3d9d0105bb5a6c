package agentgate.rules.ag007_placeholder_value

import rego.v1

test_placeholder_fires_at_its_value if {
	deny == {{
		"msg": "/spec/owner/name is still a placeholder: TODO the accountable person",
		"path": "/spec/owner/name",
	}} with input as {"spec": {"owner": {"name": "TODO the accountable person"}}}
}

test_placeholders_in_lists_and_emails_fire if {
	count(deny) == 2 with input as {"spec": {
		"owner": {"email": "TODO@example.invalid"},
		"credentials": [{"ttl": "TODO: lifetime of one token"}],
	}}
}

test_todo_inside_a_sentence_passes if {
	count(deny) == 0 with input as {"spec": {"purpose": "Closes TODO tickets older than a year."}}
}

test_words_starting_with_todo_pass if {
	count(deny) == 0 with input as {"metadata": {"description": "TODOist sync agent"}}
}
