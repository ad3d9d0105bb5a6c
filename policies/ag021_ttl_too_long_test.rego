package agentgate.rules.ag021_ttl_too_long

import rego.v1

manifest(credentials) := {"metadata": {"name": "bot"}, "spec": {"credentials": credentials}}

facts_for(ttls) := {"bot": {
	"file": "bot.agent.yaml",
	"credentials": [{"ttlSeconds": t, "rotationSeconds": null} | some t in ttls],
	"expiresInSeconds": null,
	"reviewAgeSeconds": null,
}}

test_federated_over_24h_fires if {
	deny == {{
		"msg": "ttl \"7d\" of federated credential \"tok\" exceeds the 24h limit (maxTtl)",
		"path": "/spec/credentials/1/ttl",
	}} with input as manifest([
		{"name": "db", "type": "federated", "ttl": "1h"},
		{"name": "tok", "type": "federated", "ttl": "7d"},
	])
		with data.agentgate.facts as facts_for([3600, 604800])
}

test_api_key_over_90d_fires if {
	deny == {{
		"msg": "ttl \"365d\" of api_key credential \"key\" exceeds the 90d limit (maxStaticTtl)",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "key", "type": "api_key", "ttl": "365d"}])
		with data.agentgate.facts as facts_for([31536000])
}

test_static_limit_applies_to_static_types_only if {
	count(deny) == 0 with input as manifest([{"name": "cert", "type": "certificate", "ttl": "30d"}])
		with data.agentgate.facts as facts_for([2592000])
	count(deny) == 1 with input as manifest([{"name": "tok", "type": "short_lived_token", "ttl": "30d"}])
		with data.agentgate.facts as facts_for([2592000])
}

test_exactly_the_limit_passes if {
	count(deny) == 0 with input as manifest([{"name": "tok", "type": "oauth_client_credentials", "ttl": "24h"}])
		with data.agentgate.facts as facts_for([86400])
}

test_configured_limit if {
	deny == {{
		"msg": "ttl \"2h\" of federated credential \"tok\" exceeds the 1h limit (maxTtl)",
		"path": "/spec/credentials/0/ttl",
	}} with input as manifest([{"name": "tok", "type": "federated", "ttl": "2h"}])
		with data.agentgate.facts as facts_for([7200])
		with data.agentgate.settings.maxTtl as 3600
}

test_missing_or_unparsable_ttl_is_ag020s if {
	count(deny) == 0 with input as manifest([{"name": "tok", "type": "federated", "ttl": "never"}])
		with data.agentgate.facts as facts_for([null])
}
