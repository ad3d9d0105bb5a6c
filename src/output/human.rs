//! The default output: one miette diagnostic per finding, with the source snippet, the label on
//! the exact token, the fix as help and the controls the rule evidences.

use std::collections::BTreeMap;
use std::fmt;

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan,
};

use crate::check::Outcome;
use crate::finding::{Finding, Place, Problem};
use crate::rule::Severity;
use crate::source::SourceFile;

struct Rendered {
    code: String,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    label: Option<(SourceSpan, String)>,
    source: Option<NamedSource<String>>,
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let (span, text) = self.label.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(text),
            span,
        ))))
    }
}

fn snippet(
    place: &Place,
    text: String,
    label: String,
) -> (Option<NamedSource<String>>, Option<(SourceSpan, String)>) {
    // Control characters become visible pictures, one character each, so the label's
    // character span still points at the same token.
    let masked = SourceFile::new(
        place.source.path.clone(),
        place.source.display.clone(),
        crate::escape::visible_controls(&text, true),
    );
    let range = masked.byte_range(place.label);
    let span = SourceSpan::from(range.start..range.end.max(range.start));
    let source = NamedSource::new(
        crate::escape::visible_controls(&place.source.display, false),
        masked.text.to_string(),
    );
    (Some(source), Some((span, label)))
}

fn finding_diagnostic(finding: &Finding, text: String) -> Rendered {
    let (source, label) = snippet(&finding.place, text, finding.slug.clone());
    let mut help = finding.help.clone();
    if !finding.controls.is_empty() {
        help.push_str(&format!("\ncontrols: {}", finding.controls.join(", ")));
    }
    Rendered {
        code: format!("{} {}", finding.rule, finding.slug),
        message: crate::escape::visible_controls(&finding.message, false),
        severity: match finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        },
        help: Some(help),
        label,
        source,
    }
}

fn problem_diagnostic(problem: &Problem) -> Rendered {
    let (source, label) = match &problem.place {
        Some(place) => snippet(place, place.source.text.to_string(), "here".into()),
        None => (None, None),
    };
    let message = match &problem.place {
        Some(_) => problem.message.clone(),
        None => format!("{}: {}", problem.file, problem.message),
    };
    let message = crate::escape::visible_controls(&message, false);
    Rendered {
        code: "error".into(),
        message,
        severity: miette::Severity::Error,
        help: None,
        label,
        source,
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // Control ids contain hyphens (owasp-nhi:NHI2): break lines at spaces only.
    GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

pub fn render(outcome: &Outcome, color: bool) -> String {
    let handler = handler(color);
    let mut out = String::new();
    let mut by_file: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    for f in &outcome.findings {
        by_file.entry(f.file.as_str()).or_default().push(f);
    }
    let masked: BTreeMap<&str, String> = by_file
        .iter()
        .map(|(file, fs)| (*file, super::masked_text(&fs[0].place.source, fs)))
        .collect();
    for finding in &outcome.findings {
        let text = masked
            .get(finding.file.as_str())
            .cloned()
            .unwrap_or_default();
        let _ = handler.render_report(&mut out, &finding_diagnostic(finding, text));
        out.push('\n');
    }
    for problem in &outcome.problems {
        let _ = handler.render_report(&mut out, &problem_diagnostic(problem));
        out.push('\n');
    }
    if !outcome.waived.is_empty() {
        out.push_str(&format!(
            "waived ({}): not counted against failOn\n",
            outcome.waived.len()
        ));
        for waived in &outcome.waived {
            let (f, w) = (&waived.finding, &waived.waiver);
            out.push_str(&format!(
                "  {}:{}:{} {} {}: {}\n    waived until {} by {}: {}\n",
                crate::escape::visible_controls(&f.file, false),
                f.line,
                f.column,
                f.rule,
                f.slug,
                crate::escape::visible_controls(&f.message, false),
                w.expires,
                crate::escape::visible_controls(&w.approved_by, false),
                crate::escape::visible_controls(&w.reason, false)
            ));
        }
        out.push('\n');
    }
    for note in &outcome.notes {
        out.push_str(&format!(
            "note: {}\n",
            crate::escape::visible_controls(note, false)
        ));
    }
    out.push_str(&super::summary_line(outcome));
    out.push('\n');
    crate::escape::without_workflow_commands(&out)
}
