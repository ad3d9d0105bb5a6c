//! `agentgate inventory`: rows on the example repository, CSV and JSON holding the same data,
//! and each filter.

use std::path::Path;

use crate::common::{agentgate, copy_dir, crate_dir, write, TODAY};
use agentgate::inventory::Row;

/// The example repository plus an agent whose text is hostile to CSV and Markdown.
fn fixture() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&crate_dir().join("examples"), tmp.path());
    write(
        tmp.path(),
        "agents/odd.agent.yaml",
        r#"apiVersion: agentgate/v1
kind: Agent
metadata: {name: odd-bot}
spec:
  purpose: "=HYPERLINK(\"http://x\"), with \"quotes\",\nline breaks; and | pipes"
  owner: {name: "O'Brien, Pat", email: pat.obrien@example.com, team: "-ops"}
  lifecycle: {status: deprecated, expires: 2026-12-01}
  identity: {type: workload, id: "spiffe://example.org/odd"}
  permissions:
    - {resource: "s3://a,b", actions: [read, delete], justification: cleanup}
  delegation: {delegatesTo: [ticket-writer]}
"#,
    );
    tmp
}

fn rows(dir: &Path, extra: &[&str]) -> Vec<Row> {
    let mut args = vec!["inventory", "--today", TODAY, "--format", "json"];
    args.extend_from_slice(extra);
    let run = agentgate(dir, &args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_value(run.json()["agents"].clone()).expect("rows deserialise")
}

fn names(rows: &[Row]) -> Vec<&str> {
    rows.iter().map(|r| r.name.as_str()).collect()
}

/// RFC 4180: quoted fields with doubled quotes, CRLF records.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => {}
            (false, '\n') => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && record.is_empty(), "CSV ends with CRLF");
    records
}

#[test]
fn rows_describe_each_agent() {
    let tmp = fixture();
    let all = rows(tmp.path(), &[]);
    assert_eq!(all.len(), 8, "{:?}", names(&all));
    let odd = all.iter().find(|r| r.name == "odd-bot").unwrap();
    assert_eq!(odd.file, "agents/odd.agent.yaml");
    assert_eq!(odd.owner, "O'Brien, Pat");
    assert_eq!(odd.owner_email, "pat.obrien@example.com");
    assert_eq!(odd.team, "-ops");
    assert_eq!(odd.status, "deprecated");
    assert_eq!(odd.expires, "2026-12-01");
    assert_eq!(odd.expires_in_days, Some(8));
    assert_eq!(odd.resources, ["s3://a,b"]);
    assert_eq!(odd.actions, ["read", "delete"]);
    assert_eq!(odd.high_consequence.len(), 1);
    assert_eq!(odd.high_consequence[0].action, "delete");
    assert_eq!(odd.high_consequence[0].approval, "none");
    assert_eq!(odd.delegates_to, ["ticket-writer"]);
    assert!(odd.review_stale && odd.review_signature.is_empty());
    assert!(odd.errors > 0);
    let writer = all.iter().find(|r| r.name == "ticket-writer").unwrap();
    assert!(writer.delegated_by.contains(&"odd-bot".to_string()));

    let billing = all.iter().find(|r| r.name == "billing-reconciler").unwrap();
    assert_eq!(billing.team, "finance-eng");
    assert_eq!(billing.status, "active");
    assert_eq!(billing.reviewer, "sec-review@example.com");
    assert!(!billing.review_stale);
    assert_eq!(billing.review_signature, "valid");
    assert!(!billing.credentials.is_empty());
    assert!(billing.reversible.is_some() && billing.external_reach.is_some());
    assert!(!billing.worst_case.is_empty());
}

#[test]
fn csv_and_json_hold_the_same_data() {
    let tmp = fixture();
    let json_rows = rows(tmp.path(), &[]);
    let run = agentgate(
        tmp.path(),
        &["inventory", "--today", TODAY, "--format", "csv"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = parse_csv(&run.stdout);
    assert_eq!(records[0], Row::HEADERS);
    assert_eq!(records.len(), json_rows.len() + 1);
    for (record, row) in records[1..].iter().zip(&json_rows) {
        let expected = row.cells();
        let read: Vec<String> = record
            .iter()
            .zip(&expected)
            .map(|(cell, original)| {
                // A would-be formula is defused with a leading apostrophe.
                if original.starts_with(['=', '+', '-', '@']) && original.parse::<i64>().is_err() {
                    assert!(cell.starts_with('\''), "{cell:?} is defused");
                    cell[1..].to_string()
                } else {
                    cell.clone()
                }
            })
            .collect();
        assert_eq!(read, expected, "row {}", row.name);
    }
    assert!(run.stdout.contains("'=HYPERLINK"));
}

#[test]
fn markdown_and_table_list_every_agent_and_escape_manifest_text() {
    let tmp = fixture();
    let md = agentgate(
        tmp.path(),
        &["inventory", "--today", TODAY, "--format", "markdown"],
    );
    assert_eq!(md.code, 0, "{}", md.stderr);
    assert_eq!(md.stdout.lines().filter(|l| l.starts_with("| ")).count(), 9);
    assert!(md.stdout.contains(r"and \| pipes"));
    let table = agentgate(tmp.path(), &["inventory", "--today", TODAY]);
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.starts_with("AGENT "));
    assert!(table.stdout.contains("odd-bot"));
    assert!(table.stdout.trim_end().ends_with("8 agents"));
}

#[test]
fn filters_narrow_the_rows() {
    let tmp = fixture();
    let dir = tmp.path();
    assert_eq!(
        names(&rows(dir, &["--owner", "Maria.Gonzalez@example.com"])),
        ["legacy-faq-bot", "support-bot"]
    );
    assert_eq!(names(&rows(dir, &["--owner", "O'Brien, Pat"])), ["odd-bot"]);
    assert_eq!(
        names(&rows(dir, &["--team", "platform"])),
        ["release-deployer", "k8s-rollout"]
    );
    assert_eq!(
        names(&rows(dir, &["--status", "retired"])),
        ["legacy-faq-bot"]
    );
    assert_eq!(
        names(&rows(dir, &["--expiring-within", "30d"])),
        ["legacy-faq-bot", "odd-bot"]
    );
    assert_eq!(
        names(&rows(dir, &["--expiring-within", "150d"])),
        ["legacy-faq-bot", "odd-bot", "support-bot"]
    );
    assert_eq!(
        names(&rows(dir, &["--unreviewed"])),
        ["legacy-faq-bot", "odd-bot"]
    );
    assert_eq!(
        names(&rows(dir, &["--team", "platform", "--status", "retired"])),
        Vec::<&str>::new()
    );
    let bad = agentgate(dir, &["inventory", "--expiring-within", "soon"]);
    assert_eq!(bad.code, 2);
}

#[test]
fn sort_orders_the_rows_for_an_audit() {
    let tmp = fixture();
    let dir = tmp.path();
    let sorted = |key: &str| -> Vec<String> {
        names(&rows(dir, &["--sort", key]))
            .into_iter()
            .map(String::from)
            .collect()
    };
    // Expired first, then the soonest expiry; ties by file.
    assert_eq!(
        sorted("expires")[..3],
        ["legacy-faq-bot", "odd-bot", "support-bot"]
    );
    // No review first, then the oldest.
    assert_eq!(
        sorted("review")[..3],
        ["odd-bot", "legacy-faq-bot", "release-deployer"]
    );
    // Most errors first.
    assert_eq!(sorted("findings")[..2], ["odd-bot", "support-bot"]);
    let by_name = sorted("name");
    let mut expected = by_name.clone();
    expected.sort();
    assert_eq!(by_name, expected);
    // Filters and sorting combine; the default is file order.
    assert_eq!(
        names(&rows(
            dir,
            &[
                "--owner",
                "maria.gonzalez@example.com",
                "--sort",
                "findings"
            ]
        )),
        ["support-bot", "legacy-faq-bot"]
    );
    assert_eq!(agentgate(dir, &["inventory", "--sort", "mood"]).code, 2);
}
