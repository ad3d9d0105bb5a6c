# METADATA
# title: Schema violation
# description: |
#   The document breaks the agent manifest JSON Schema (schemas/agent-manifest.v1.schema.json):
#   a wrong type, a value outside its enum or format, a missing key the schema requires, or
#   an unknown field. Unknown fields are refused so that a typo (permisions, expries) cannot
#   silently switch a rule off. agentgate computes this rule itself, in Rust, before the
#   Rego rules run, with one finding per schema error at the pointer of the offending
#   property; this package only carries the rule's metadata and its deny set is empty.
#   AG000 cannot be disabled, downgraded or waived.
# custom:
#   id: AG000
#   slug: schema
#   family: ownership and identity
#   severity: error
#   summary: The document breaks the agent manifest JSON Schema
#   fix: >-
#     Correct the field the finding points at: fix the spelling of an unknown field, give the
#     value the type and format the schema expects, or add the missing key.
#   example: |
#     apiVersion: agentgate/v1
#     kind: Agent
#     metadata:
#       name: billing-reconciler
#       description: Reconciles payouts against the ledger every night
#     spec:
#       purpose: Compares nightly payout files with ledger entries.
#   controls: []
package agentgate.rules.ag000_schema

import rego.v1

# Computed by agentgate in Rust (JSON Schema validation); nothing to evaluate here.
deny := set()
