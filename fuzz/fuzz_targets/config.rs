//! The configuration reader (`agentgate::config::Config::load`, which takes a path: the input
//! is written to `.agentgate.yaml` in a temporary folder). Invariants: no panic; every problem
//! it reports points inside the file.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use agentgate::config::{Config, FILE_NAME};
use libfuzzer_sys::fuzz_target;

fn path() -> &'static PathBuf {
    static DIR: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join(FILE_NAME);
        (dir, path)
    });
    path
}

fuzz_target!(|data: &[u8]| {
    let path = path();
    std::fs::write(path, data).expect("the configuration is written");
    let text = String::from_utf8_lossy(data);
    let chars = text.chars().count();
    if let Err(problems) = Config::load(path, FILE_NAME.to_string(), 1024 * 1024) {
        for problem in problems {
            if let Some(place) = &problem.place {
                assert!(
                    place.label.start <= place.label.end && place.at <= chars,
                    "problem {:?} placed outside the text of {chars} characters",
                    problem.message
                );
            }
        }
    }
});
