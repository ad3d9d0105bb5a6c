# METADATA
# title: Behavioural baseline missing
# description: |
#   Checks that spec.baseline describes the agent's expected behaviour: when it runs, how
#   many actions an hour it takes, which systems it touches. A compromised or manipulated
#   agent uses its legitimate access, so its misuse is only visible as a deviation from what
#   is normal for it; human behaviour baselines do not fit agents that run at night and at
#   machine speed. The baseline is what monitoring compares the agent's activity against.
# custom:
#   id: AG061
#   slug: baseline-missing
#   family: audit and baseline
#   severity: warning
#   summary: The manifest does not describe the agent's expected behaviour
#   fix: >-
#     Add spec.baseline with the agent's schedule, its expected maximum actions per hour and
#     the systems it touches, and alert on deviations from it.
#   example: |
#     baseline:
#       schedule: "0 2 * * *"
#       maxActionsPerHour: 500
#       systems: [postgres://ledger, jira://FIN]
#   controls:
#     - nist-800-53:SI-4
#     - nist-800-53:CA-7
#     - nist-800-53:AC-2(12)
#     - iso27001:A.8.16
#     - soc2:CC7.2
#     - nist-ai-rmf:MEASURE-2.4
#     - nist-ai-rmf:MANAGE-4.1
#     - eu-ai-act:Art.26
package agentgate.rules.ag061_baseline_missing

import rego.v1

import data.agentgate.lib

deny contains {
	"msg": "spec.baseline is missing: there is no expected behaviour to monitor the agent against",
	"path": "/spec/baseline",
} if {
	lib.absent_at(["spec", "baseline"])
}

deny contains {
	"msg": "spec.baseline is empty: it describes no expected behaviour to monitor the agent against",
	"path": "/spec/baseline",
} if {
	input.spec.baseline == {}
}
