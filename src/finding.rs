//! What every stage produces and every renderer consumes: findings against rules, and problems
//! (files that cannot be read, bad configuration, broken policies) that make the run exit 2.

use std::sync::Arc;

use crate::rule::{RuleMeta, Severity};
use crate::source::{SourceFile, Span};

/// A place in a source file: where a line/column points, and what a snippet underlines.
#[derive(Debug, Clone)]
pub struct Place {
    pub source: Arc<SourceFile>,
    pub at: usize,
    pub label: Span,
}

impl Place {
    pub fn line_column(&self) -> (usize, usize) {
        let pos = self.source.pos(self.at);
        (pos.line, pos.column)
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub slug: String,
    pub severity: Severity,
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub agent: Option<String>,
    pub path: String,
    pub message: String,
    pub help: String,
    pub controls: Vec<String>,
    pub place: Place,
    /// The value at `place.label` is a secret: renderers must never show it.
    pub redact: bool,
    /// Other files the finding stands for (a code footprint is one per service folder, located
    /// at its first file): a partial run reports it when any of them changed.
    pub also: Vec<std::path::PathBuf>,
}

impl Finding {
    /// A finding of `rule` at `place`, with the rule's severity, fix and controls.
    pub fn of_rule(
        rule: &RuleMeta,
        place: Place,
        agent: Option<String>,
        path: String,
        message: String,
        redact: bool,
    ) -> Finding {
        let (line, column) = place.line_column();
        Finding {
            rule: rule.id.clone(),
            slug: rule.slug.clone(),
            severity: rule.severity,
            file: place.source.display.clone(),
            line,
            column,
            agent,
            path,
            message,
            help: rule.fix.clone(),
            controls: rule.controls.clone(),
            place,
            redact,
            also: Vec::new(),
        }
    }

    /// The order findings are reported in: by file, schema violations (AG000) first (a
    /// misspelled field is what makes the rules report it missing, so the cause reads before
    /// its effects), then by place.
    pub fn sort_key(&self) -> (&str, bool, usize, usize, &str, &str, &str) {
        (
            &self.file,
            self.rule != crate::rule::BuiltinRule::Schema.id(),
            self.line,
            self.column,
            &self.rule,
            &self.path,
            &self.message,
        )
    }
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub place: Option<Place>,
}

/// Problems as `error: FILE:LINE:COLUMN: MESSAGE` lines, for commands that print them and exit 2
/// (file names and messages come from the repository: escaped for a terminal and a CI log).
pub fn problems_text(problems: &[Problem]) -> String {
    let shown = |text: &str| crate::escape::visible_controls(text, false);
    let text: String = problems
        .iter()
        .map(|p| {
            format!(
                "error: {}:{}:{}: {}\n",
                shown(&p.file),
                p.line,
                p.column,
                shown(&p.message)
            )
        })
        .collect();
    crate::escape::without_workflow_commands(&text)
}

impl Problem {
    /// A problem at a place in a file the user can open.
    pub fn at(
        source: &Arc<SourceFile>,
        at: usize,
        label: Span,
        message: impl Into<String>,
    ) -> Self {
        let place = Place {
            source: source.clone(),
            at,
            label,
        };
        let (line, column) = place.line_column();
        Problem {
            file: source.display.clone(),
            line,
            column,
            message: message.into(),
            place: Some(place),
        }
    }

    /// A problem about a file or setting as a whole.
    pub fn whole(file: impl Into<String>, message: impl Into<String>) -> Self {
        Problem {
            file: file.into(),
            line: 1,
            column: 1,
            message: message.into(),
            place: None,
        }
    }

    pub fn sort_key(&self) -> (&str, usize, usize, &str) {
        (&self.file, self.line, self.column, &self.message)
    }
}
