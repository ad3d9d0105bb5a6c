# METADATA
# title: Literal secret in an MCP configuration or .env file
# description: |
#   A literal secret in an MCP server's env or headers, where references such as
#   ${input:token} or ${VAR} belong, or an LLM provider key (OpenAI, Anthropic, Gemini, …) or
#   any secret the AG025 detectors recognise committed in a .env file. Anyone who can read the
#   repository can act as the agent, and the key cannot be rotated without rewriting history.
#   Reported wherever it is, governed or not. agentgate computes this rule itself, in Rust,
#   when discovery runs; the secret is never printed (only a prefix and its length). The path
#   is the JSON pointer of the value (/mcpServers/NAME/env/VAR) or, in a .env file, /VAR.
# custom:
#   id: AG101
#   slug: committed-secret
#   family: discovery
#   severity: error
#   summary: A literal secret in an MCP server's env or headers, or an LLM provider key committed in a .env file
#   fix: >-
#     Revoke and rotate the secret, then reference it instead of writing it: ${input:NAME} with
#     an input prompt in VS Code, ${VAR} from the environment, or a secret manager. Keep .env
#     files out of the repository (.gitignore).
#   example: |
#     "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": "${input:github-token}"}
#   controls:
#     - nist-800-53:IA-5(7)
#     - iso27001:A.5.17
#     - cis:16.4
#     - soc2:CC6.1
package agentgate.rules.ag101_mcp_inline_secret

import rego.v1

# Computed by agentgate in Rust (discovery over the repository); nothing to evaluate here.
deny := set()
