# METADATA
# title: Agent configuration unreadable
# description: |
#   A file in an MCP client's own place (.cursor/mcp.json, .vscode/mcp.json, opencode.json,
#   .codex/config.toml, .zed/settings.json, a Goose config.yaml, …), or a file that holds the
#   client's key, whose servers are not written the way the client reads them: the servers
#   key holds a list or a string where a map of named servers belongs. agentgate cannot tell
#   which MCP servers such a file declares, so it says so rather than report none; a file
#   with a generic name (config.yaml, settings.json) outside the client's folder and without
#   the client's key is another tool's, and is left alone. agentgate computes this rule
#   itself, in Rust, when discovery runs; this package only carries the rule's metadata.
# custom:
#   id: AG105
#   slug: agent-config-unreadable
#   family: discovery
#   severity: warning
#   summary: An MCP client configuration whose servers are not in a shape agentgate can read
#   fix: >-
#     Write the servers as the client documents them (a map from server name to its command
#     or URL), or move the file out of the client's place if it is not that client's.
#   example: |
#     {"mcpServers": {"github": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}}}
#   controls:
#     - nist-800-53:CM-8
#     - iso27001:A.5.9
package agentgate.rules.ag105_agent_config_unreadable

import rego.v1

# Computed by agentgate in Rust (discovery over the repository); nothing to evaluate here.
deny := set()
