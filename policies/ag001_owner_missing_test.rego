package agentgate.rules.ag001_owner_missing

import rego.v1

test_owner_absent_fires_at_owner if {
	deny == {{
		"msg": "spec.owner is missing: no accountable human is named for this agent",
		"path": "/spec/owner",
	}} with input as {"spec": {"purpose": "x"}}
}

test_owner_email_empty_fires_at_email if {
	findings := deny with input as {"spec": {"owner": {"name": "Jane Doe", "email": "  "}}}
	{f.path | some f in findings} == {"/spec/owner/email"}
}

test_owner_empty_object_fires_twice if {
	findings := deny with input as {"spec": {"owner": {}}}
	{f.path | some f in findings} == {"/spec/owner/name", "/spec/owner/email"}
}

test_complete_owner_passes if {
	count(deny) == 0 with input as {"spec": {"owner": {"name": "Jane Doe", "email": "jane.doe@example.com"}}}
}

test_wrong_type_owner_is_left_to_the_schema if {
	count(deny) == 0 with input as {"spec": {"owner": "jane"}}
}
