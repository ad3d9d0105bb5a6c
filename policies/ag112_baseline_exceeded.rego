# METADATA
# title: Baseline exceeded
# description: |
#   `agentgate drift` compares what audit logs show with the manifest's behavioural baseline:
#   more events than spec.baseline.maxActionsPerHour in some UTC clock hour (allowed and denied
#   events alike: an agent hammering a refused API is behaving abnormally too), or events on a
#   resource that no entry of spec.baseline.systems covers (equal, or below it at a URI path
#   boundary). A compromised or manipulated agent uses legitimate access abnormally; the
#   baseline is what tells. Observed resources are listed per agent up to a cap; events beyond
#   it cannot be compared with baseline.systems and are reported as one finding. Without
#   spec.baseline the rule does not apply (AG061 reports that). Evaluated only by
#   `agentgate drift`; never by `check`.
# custom:
#   id: AG112
#   slug: baseline-exceeded
#   family: drift
#   severity: warning
#   summary: Observed behaviour outside spec.baseline (actions per hour, systems)
#   fix: >-
#     Investigate the burst or the new system. If it is the agent's normal behaviour now, update
#     spec.baseline (and have it reviewed); otherwise contain the agent and rotate its
#     credentials.
#   example: |
#     baseline:
#       maxActionsPerHour: 500
#       systems: [postgres://ledger, jira://FIN]
#   controls:
#     - nist-800-53:SI-4
#     - nist-800-53:CA-7
#     - nist-800-53:AC-2(12)
#     - iso27001:A.8.16
#     - soc2:CC7.2
#     - nist-ai-rmf:MEASURE-2.4
package agentgate.rules.ag112_baseline_exceeded

import rego.v1

import data.agentgate.lib.drift

deny contains {"msg": msg, "path": "/spec/baseline/maxActionsPerHour"} if {
	limit := input.spec.baseline.maxActionsPerHour
	is_number(limit)
	busiest := drift.observed.maxPerHour
	busiest.count > limit
	msg := sprintf("%d events in the UTC hour from %s, more than maxActionsPerHour %d", [busiest.count, busiest.hour, limit])
}

deny contains {"msg": msg, "path": "/spec/baseline/systems"} if {
	systems := input.spec.baseline.systems
	is_array(systems)
	some r in drift.observed.resources
	not _in_systems(systems, r.resource)
	msg := sprintf("events on %s, which no entry of baseline.systems covers: %d allowed, %d denied, first %s, last %s", [
		json.marshal(r.resource), r.allowed, r.denied, r.first, r.last,
	])
}

deny contains {"msg": msg, "path": "/spec/baseline/systems"} if {
	is_array(input.spec.baseline.systems)
	n := drift.observed.resourcesOverflow
	n > 0
	msg := sprintf("%d further events were on resources beyond the %d listed, which could not be compared with baseline.systems; read the logs for them", [
		n, count(drift.observed.resources),
	])
}

_in_systems(systems, resource) if {
	some s in systems
	drift.covers(s, resource)
}
