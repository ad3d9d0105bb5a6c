package agentgate.lib_test

import rego.v1

import data.agentgate.lib

test_pointer_escapes_rfc6901 if {
	lib.pointer(["spec", "permissions", 0, "actions", 2]) == "/spec/permissions/0/actions/2"
	lib.pointer(["metadata", "annotations", "a/b~c"]) == "/metadata/annotations/a~1b~0c"
	lib.pointer(["~1"]) == "/~01"
	lib.pointer([]) == ""
}

test_blank_and_filled if {
	lib.is_blank(null)
	lib.is_blank("")
	lib.is_blank(" \t\n")
	lib.is_blank(5)
	not lib.is_blank("x")
	lib.filled(" x ")
	not lib.filled("  ")
	not lib.filled(5)
}

test_absent_and_blank_at if {
	lib.absent_at(["spec", "audit", "logSink"]) with input as {"spec": {}}
	lib.absent_at(["spec", "audit", "logSink"]) with input as {"spec": {"audit": "siem"}}
	not lib.absent_at(["spec", "reversible"]) with input as {"spec": {"reversible": false}}
	lib.blank_at(["spec", "purpose"]) with input as {"spec": {"purpose": " "}}
	not lib.blank_at(["spec", "purpose"]) with input as {"spec": {"purpose": "p"}}
}

test_has_sees_false_values if {
	lib.has({"shared": false}, "shared")
	not lib.has({"shared": false}, "name")
	not lib.has("text", "shared")
}

test_email_local_part if {
	lib.email_local(" Team-Fin@Example.com ") == "team-fin"
	lib.email_local("\"a@b\"@example.com") == "\"a@b\""
	lib.email_local("nobody") == "nobody"
}

test_non_person_globs_default_settings if {
	lib.non_person_globs("team-fin@example.com") == ["team-*"]
	lib.non_person_globs("fin-team@example.com") == ["*-team"]
	lib.non_person_globs("jane.doe@example.com") == []
	lib.non_person_globs("ops@example.com") == ["ops"]
	lib.non_person_globs("devops@example.com") == ["devops"]
}

test_non_person_globs_any_glob_syntax if {
	lib.non_person_globs("ci-bot-7@example.com") == ["ci-*-[0-9]"] with data.agentgate.settings.nonPersonEmails as ["ci-*-[0-9]"]
	lib.non_person_globs("a.ops.b@example.com") == ["*.ops.*", "a*"] with data.agentgate.settings.nonPersonEmails as ["*.ops.*", "a*", "b*"]
	lib.non_person_globs("x@example.com") == [] with data.agentgate.settings.nonPersonEmails as []
}

test_high_consequence_actions if {
	lib.is_high_consequence("write")
	lib.is_high_consequence("Write")
	lib.is_high_consequence("pay")
	not lib.is_high_consequence("READ")
	not lib.is_high_consequence(5)
	not lib.is_high_consequence("comment") with data.agentgate.settings.lowConsequenceActions as ["comment"]
}

test_duration_text if {
	lib.duration_text(86400) == "24h"
	lib.duration_text(7776000) == "90d"
	lib.duration_text(90) == "90s"
	lib.duration_text(900) == "15m"
	lib.days(15552000) == 180
}

test_grants_ignore_malformed_entries if {
	lib.grants({"spec": {"permissions": [
		{"resource": "a://b", "actions": ["read", "write", 3]},
		{"resource": 5, "actions": ["read"]},
		"junk",
	]}}) == {["a://b", "read"], ["a://b", "write"]}
	lib.grants("junk") == set()
}

test_facts_are_the_current_manifests if {
	f := data.agentgate.lib.facts with input as {"metadata": {"name": "a"}}
		with data.agentgate.facts as {"a": {"file": "a.yaml"}, "b": {"file": "b.yaml"}}
	f.file == "a.yaml"
}
