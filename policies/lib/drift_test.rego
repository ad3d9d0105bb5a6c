package agentgate.lib.drift

import rego.v1

test_covers_equal_and_below_a_path_boundary if {
	covers("db://prod", "db://prod")
	covers("db://prod", "db://prod/users")
	covers("s3://bucket/", "s3://bucket/key")
}

test_a_prefix_without_a_boundary_does_not_cover if {
	not covers("db://prod", "db://production")
	not covers("db://prod/users", "db://prod")
}
