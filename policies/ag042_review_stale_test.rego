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
