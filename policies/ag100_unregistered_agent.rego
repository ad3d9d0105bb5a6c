# METADATA
# title: Unregistered agent
# description: |
#   An agent footprint in the repository that no manifest governs: an MCP server in an MCP
#   client configuration (.mcp.json, .vscode/mcp.json, .cursor/mcp.json,
#   claude_desktop_config.json, or a JSON/YAML file with a top-level mcpServers or servers map
#   of MCP servers), an A2A agent card, a declarative agent definition (a top-level model plus
#   instructions or tools, as an Azure AI Foundry agent.yaml has), or code that imports an
#   agent framework or LLM SDK (one footprint per service folder). A manifest governs a file when one of its
#   spec.sources globs (repository-relative) matches the file or a folder above it. An agent
#   without a manifest has no owner, no declared permissions, no review and no expiry: the
#   gate cannot see it. agentgate computes this rule itself, in Rust, when discovery runs
#   (`agentgate discover`, and `check` unless `discover: false` or `--no-discover`); this
#   package only carries the rule's metadata. The path is the JSON pointer of the MCP server
#   in its configuration, or "" for an agent card or for code (the line is the first import).
# custom:
#   id: AG100
#   slug: unregistered-agent
#   family: discovery
#   severity: error
#   summary: An agent footprint (MCP config, A2A card, agent framework or LLM SDK use) that no manifest governs
#   fix: >-
#     Register the agent: `agentgate init --from FILE` (an MCP configuration or agent card) or
#     `agentgate init NAME --source PATH` (agent code) writes a manifest that starts from zero
#     privileges and lists the footprint in its spec.sources; each finding's help names the
#     command for it. Delete the footprint if the agent is no longer used.
#   example: |
#     spec:
#       sources: [services/support-bot/**, .mcp.json]
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
#     - cis:1.1
#     - soc2:CC6.1
package agentgate.rules.ag100_unregistered_agent

import rego.v1

# Computed by agentgate in Rust (discovery over the repository); nothing to evaluate here.
deny := set()
