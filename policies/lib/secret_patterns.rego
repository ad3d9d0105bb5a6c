# GENERATED from src/secret_patterns.rs (the one table of secret shapes); do not edit.
# Regenerate: AGENTGATE_REGENERATE=1 cargo test --lib secret_patterns
# AG025's detectors, in order: the first that finds something names the kind of secret.
package agentgate.lib.secret_patterns

import rego.v1

detectors := [
	{
		"kind": "private key",
		"markers": ["PRIVATE KEY-----"],
		"min": 0,
		"class": "",
		"pattern": `(?s)(-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----(?:.*?-----END [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----)?)`,
	},
	{
		"kind": "AWS access key id",
		"markers": ["AKIA", "ASIA"],
		"min": 16,
		"class": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
		"pattern": `(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})((?:AKIA|ASIA)[A-Z0-9]{16})(?:[^A-Za-z0-9]|$)`,
	},
	{
		"kind": "GitHub token",
		"markers": ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
		"min": 20,
		"class": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		"pattern": `((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,})`,
	},
	{
		"kind": "GitHub token",
		"markers": ["github_pat_"],
		"min": 20,
		"class": "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
		"pattern": `(github_pat_[A-Za-z0-9_]{20,})`,
	},
	{
		"kind": "GitLab token",
		"markers": ["glpat-"],
		"min": 20,
		"class": "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
		"pattern": `(glpat-[A-Za-z0-9_-]{20,})`,
	},
	{
		"kind": "Slack token",
		"markers": ["xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-"],
		"min": 10,
		"class": "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
		"pattern": `(xox[abprs]-[A-Za-z0-9-]{10,})`,
	},
	{
		"kind": "API key",
		"markers": ["sk-"],
		"min": 20,
		"class": "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
		"pattern": `(?:^|[^A-Za-z0-9]|%[0-9A-Fa-f]{2})(sk-[A-Za-z0-9_-]{20,})`,
	},
	{
		"kind": "JWT",
		"markers": ["eyJ"],
		"min": 10,
		"class": "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz",
		"pattern": `(eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)`,
	},
]

# Every marker of every detector.
markers := [
	"PRIVATE KEY-----",
	"AKIA", "ASIA",
	"ghp_", "gho_", "ghu_", "ghs_", "ghr_",
	"github_pat_",
	"glpat-",
	"xoxa-", "xoxb-", "xoxp-", "xoxr-", "xoxs-",
	"sk-",
	"eyJ",
]
