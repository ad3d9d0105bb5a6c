package agentgate.lib.tree_test

import rego.v1

import data.agentgate.lib.tree.deep
import data.agentgate.lib.tree.strings

test_strings_lists_every_string_with_its_path if {
	found := strings with input as {"a": "x", "b": [1, "y", {"c": "z"}], "d": true}
	found == {[["a"], "x"], [["b", 1], "y"], [["b", 2, "c"], "z"]}
}

test_deep_holds_what_is_below_depth_16 if {
	doc := {"a": [[[[[[[[[[[[[[[{"k": "v"}]]]]]]]]]]]]]]]}
	found := deep with input as doc
	found == {[["a", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], {"k": "v"}]}
	count(strings) == 0 with input as doc
}
