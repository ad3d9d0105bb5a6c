package agentgate.rules.ag060_audit_sink_missing

import rego.v1

test_missing_audit_fires_at_log_sink if {
	deny == {{
		"msg": "spec.audit.logSink is missing or empty: nothing says where the agent's actions are logged",
		"path": "/spec/audit/logSink",
	}} with input as {"spec": {}}
	count(deny) == 1 with input as {"spec": {"audit": {}}}
	count(deny) == 1 with input as {"spec": {"audit": {"logSink": " "}}}
}

test_log_sink_passes if {
	count(deny) == 0 with input as {"spec": {"audit": {"logSink": "siem://splunk/agents"}}}
}
