package agentgate.rules.ag024_rotation_missing

import rego.v1

manifest(credentials) := {"metadata": {"name": "bot"}, "spec": {"credentials": credentials}}

facts_for(rotations) := {"bot": {
	"file": "bot.agent.yaml",
	"credentials": [{"ttlSeconds": 3600, "rotationSeconds": r} | some r in rotations],
	"expiresInSeconds": null,
	"reviewAgeSeconds": null,
}}

test_api_key_without_rotation_fires if {
	deny == {{
		"msg": "api_key credential \"key\" has no rotation",
		"path": "/spec/credentials/1/rotation",
	}} with input as manifest([
		{"name": "tok", "type": "federated"},
		{"name": "key", "type": "api_key", "ttl": "30d"},
	])
}

test_password_and_certificate_need_rotation if {
	count(deny) == 2 with input as manifest([{"name": "a", "type": "password"}, {"name": "b", "type": "certificate"}])
}

test_rotation_never_fires if {
	deny == {{
		"msg": "rotation \"never\" of password credential \"db\" is neither automatic nor a period such as 30d",
		"path": "/spec/credentials/0/rotation",
	}} with input as manifest([{"name": "db", "type": "password", "rotation": "never"}])
		with data.agentgate.facts as facts_for([null])
}

test_rotation_declared_passes if {
	count(deny) == 0 with input as manifest([
		{"name": "a", "type": "api_key", "rotation": "automatic"},
		{"name": "b", "type": "password", "rotation": "30d"},
	])
		with data.agentgate.facts as facts_for([null, 2592000])
}

test_dynamic_credentials_need_no_rotation if {
	count(deny) == 0 with input as manifest([{"name": "tok", "type": "federated"}])
}
