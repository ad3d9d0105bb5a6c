//! Issue 16: discovery on real files. Every folder of `testdata/discovery-corpus` holds files
//! copied verbatim from public repositories (origins in its README.md) with the findings
//! `discover` must report (`expected.txt`). Each folder is checked as a git repository of its
//! own with the real binary: the JSON findings (rule, file, line, pointer) are exactly the
//! expected ones, and the human output names the same places and the expected text.

use std::path::Path;

use crate::common::*;

fn corpus() -> std::path::PathBuf {
    crate_dir().join("testdata/discovery-corpus")
}

/// Runs `discover` on a copy of one corpus folder; returns the findings as `RULE FILE:LINE
/// POINTER`, sorted, and the human output.
pub fn discovered(folder: &Path) -> (Vec<String>, String) {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(folder, tmp.path());
    std::fs::remove_file(tmp.path().join("expected.txt")).ok();
    git_commit_all(tmp.path(), "real files");
    let json = agentgate(tmp.path(), &["discover", "--no-fail", "--format", "json"]);
    assert_eq!(json.code, 0, "{}: {}", folder.display(), json.stderr);
    let mut found: Vec<String> = json.json()["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}",
                f["rule"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"],
                f["path"].as_str().unwrap()
            )
        })
        .collect();
    found.sort();
    let human = agentgate(tmp.path(), &["discover", "--no-fail"]);
    assert_eq!(human.code, 0, "{}", human.stderr);
    (found, human.stdout)
}

#[test]
fn every_corpus_folder_yields_exactly_its_expected_findings() {
    let mut folders: Vec<_> = std::fs::read_dir(corpus())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    assert!(folders.len() >= 13, "{folders:?}");
    let mut failures = Vec::new();
    for folder in &folders {
        let expected = std::fs::read_to_string(folder.join("expected.txt")).unwrap();
        let mut wanted: Vec<String> = expected
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("contains: "))
            .map(str::to_string)
            .collect();
        wanted.sort();
        let (found, human) = discovered(folder);
        let name = folder.file_name().unwrap().to_string_lossy().into_owned();
        if found != wanted {
            failures.push(format!("{name}: found {found:#?}\nwanted {wanted:#?}"));
        }
        for line in &wanted {
            // `AG100 FILE:LINE POINTER` → the human output points at FILE:LINE:
            let place = line.split(' ').nth(1).unwrap();
            if !human.contains(&format!("[{place}:")) {
                failures.push(format!("{name}: human output lacks {place}:\n{human}"));
            }
        }
        for text in expected
            .lines()
            .filter_map(|l| l.strip_prefix("contains: "))
        {
            // The human output wraps long messages: compare with line breaks undone.
            let flat: String = human
                .lines()
                .map(|l| l.trim_start_matches([' ', '│', '×', '⚠']).trim())
                .collect::<Vec<_>>()
                .join(" ");
            if !flat.contains(text) {
                failures.push(format!("{name}: human output lacks {text:?}:\n{human}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
