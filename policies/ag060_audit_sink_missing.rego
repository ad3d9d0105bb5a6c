# METADATA
# title: Audit log sink missing
# description: |
#   Checks that spec.audit.logSink says where the agent's actions are logged. An agent can
#   act thousands of times an hour; without its actions in a log tied to its identity, there
#   is no audit trail to show which agent did what on whose authority, no input for
#   detection, and nothing to reconstruct an incident from. Misuse of an agent's authorised
#   access looks like normal operation unless its actions are recorded and watched.
# custom:
#   id: AG060
#   slug: audit-sink-missing
#   family: audit and baseline
#   severity: error
#   summary: The manifest does not say where the agent's actions are logged
#   fix: >-
#     Send the agent's actions to your SIEM or central log store and set spec.audit.logSink
#     to that destination.
#   example: |
#     audit:
#       logSink: siem://splunk/agents
#   controls:
#     - nist-800-53:AU-2
#     - nist-800-53:AU-12
#     - iso27001:A.8.15
#     - soc2:CC7.2
#     - nist-ai-rmf:MEASURE-2.4
#     - eu-ai-act:Art.12
#     - eu-ai-act:Art.26
package agentgate.rules.ag060_audit_sink_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.audit.logSink is missing or empty: nothing says where the agent's actions are logged",
	"path": "/spec/audit/logSink",
} if {
	lib.blank_at(["spec", "audit", "logSink"])
}
