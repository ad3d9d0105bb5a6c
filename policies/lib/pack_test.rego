package agentgate.lib.pack_test

import rego.v1

# The example manifest of manifest-v1, complete and compliant, must pass every rule.
compliant := {
	"apiVersion": "agentgate/v1",
	"kind": "Agent",
	"metadata": {
		"name": "billing-reconciler",
		"description": "Reconciles payouts against the ledger every night",
		"labels": {"team": "finance-eng"},
	},
	"spec": {
		"purpose": "Compares nightly payout files with ledger entries and opens a ticket on mismatch.",
		"owner": {"name": "Jane Doe", "email": "jane.doe@example.com", "team": "finance-eng"},
		"backupOwner": {"name": "Raj Patel", "email": "raj.patel@example.com"},
		"lifecycle": {"status": "active", "expires": "2027-05-31"},
		"runtime": {"platform": "kubernetes", "model": {"provider": "anthropic", "name": "claude-sonnet"}},
		"identity": {"type": "workload", "id": "spiffe://example.org/ns/finance/sa/billing-reconciler"},
		"permissions": [
			{
				"resource": "postgres://ledger/public.payouts",
				"actions": ["read"],
				"justification": "Reads payout rows to compare with the ledger",
				"dataClasses": ["financial"],
			},
			{
				"resource": "jira://FIN",
				"actions": ["create"],
				"justification": "Opens a ticket for each mismatch",
				"approval": "human",
			},
		],
		"credentials": [{
			"name": "ledger-db",
			"type": "federated",
			"ttl": "1h",
			"rotation": "automatic",
			"shared": false,
			"source": "vault://finance/ledger-db",
		}],
		"blastRadius": {
			"worstCase": "Could read every payout row; cannot write to the ledger or move money",
			"dataClasses": ["financial"],
			"reversible": true,
			"externalReach": false,
		},
		"delegation": {"delegatesTo": ["ticket-writer"]},
		"baseline": {"schedule": "0 2 * * *", "maxActionsPerHour": 500, "systems": ["postgres://ledger", "jira://FIN"]},
		"audit": {"logSink": "siem://splunk/agents"},
		"sources": ["services/billing/reconciler/**", ".mcp.json"],
		"review": {
			"reviewer": "sec-review@example.com",
			"date": "2026-11-02",
			"digest": "sha256:5f2b1c9e0d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c",
			"signature": "-----BEGIN SSH SIGNATURE-----\nU1NIU0lHAAAAAQAAADMAAAALc3NoLWVkMjU1MTkAAAAgJKxoLBJBivUPNTUJUSslQTt2hD\n-----END SSH SIGNATURE-----\n",
		},
	},
}

ticket_writer := {
	"apiVersion": "agentgate/v1",
	"kind": "Agent",
	"metadata": {"name": "ticket-writer", "description": "Writes tickets"},
	"spec": {"permissions": [{"resource": "jira://FIN", "actions": ["create"], "approval": "human"}]},
}

facts := {"billing-reconciler": {
	"file": "agents/billing.agent.yaml",
	"credentials": [{"ttlSeconds": 3600, "rotationSeconds": null}],
	"expiresInSeconds": 16070400,
	"reviewAgeSeconds": 1814400,
}}

findings := {name: deny |
	some name, deny in {
		"ag000_schema": data.agentgate.rules.ag000_schema.deny,
		"ag001_owner_missing": data.agentgate.rules.ag001_owner_missing.deny,
		"ag002_owner_not_a_person": data.agentgate.rules.ag002_owner_not_a_person.deny,
		"ag003_owner_inactive": data.agentgate.rules.ag003_owner_inactive.deny,
		"ag004_backup_owner_missing": data.agentgate.rules.ag004_backup_owner_missing.deny,
		"ag005_purpose_missing": data.agentgate.rules.ag005_purpose_missing.deny,
		"ag006_identity_missing": data.agentgate.rules.ag006_identity_missing.deny,
		"ag010_permissions_missing": data.agentgate.rules.ag010_permissions_missing.deny,
		"ag011_wildcard_grant": data.agentgate.rules.ag011_wildcard_grant.deny,
		"ag012_justification_missing": data.agentgate.rules.ag012_justification_missing.deny,
		"ag013_approval_missing": data.agentgate.rules.ag013_approval_missing.deny,
		"ag014_data_class_undeclared": data.agentgate.rules.ag014_data_class_undeclared.deny,
		"ag020_ttl_missing": data.agentgate.rules.ag020_ttl_missing.deny,
		"ag021_ttl_too_long": data.agentgate.rules.ag021_ttl_too_long.deny,
		"ag022_shared_credential": data.agentgate.rules.ag022_shared_credential.deny,
		"ag023_static_credential": data.agentgate.rules.ag023_static_credential.deny,
		"ag024_rotation_missing": data.agentgate.rules.ag024_rotation_missing.deny,
		"ag025_inline_secret": data.agentgate.rules.ag025_inline_secret.deny,
		"ag026_credentials_missing": data.agentgate.rules.ag026_credentials_missing.deny,
		"ag030_blast_radius_missing": data.agentgate.rules.ag030_blast_radius_missing.deny,
		"ag031_blast_radius_incomplete": data.agentgate.rules.ag031_blast_radius_incomplete.deny,
		"ag040_review_missing": data.agentgate.rules.ag040_review_missing.deny,
		"ag043_review_expired": data.agentgate.rules.ag043_review_expired.deny,
		"ag044_review_self_approved": data.agentgate.rules.ag044_review_self_approved.deny,
		"ag050_agent_expired": data.agentgate.rules.ag050_agent_expired.deny,
		"ag051_expiry_too_far": data.agentgate.rules.ag051_expiry_too_far.deny,
		"ag052_retired_with_access": data.agentgate.rules.ag052_retired_with_access.deny,
		"ag060_audit_sink_missing": data.agentgate.rules.ag060_audit_sink_missing.deny,
		"ag061_baseline_missing": data.agentgate.rules.ag061_baseline_missing.deny,
		"ag070_delegate_unknown": data.agentgate.rules.ag070_delegate_unknown.deny,
		"ag071_delegation_escalates": data.agentgate.rules.ag071_delegation_escalates.deny,
		"ag072_delegation_cycle": data.agentgate.rules.ag072_delegation_cycle.deny,
		"ag080_duplicate_agent": data.agentgate.rules.ag080_duplicate_agent.deny,
	}
	count(deny) > 0
}

test_compliant_manifest_passes_every_rule if {
	result := findings with input as compliant
		with data.agentgate.facts as facts
		with data.agentgate.inventory as {"billing-reconciler": compliant, "ticket-writer": ticket_writer}
		with data.agentgate.settings.today as "2026-11-23"
	result == {}
}

# Documents that break the schema still evaluate without a builtin error (AG000 reports them).
test_every_rule_tolerates_any_document if {
	every doc in [
		{},
		{"spec": "x"},
		{"metadata": 3, "spec": []},
		{"metadata": {"name": 7}, "spec": {
			"owner": {"name": 1, "email": ["a"]},
			"backupOwner": "raj",
			"lifecycle": {"status": ["retired"], "expires": 20270531},
			"permissions": {"a": {"resource": 5, "actions": "admin", "dataClasses": "pii"}},
			"credentials": [5, {"type": 3, "ttl": {"h": 1}, "rotation": 5, "shared": "yes", "name": 4}],
			"blastRadius": {"dataClasses": "pii"},
			"delegation": {"delegatesTo": "b"},
			"review": {"reviewer": 5, "date": 3},
			"audit": {"logSink": 5},
		}},
	] {
		is_object(findings) with input as doc
	}
}

test_empty_document_is_reported_at_missing_pointers if {
	result := findings with input as {"spec": {}}
	paths := {f.path | some deny in result; some f in deny}
	paths == {
		"/spec/owner", "/spec/backupOwner", "/spec/purpose", "/spec/identity", "/spec/permissions",
		"/spec/credentials", "/spec/blastRadius", "/spec/lifecycle/expires", "/spec/audit/logSink",
		"/spec/baseline",
	}
}
