package agentgate.rules.ag020_ttl_missing

import rego.v1

manifest(credentials) := {"metadata": {"name": "bot"}, "spec": {"credentials": credentials}}

facts_for(ttls) := {"bot": {
	"file": "bot.agent.yaml",
	"credentials": [{"ttlSeconds": t, "rotationSeconds": null} | some t in ttls],
	"expiresInSeconds": null,
	"reviewAgeSeconds": null,
}}

test_absent_ttl_fires_at_the_missing_ttl if {
	deny == {{
		"msg": "credential \"db\" has no ttl: what it issues may never expire",
		"path": "/spec/credentials/1/ttl",
	}} with input as manifest([
		{"name": "tok", "type": "federated", "ttl": "1h"},
		{"name": "db", "type": "password"},
	])
		with data.agentgate.facts as facts_for([3600, null])
}

test_never_fires if {
	deny == {{
		"msg": "ttl \"never\" of credential \"tok\" means it never expires",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "api_key", "ttl": "never"}])
		with data.agentgate.facts as facts_for([null])
}

test_zero_fires if {
	deny == {{
		"msg": "ttl 0 of credential \"tok\" means it never expires",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "api_key", "ttl": 0}])
		with data.agentgate.facts as facts_for([null])
	count(deny) == 1 with input as manifest([{"name": "tok", "type": "api_key", "ttl": "0"}])
		with data.agentgate.facts as facts_for([null])
}

test_unparsable_fires if {
	deny == {{
		"msg": "ttl \"one hour\" of credential \"tok\" is unparsable: agentgate cannot read it as a duration, so it may never expire; write it as a number and a unit: `1h` (30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "federated", "ttl": "one hour"}])
		with data.agentgate.facts as facts_for([null])
}

test_unparsable_shows_how_to_write_it if {
	deny == {{
		"msg": "ttl \"2 Hours\" of credential \"tok\" is unparsable: agentgate cannot read it as a duration, so it may never expire; write it as `2h` (30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "federated", "ttl": "2 Hours"}])
		with data.agentgate.facts as facts_for([null])
}

test_not_positive_is_not_called_unparsable if {
	deny == {{
		"msg": "ttl \"-1h\" of credential \"tok\" is not a positive duration (write 30s, 15m, 1h, 7d, 12w or ISO-8601 such as PT1H)",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "federated", "ttl": "-1h"}])
		with data.agentgate.facts as facts_for([null])
}

test_parsed_ttl_passes if {
	count(deny) == 0 with input as manifest([{"name": "tok", "type": "federated", "ttl": "PT1H"}])
		with data.agentgate.facts as facts_for([3600])
}

test_without_facts_only_absence_is_judged if {
	count(deny) == 0 with input as manifest([{"name": "tok", "type": "federated", "ttl": "never"}])
	count(deny) == 1 with input as manifest([{"name": "tok", "type": "federated"}])
}
