package agentgate.lib.secrets_test

import rego.v1

import data.agentgate.lib.secrets

# The spelled-out marker list must stay in step with the detectors.
test_markers_cover_every_detector if {
	{m | some d in secrets.detectors; some m in d.markers} == {m | some m in secrets._markers}
}

test_suspect_is_a_cheap_superset if {
	secrets.suspect(concat("", ["{\"a\":\"", "sk", "-", "Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7", "\"}"]))
	not secrets.suspect("a risk-assessment task-runner for the desk-team")
	not secrets.suspect("AKIA is an acronym")
}

test_describe_shows_prefix_and_length_only if {
	secrets.describe("abcdefghij") == "abcd… (10 characters)"
}

test_detect_names_the_first_kind_found if {
	token := concat("", ["ghp", "_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"])
	secrets.detect(concat(" ", ["x", token])) == ["GitHub token", token]
	not secrets.detect("nothing to see")
	not secrets.detect(5)
}

test_candidates_are_the_detectors_whose_cheap_test_passes if {
	secrets.candidates(concat("", ["sk", "-", "Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7"])) == [6]
	secrets.candidates("plain text") == []
}
