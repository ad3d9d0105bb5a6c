# Detectors for literal secrets in strings (AG025; reusable by other packs).
#
# Regular expressions are compiled on every call in the embedded engine, which is costly, so
# each detector first runs a cheap test without one: a literal marker followed by at least
# `min` characters of `class` (checked with split, substring and trim). Only text that
# passes it meets the detector's regular expression, whose first group is the secret itself.
# The patterns use ASCII classes only. The detectors themselves are generated (see below).
package agentgate.lib.secrets

import rego.v1

import data.agentgate.lib.secret_patterns

# In order: the first detector that finds something names the kind of secret. The table is
# generated from agentgate's own (src/secret_patterns.rs) into secret_patterns.rego, so Rust
# and Rego know the same shapes; AG025 uses this subset.
detectors := secret_patterns.detectors

# Somewhere in text, marker is followed by at least n characters of class.
_followed(text, marker, n, class) if {
	contains(text, marker)
	some k, piece in split(text, marker)
	k > 0
	head := substring(piece, 0, n)
	count(head) == n
	trim_left(head, class) == ""
}

_candidate(text, detector) if {
	some marker in detector.markers
	_followed(text, marker, detector.min, detector.class)
}

# Every marker of every detector, spelled out so that no comprehension runs per document.
_markers := secret_patterns.markers

# text (any size, e.g. a whole document as JSON) may hold a secret: worth a closer look.
# Looser than detect, never stricter.
suspect(text) if {
	is_string(text)
	some marker in _markers
	contains(text, marker)
	some detector in detectors
	_candidate(text, detector)
}

# Indexes (into detectors) of the detectors whose cheap test passes on text.
candidates(text) := [i | some i, d in detectors; _candidate(text, d)]

# [kind, secret] for the first detector (in the order above) that finds a secret in text.
detect(text) := detect_among(text, numbers.range(0, count(detectors) - 1))

# detect, trying only the detectors listed (by index): for instance the candidates of the
# whole document, when looking at each of its values.
detect_among(text, indexes) := hits[0] if {
	is_string(text)
	hits := [[d.kind, match[0][1]] |
		some i in indexes
		d := detectors[i]
		_candidate(text, d)
		match := regex.find_all_string_submatch_n(d.pattern, text, 1)
		count(match) > 0
	]
	count(hits) > 0
}

# How a secret may be named in a message: its first 4 characters and its length.
describe(secret) := sprintf("%s… (%d characters)", [substring(secret, 0, 4), count(secret)])
