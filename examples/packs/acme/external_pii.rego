# METADATA
# title: PII with external reach
# description: |
#   ACME's privacy office does not allow an agent that can read personal data to send data or
#   messages outside the organisation: a prompt injection in anything it reads could then
#   exfiltrate that data. This rule is an example of a team's own pack.
# custom:
#   id: ACME001
#   slug: pii-external-reach
#   severity: error
#   summary: An agent that touches PII can reach outside the organisation
#   fix: Split the agent in two, or remove its external reach and set externalReach to false.
#   controls:
#     - iso27001:A.8.2
#     - owasp-llm:LLM06
package agentgate.rules.acme.pii_external_reach

import rego.v1

deny contains {"msg": "this agent handles pii and has externalReach: true", "path": "/spec/blastRadius/externalReach"} if {
	input.spec.blastRadius.externalReach == true
	"pii" in input.spec.blastRadius.dataClasses
}
