package agentgate.rules.ag042_review_stale

import rego.v1

manifest(digest) := {
	"metadata": {"name": "bot"},
	"spec": {"review": {"reviewer": "sec@example.com", "date": "2026-11-02", "digest": digest}},
}

facts_for(digest) := {"bot": {"file": "bot.agent.yaml", "credentials": [], "expiresInSeconds": null, "reviewAgeSeconds": 0, "digest": digest, "review": {"signature": "valid", "reason": "verified", "detail": ""}}}

test_changed_manifest_fires if {
	deny == {{
		"msg": "the manifest changed after the review was signed: the review covers sha256:aa, the manifest is now sha256:bb",
		"path": "/spec/review/digest",
	}} with input as manifest("sha256:aa")
		with data.agentgate.facts as facts_for("sha256:bb")
}

test_current_digest_passes if {
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as facts_for("sha256:aa")
}

test_needs_a_stored_digest if {
	count(deny) == 0 with input as {"metadata": {"name": "bot"}, "spec": {"review": {"reviewer": "sec@example.com"}}}
		with data.agentgate.facts as facts_for("sha256:bb")
	count(deny) == 0 with input as manifest(42)
		with data.agentgate.facts as facts_for("sha256:bb")
}

superseding(age, base_age) := {"bot": {
	"file": "bot.agent.yaml", "credentials": [], "expiresInSeconds": null,
	"reviewAgeSeconds": age, "digest": "sha256:aa",
	"review": {"signature": "valid", "reason": "verified", "detail": "", "principals": []},
	"reviewChange": "altered",
	"baseReview": {"reviewer": "sec@example.com", "date": "2026-11-12", "ageSeconds": base_age},
}}

test_review_older_than_the_base_review_is_superseded if {
	deny == {{
		"msg": "superseded: the review is dated 2026-11-02, before the review of this agent at the base revision (2026-11-12, by sec@example.com): a restored older review does not cover this change",
		"path": "/spec/review/date",
	}} with input as manifest("sha256:aa")
		with data.agentgate.facts as superseding(1728000, 864000)
}

test_review_as_new_as_the_base_review_or_newer_passes if {
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as superseding(864000, 864000)
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as superseding(0, 864000)
}

test_superseded_needs_the_base_review_and_dates if {
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as facts_for("sha256:aa")
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as superseding(null, 864000)
	count(deny) == 0 with input as manifest("sha256:aa")
		with data.agentgate.facts as superseding(1728000, null)
}
