//! Acceptance: the HTML compliance report as a real browser shows it. Headless Chromium loads a
//! report that the real binary wrote for a real git repository, and the test reads what it
//! rendered: the DOM after load (`--dump-dom`), a screenshot (`--screenshot`), a PDF
//! (`--print-to-pdf`) and the page's console (`--enable-logging=stderr`).
//!
//! Without Chromium these tests print a note and pass, unless `AGENTGATE_REQUIRE_CHROMIUM=1`
//! (CI sets it), when they fail. `AGENTGATE_SCREENSHOT_DIR=DIR` keeps the screenshot and the
//! PDF there, for a person to look at.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common;
use crate::common::{agentgate, copy_dir, crate_dir, git_commit_all, TODAY};

/// Chromium on PATH, or `None` after printing why the test is skipped. Panics instead when
/// `AGENTGATE_REQUIRE_CHROMIUM=1`: CI must not pass a browser test it did not run.
fn chromium() -> Option<PathBuf> {
    let found = ["chromium", "chromium-browser"]
        .iter()
        .find_map(|name| common::find_on_path(name));
    if found.is_none() {
        assert!(
            std::env::var("AGENTGATE_REQUIRE_CHROMIUM").as_deref() != Ok("1"),
            "AGENTGATE_REQUIRE_CHROMIUM=1 but chromium is not on PATH (apt-get install chromium)"
        );
        common::skip("chromium missing: the HTML report's browser test did not run (apt-get install chromium)");
    }
    found
}

struct Output {
    stdout: String,
    stderr: String,
}

/// Runs headless Chromium on `page` with `args`, in a new profile, with the page's console
/// logged to stderr. Killed after two minutes: a hung browser fails the test, never hangs it.
fn run_chromium(binary: &Path, page: &Path, args: &[&str]) -> Output {
    let scratch = tempfile::tempdir().unwrap();
    let (stdout_path, stderr_path) = (scratch.path().join("out"), scratch.path().join("err"));
    let mut child = Command::new(binary)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!(
            "--user-data-dir={}",
            scratch.path().join("profile").display()
        ))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout_path).unwrap())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "chromium did not finish within 2 minutes:\n{}",
                std::fs::read_to_string(&stderr_path).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = Output {
        stdout: std::fs::read_to_string(&stdout_path).unwrap_or_default(),
        stderr: std::fs::read_to_string(&stderr_path).unwrap_or_default(),
    };
    assert!(
        status.success(),
        "chromium failed: {status}\n{}",
        output.stderr
    );
    output
}

/// The lines of Chromium's log that come from a page's console: `console.*` calls and uncaught
/// errors (`INFO:CONSOLE:1] "Uncaught ReferenceError: …", source: file:///… (1)`).
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|line| line.contains(":CONSOLE") || line.contains("Uncaught"))
        .collect()
}

/// The example repository, committed, plus an agent without a review or an expiry; and the HTML
/// report the real binary writes for it, in a folder outside the repository.
fn report() -> (tempfile::TempDir, PathBuf) {
    let repo = tempfile::tempdir().unwrap();
    copy_dir(&crate_dir().join("examples"), repo.path());
    common::write(
        repo.path(),
        "agents/adrift.agent.yaml",
        "apiVersion: agentgate/v1\nkind: Agent\nmetadata: {name: adrift}\nspec:\n  purpose: nothing reviewed, nothing expires\n  lifecycle: {status: active}\n",
    );
    git_commit_all(repo.path(), "agents");
    let run = agentgate(
        repo.path(),
        &["report", "--today", TODAY, "--format", "html"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = tempfile::tempdir().unwrap();
    let page = out.path().join("report.html");
    std::fs::write(&page, run.stdout).unwrap();
    (out, page)
}

fn keep(file: &Path) {
    if let Some(dir) = std::env::var_os("AGENTGATE_SCREENSHOT_DIR") {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(file, Path::new(&dir).join(file.file_name().unwrap())).unwrap();
    }
}

#[test]
fn the_console_capture_sees_page_errors() {
    // The control for the tests below: if Chromium stopped logging the console where we look,
    // "no console errors" would pass for nothing.
    let Some(binary) = chromium() else { return };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("probe.html");
    std::fs::write(
        &page,
        "<!DOCTYPE html><html><body><p>probe</p><script>console.error('agentgate-probe'); notDefinedAnywhere();</script></body></html>",
    )
    .unwrap();
    let output = run_chromium(&binary, &page, &["--dump-dom"]);
    let lines = console_lines(&output.stderr);
    assert!(
        lines.iter().any(|l| l.contains("agentgate-probe")),
        "console.error was not captured:\n{}",
        output.stderr
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Uncaught ReferenceError: notDefinedAnywhere")),
        "an uncaught error was not captured:\n{}",
        output.stderr
    );
    assert!(output.stdout.contains("<p>probe</p>"));
}

#[test]
fn chromium_renders_the_report_without_console_errors() {
    let Some(binary) = chromium() else { return };
    let (_out, page) = report();
    let output = run_chromium(&binary, &page, &["--dump-dom"]);
    assert_eq!(
        console_lines(&output.stderr),
        Vec::<&str>::new(),
        "the page logged to the console"
    );
    let dom = &output.stdout;
    // The rendered DOM has the control table, with rows, and both charts.
    let controls = dom
        .find("<table id=\"controls\">")
        .expect("the control table is in the rendered DOM");
    assert!(dom[controls..].contains("<td>soc2:CC6.1</td>"));
    assert!(dom.contains("aria-label=\"Findings by rule family\""));
    assert_eq!(
        dom.matches("<svg class=\"timeline\"").count(),
        1,
        "one timeline chart for 8 agents"
    );
    for lane in [
        ">adrift</text>",
        ">no review</text>",
        ">no expiry</text>",
        ">expired 146d ago</text>",
    ] {
        assert!(dom.contains(lane), "{lane} in the rendered timeline");
    }
    assert!(dom.contains("<th>rule pack</th>"));
    assert!(!dom.contains("<script"));
}

/// The share of pixels of exactly this colour.
fn share(pixels: &[[u8; 3]], colour: [u8; 3]) -> f64 {
    pixels.iter().filter(|p| **p == colour).count() as f64 / pixels.len() as f64
}

#[test]
fn the_screenshot_shows_the_report_and_its_charts() {
    let Some(binary) = chromium() else { return };
    let (out, page) = report();
    let png = out.path().join("report.png");
    let output = run_chromium(
        &binary,
        &page,
        &[
            &format!("--screenshot={}", png.display()),
            "--window-size=1280,2000",
        ],
    );
    assert_eq!(console_lines(&output.stderr), Vec::<&str>::new());
    keep(&png);
    let bytes = std::fs::read(&png).expect("chromium wrote the screenshot");
    assert!(!bytes.is_empty());
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buffer = vec![0; reader.output_buffer_size().expect("a sane size")];
    let info = reader.next_frame(&mut buffer).expect("the PNG decodes");
    assert_eq!((info.width, info.height), (1280, 2000));
    let channels = info.color_type.samples();
    assert!(channels >= 3, "{:?}", info.color_type);
    let pixels: Vec<[u8; 3]> = buffer[..info.buffer_size()]
        .chunks_exact(channels)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    // Not one colour: mostly white paper, with text and charts on it.
    let white = share(&pixels, [255, 255, 255]);
    assert!(white > 0.5 && white < 0.99, "white share {white}");
    let distinct: std::collections::BTreeSet<[u8; 3]> = pixels.iter().copied().collect();
    assert!(distinct.len() > 50, "{} colours", distinct.len());
    // The family chart's red bars and the timeline's light-blue review bars are on screen.
    assert!(share(&pixels, [0xa4, 0x00, 0x00]) > 0.001, "red bars");
    assert!(share(&pixels, [0xc6, 0xdb, 0xef]) > 0.001, "review bars");
}

#[test]
fn the_report_prints_to_pdf() {
    let Some(binary) = chromium() else { return };
    let (out, page) = report();
    let pdf = out.path().join("report.pdf");
    let output = run_chromium(
        &binary,
        &page,
        &[
            &format!("--print-to-pdf={}", pdf.display()),
            "--no-pdf-header-footer",
        ],
    );
    assert_eq!(console_lines(&output.stderr), Vec::<&str>::new());
    keep(&pdf);
    let bytes = std::fs::read(&pdf).expect("chromium wrote the PDF");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF");
    let text = String::from_utf8_lossy(&bytes);
    // Page objects, uncompressed in Chromium's PDFs: `/Type /Page`, not the `/Type /Pages` tree.
    let count = |needle: &str| text.matches(needle).count();
    let pages = count("/Type /Page") - count("/Type /Pages");
    assert!(bytes.len() > 20_000, "{} bytes", bytes.len());
    assert!(pages >= 2, "{pages} pages: the report runs over several");
}
