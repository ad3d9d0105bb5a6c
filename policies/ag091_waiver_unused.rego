# METADATA
# title: Waiver unused
# description: |
#   Reports a waiver in .agentgate.yaml that matched no finding in a full run, or that names a
#   disabled rule. A stale exception is a risk of its own: it silently covers whatever later
#   matches it, long after the situation it was approved for has gone. It is reported at the
#   waiver in the configuration file, and not in partial runs (paths on the command line,
#   --changed-since, --staged), which cannot know what the rest of the repository needs.
#   agentgate computes this rule itself; this package only carries the rule's metadata. It
#   cannot be waived.
# custom:
#   id: AG091
#   slug: waiver-unused
#   family: waivers
#   severity: warning
#   summary: A waiver matched no finding, or names a disabled rule
#   fix: Remove the waiver; the exception it grants is no longer needed.
#   controls: []
package agentgate.rules.ag091_waiver_unused

import rego.v1

# Computed by agentgate from the configuration; nothing to evaluate per manifest.
deny := set()
