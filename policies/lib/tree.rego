# Every value of the input document with its path, without the `walk` builtin (the regorus
# build agentgate embeds leaves it out). Paths are arrays of keys and indexes; turn one into
# a JSON pointer with data.agentgate.lib.pointer.
#
# The levels below reach depth 16, far beyond any field of the manifest format; `deep` holds
# the containers at depth 16 that still have children, so a caller can examine them whole
# (for instance as JSON text) instead of missing what they hold.
package agentgate.lib.tree

import rego.v1

_level1 contains [[k], v] if some k, v in _children(input)

_level2 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level1
	some k, v in _children(c)
}

_level3 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level2
	some k, v in _children(c)
}

_level4 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level3
	some k, v in _children(c)
}

_level5 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level4
	some k, v in _children(c)
}

_level6 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level5
	some k, v in _children(c)
}

_level7 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level6
	some k, v in _children(c)
}

_level8 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level7
	some k, v in _children(c)
}

_level9 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level8
	some k, v in _children(c)
}

_level10 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level9
	some k, v in _children(c)
}

_level11 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level10
	some k, v in _children(c)
}

_level12 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level11
	some k, v in _children(c)
}

_level13 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level12
	some k, v in _children(c)
}

_level14 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level13
	some k, v in _children(c)
}

_level15 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level14
	some k, v in _children(c)
}

_level16 contains [array.concat(p, [k]), v] if {
	some [p, c] in _level15
	some k, v in _children(c)
}

# Objects and arrays iterate; anything else has no children.
_children(x) := x if is_object(x)

_children(x) := x if is_array(x)

_children(x) := [] if {
	not is_object(x)
	not is_array(x)
}

# [path, value] for every value down to depth 16.
nodes := ((((((((((((((_level1 | _level2) | _level3) | _level4) | _level5) | _level6) | _level7) | _level8) | _level9) | _level10) | _level11) | _level12) | _level13) | _level14) | _level15) | _level16

# [path, string] for every string value down to depth 16.
strings contains [p, v] if {
	some [p, v] in nodes
	is_string(v)
}

# [path, container] for each object or array at depth 16 that is not empty.
deep contains [p, c] if {
	some [p, c] in _level16
	count(_children(c)) > 0
}
