# METADATA
# title: Broad MCP server
# description: |
#   A shell or filesystem MCP server (server-filesystem, a shell or terminal server, or a shell
#   as the command) given the filesystem root or a home folder (/, ~, $HOME, /home/NAME,
#   /Users/NAME, /root, C:\Users\NAME). The agent behind it can then read or change every file
#   of the machine or of the user, including SSH keys and cloud credentials. agentgate
#   computes this rule itself, in Rust, when discovery runs; the path is the JSON pointer of the
#   argument in the MCP configuration.
# custom:
#   id: AG102
#   slug: mcp-broad-server
#   family: discovery
#   severity: error
#   summary: A shell or filesystem MCP server is given the filesystem root or a home directory
#   fix: >-
#     Give the server only the project folder it needs (for example ${workspaceFolder} or
#     ./data), never / or a home directory.
#   example: |
#     "args": ["-y", "@modelcontextprotocol/server-filesystem", "${workspaceFolder}/docs"]
#   controls:
#     - nist-800-53:AC-6
#     - iso27001:A.8.2
#     - cis:3.3
#     - soc2:CC6.3
package agentgate.rules.ag102_mcp_broad_server

import rego.v1

# Computed by agentgate in Rust (discovery over the repository); nothing to evaluate here.
deny := set()
