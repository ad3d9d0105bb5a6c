//! The HTML report: one self-contained page (no scripts, fonts, images or links) with inline-SVG
//! charts, styled to print, so that "Save as PDF" makes the auditor's copy.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use super::{timeline, Report};

/// Text as HTML shows it: the five characters that could start markup or break an attribute.
pub(super) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

/// Screen and print styles. In print: colours kept (the charts and the table headers carry
/// meaning), table headers repeated on each page, and no chart, control section, row or heading
/// split from what follows it. Only the agents table's columns of long unbroken tokens (file,
/// owner email, resources, review) may break inside a word, so that it fits a portrait page.
const STYLE: &str = "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#1b1b1b;line-height:1.4}\
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.9rem}\
th{background:#eee}td.fail{color:#a40000;font-weight:600}td.pass{color:#1f6b1f}code{font-size:.85rem;word-break:break-all}\
table.header th{white-space:nowrap;width:1%}.dirty{color:#a40000;font-weight:600}\
#agents td:nth-child(2),#agents td:nth-child(3),#agents td:nth-child(7),#agents td:nth-child(8){overflow-wrap:anywhere}\
h2{border-bottom:2px solid #333;padding-bottom:.2rem;margin-top:2rem}section.control{break-inside:avoid}\
figure.chart{margin:1rem 0;break-inside:avoid}svg.timeline{display:block;width:100%;max-width:960px;height:auto}\
@page{margin:14mm}\
@media print{body{margin:0;font-size:10pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}\
h2,h3,p.lead{break-after:avoid}thead{display:table-header-group}tr,figure.chart,svg{break-inside:avoid}\
table.header{break-inside:avoid}th,td{font-size:8.5pt}code{font-size:8pt}}";

/// Findings by rule family (the rules' METADATA `custom.family`: ownership and identity,
/// permissions, …) as an inline SVG bar chart: readable without JavaScript, and in print.
fn family_chart(report: &Report) -> String {
    let families = &report.families;
    let mut seen = BTreeSet::new();
    let mut counts = vec![0usize; families.len()];
    for c in &report.controls {
        for a in &c.failing {
            for f in &a.findings {
                if seen.insert((f.rule.clone(), f.file.clone(), f.line, f.message.clone())) {
                    if let Some(i) = families.iter().position(|(_, ids)| ids.contains(&f.rule)) {
                        counts[i] += 1;
                    }
                }
            }
        }
    }
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let row = 22;
    let height = families.len() * row + 10;
    let mut svg = format!(
        "<svg role=\"img\" aria-label=\"Findings by rule family\" width=\"560\" height=\"{height}\" viewBox=\"0 0 560 {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, ((name, _), count)) in families.iter().zip(&counts).enumerate() {
        let y = i * row + 5;
        let width = count * 300 / max;
        // A custom pack names its own families: escaped like every other text.
        let label = html(name);
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{}\" font-size=\"12\">{label}</text><rect x=\"190\" y=\"{y}\" width=\"{width}\" height=\"16\" fill=\"#a40000\"/><text x=\"{}\" y=\"{}\" font-size=\"12\">{count}</text>",
            y + 13,
            195 + width,
            y + 13
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One self-contained HTML file: no scripts, fonts, images or links to fetch; styled for print.
pub fn render_html(report: &Report) -> String {
    let h = &report.header;
    let mut out = String::from("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>agentgate compliance report</title>");
    let _ = write!(out, "<style>{STYLE}</style></head><body>");
    out.push_str("<h1>agentgate compliance report</h1><table class=\"header\">");
    let config = match (&h.config_file, &h.config_digest) {
        (Some(file), Some(digest)) => format!("{} <code>{}</code>", html(file), html(digest)),
        _ => "defaults (no configuration file)".into(),
    };
    for (key, value) in [
        ("repository", html(&h.repository)),
        (
            "commit",
            if h.dirty {
                format!("<span class=\"dirty\">{}</span>", html(&h.commit_text()))
            } else {
                html(&h.commit_text())
            },
        ),
        ("date", html(&h.date)),
        ("agentgate", html(&h.agentgate_version)),
    ] {
        let _ = write!(out, "<tr><th>{key}</th><td>{value}</td></tr>");
    }
    for pack in &h.packs {
        let _ = write!(
            out,
            "<tr><th>rule pack</th><td>{} <code>{}</code> ({} Rego files)</td></tr>",
            html(&pack.label()),
            html(&pack.digest),
            pack.files
        );
    }
    for (key, value) in [("configuration", config), ("framework", html(&h.framework))] {
        let _ = write!(out, "<tr><th>{key}</th><td>{value}</td></tr>");
    }
    out.push_str("</table><h2>Findings by rule family</h2><figure class=\"chart\">");
    out.push_str(&family_chart(report));
    let _ = write!(
        out,
        "</figure><h2>Review ages and expiries</h2><p class=\"lead\">Each agent's last security review and the {} days it stays valid (<code>maxReviewAge</code>), and its expiry date (<code>lifecycle.expires</code>), from {} days before today to {} days after.</p>",
        report.max_review_age_days,
        timeline::PAST,
        timeline::FUTURE
    );
    out.push_str(&timeline::render(
        &report.agents,
        report.today,
        report.max_review_age_days,
    ));
    out.push_str("<h2>Controls</h2><table id=\"controls\"><thead><tr><th>control</th><th>title</th><th>rules</th><th>agents passing</th><th>agents failing</th><th>other files failing</th></tr></thead><tbody>");
    for c in &report.controls {
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}{}</td><td>{}</td><td class=\"pass\">{}</td><td class=\"{}\">{}</td><td class=\"{}\">{}</td></tr>",
            html(&c.id),
            html(&c.title),
            if c.label == "supports" { " <em>(supports)</em>" } else { "" },
            html(&c.rules.join(", ")),
            c.agents_passing,
            if c.agents_failing > 0 { "fail" } else { "pass" },
            c.agents_failing,
            if c.files_failing > 0 { "fail" } else { "pass" },
            c.files_failing
        );
    }
    out.push_str("</tbody></table>");
    for c in report
        .controls
        .iter()
        .filter(|c| !c.failing.is_empty() || !c.failing_files.is_empty() || !c.waivers.is_empty())
    {
        let _ = write!(
            out,
            "<section class=\"control\"><h3>{} {}</h3><ul>",
            html(&c.id),
            html(&c.title)
        );
        let list = |out: &mut String, findings: &[crate::report::FailingFinding]| {
            for f in findings {
                let _ = write!(
                    out,
                    "<li>{} at {}:{}: {}</li>",
                    html(&f.rule),
                    html(&f.file),
                    f.line,
                    html(&f.message)
                );
            }
            out.push_str("</ul></li>");
        };
        for a in &c.failing {
            let _ = write!(
                out,
                "<li><strong>{}</strong> ({})<ul>",
                html(&a.agent),
                html(&a.file)
            );
            list(&mut out, &a.findings);
        }
        for file in &c.failing_files {
            let _ = write!(
                out,
                "<li><strong>{}</strong> (no agent manifest)<ul>",
                html(&file.file)
            );
            list(&mut out, &file.findings);
        }
        for w in &c.waivers {
            let _ = write!(
                out,
                "<li>waiver of {} for {} at {}: {} (approved by {}, expires {})</li>",
                html(&w.rule),
                html(&w.agent),
                html(&w.path),
                html(&w.reason),
                html(&w.approved_by),
                html(&w.expires)
            );
        }
        out.push_str("</ul></section>");
    }
    out.push_str("<h2>Agents</h2><table id=\"agents\"><thead><tr><th>agent</th><th>file</th><th>owner</th><th>team</th><th>status</th><th>expires</th><th>resources</th><th>review</th><th>findings</th></tr></thead><tbody>");
    for r in &report.agents {
        let review = if r.reviewer.is_empty() {
            "none".to_string()
        } else {
            format!(
                "{} {}{}",
                r.reviewer,
                r.review_date,
                if r.review_stale { " (stale)" } else { "" }
            )
        };
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}, {}</td></tr>",
            html(&r.name),
            html(&r.file),
            html(&r.owner_email),
            html(&r.team),
            html(&r.status),
            html(&r.expires),
            html(&r.resources.join("; ")),
            html(&review),
            crate::units::count(r.errors, "error"),
            crate::units::count(r.warnings, "warning")
        );
    }
    out.push_str("</tbody></table></body></html>\n");
    out
}
