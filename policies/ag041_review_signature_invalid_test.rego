package agentgate.rules.ag041_review_signature_invalid

import rego.v1

manifest := {
	"metadata": {"name": "bot"},
	"spec": {"review": {"reviewer": "sec@example.com", "date": "2026-11-02"}},
}

facts_for(review) := {"bot": {"file": "bot.agent.yaml", "credentials": [], "expiresInSeconds": null, "reviewAgeSeconds": 0, "digest": "sha256:00", "review": review}}

test_unsigned_review_fires if {
	deny == {{
		"msg": "no signature: the review is not signed: run `agentgate review sign` as the reviewer",
		"path": "/spec/review/signature",
	}} with input as manifest
		with data.agentgate.facts as facts_for({"signature": "absent", "reason": "no signature", "detail": "the review is not signed: run `agentgate review sign` as the reviewer"})
}

test_each_reason_fires_with_its_detail if {
	every reason in ["no allowed_signers configured", "unknown principal", "wrong namespace", "bad signature", "key outside its validity window", "unsupported key type", "malformed signature", "backdated"] {
		deny == {{"msg": sprintf("%s: details", [reason]), "path": "/spec/review/signature"}} with input as manifest
			with data.agentgate.facts as facts_for({"signature": "invalid", "reason": reason, "detail": "details"})
	}
}

test_valid_signature_passes if {
	count(deny) == 0 with input as manifest
		with data.agentgate.facts as facts_for({"signature": "valid", "reason": "verified", "detail": "signed by sec@example.com"})
}

test_needs_a_review if {
	count(deny) == 0 with input as {"metadata": {"name": "bot"}, "spec": {}}
		with data.agentgate.facts as facts_for(null)
	count(deny) == 0 with input as {"metadata": {"name": "bot"}, "spec": {"review": "pending"}}
		with data.agentgate.facts as facts_for(null)
}
