package agentgate.rules.ag025_inline_secret

import rego.v1

# Fake secrets are assembled at run time so that this file itself holds none.
aws_key := concat("", ["AKIA", "Z7QK2M4N6P8R1T3V"])

github_token := concat("", ["ghp", "_", "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A"])

gitlab_token := concat("", ["glpat", "-", "Ab3De5Fg7Hj9Kl1Mn3Pq"])

slack_token := concat("", ["xoxb", "-", "1234567890-0987654321-AbCdEfGhIjKl"])

sk_key := concat("", ["sk", "-", "proj_Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7"])

jwt := concat(".", [
	concat("", ["eyJ", "hbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"]),
	concat("", ["eyJ", "zdWIiOiJhZ2VudCIsImV4cCI6MH0"]),
	"c2lnbmF0dXJlLWJ5dGVz",
])

private_key := concat("\n", [
	concat("", ["-----BEGIN RSA ", "PRIVATE KEY-----"]),
	"MIIEpAIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
	concat("", ["-----END RSA ", "PRIVATE KEY-----"]),
])

manifest(source) := {
	"apiVersion": "agentgate/v1",
	"kind": "Agent",
	"metadata": {"name": "bot", "description": "A bot"},
	"spec": {
		"purpose": "Runs a risk-assessment task-scheduler nightly",
		"credentials": [{"name": "api", "type": "api_key", "shared": false, "source": source}],
	},
}

finding_for(source) := f if {
	findings := deny with input as manifest(source)
	count(findings) == 1
	some f in findings
}

test_private_key_fires_redacted if {
	f := finding_for(private_key)
	f == {
		"msg": sprintf("value looks like a literal private key: ----… (%d characters)", [count(private_key)]),
		"path": "/spec/credentials/0/source",
		"redact": true,
	}
}

test_aws_access_key_id_fires if {
	f := finding_for(concat("", ["aws://", aws_key, "/secret"]))
	f.msg == "value looks like a literal AWS access key id: AKIA… (20 characters)"
	f.path == "/spec/credentials/0/source"
	f.redact == true
	not contains(f.msg, aws_key)
}

test_github_token_fires if {
	f := finding_for(github_token)
	f.msg == "value looks like a literal GitHub token: ghp_… (40 characters)"
	not contains(f.msg, github_token)
}

test_fine_grained_github_token_fires if {
	f := finding_for(concat("", ["github", "_pat_", "11ABCDEFG0123456789_abcdefghijklmnop"]))
	startswith(f.msg, "value looks like a literal GitHub token: gith…")
}

test_gitlab_token_fires if {
	f := finding_for(concat(" ", ["token", gitlab_token]))
	f.msg == "value looks like a literal GitLab token: glpa… (26 characters)"
}

test_slack_token_fires if {
	f := finding_for(slack_token)
	f.msg == sprintf("value looks like a literal Slack token: xoxb… (%d characters)", [count(slack_token)])
}

test_sk_key_fires_at_start_and_after_punctuation if {
	f := finding_for(sk_key)
	f.msg == sprintf("value looks like a literal API key: sk-p… (%d characters)", [count(sk_key)])
	g := finding_for(concat("", ["OPENAI_API_KEY=", sk_key]))
	g.msg == f.msg
	not contains(g.msg, sk_key)
}

test_sk_inside_a_word_does_not_fire if {
	count(deny) == 0 with input as manifest("vault://task-Ab3De5Fg7Hj9Kl1Mn3Pq5Rs7")
}

test_jwt_fires if {
	f := finding_for(concat(" ", ["Bearer", jwt]))
	f.msg == sprintf("value looks like a literal JWT: eyJh… (%d characters)", [count(jwt)])
	not contains(f.msg, jwt)
}

test_reference_passes if {
	count(deny) == 0 with input as manifest("vault://finance/partner-api")
}

test_review_digest_and_signature_are_not_secrets if {
	m := object.union(manifest("vault://x"), {"spec": {"review": {
		"reviewer": "sec-review@example.com",
		"date": "2026-11-02",
		"digest": concat("", ["sha256:", sk_key]),
		"signature": concat("\n", ["-----BEGIN SSH SIGNATURE-----", jwt, "-----END SSH SIGNATURE-----"]),
	}}})
	count(deny) == 0 with input as m
}

test_review_reviewer_is_still_checked if {
	m := object.union(manifest("vault://x"), {"spec": {"review": {"reviewer": github_token}}})
	{f.path | some f in deny} == {"/spec/review/reviewer"} with input as m
}

test_pointer_segments_are_escaped if {
	m := object.union(manifest("vault://x"), {"metadata": {"annotations": {"vault/token~1": aws_key}}})
	{f.path | some f in deny} == {"/metadata/annotations/vault~1token~01"} with input as m
}

test_secret_in_a_list_points_at_its_index if {
	m := object.union(manifest("vault://x"), {"spec": {"x-notes": ["fine", {"env": [slack_token]}]}})
	{f.path | some f in deny} == {"/spec/x-notes/1/env/0"} with input as m
}

test_secret_beyond_the_walked_depth_is_found_at_the_deepest_container if {
	deep := {"a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {"i": {"j": {"k": {"l": {"m": {"n": {"o": {"p": {"q": github_token}}}}}}}}}}}}}}}}}
	m := object.union(manifest("vault://x"), {"spec": {"x-deep": deep}})
	findings := deny with input as m
	{f.path | some f in findings} == {"/spec/x-deep/a/b/c/d/e/f/g/h/i/j/k/l/m/n"}
	every f in findings {
		not contains(f.msg, github_token)
	}
}

test_one_finding_per_value if {
	count(deny) == 1 with input as manifest(concat(" ", [aws_key, github_token, sk_key]))
}
