//! The HTML report's timeline of review ages and expiries: one lane per agent on one time axis,
//! from half a year before today to a year after, as inline SVG (no script). Every state has a
//! shape or a dash pattern as well as a colour, and every lane says in words what it draws, so
//! the chart reads in black-and-white print and to a screen reader.

use std::fmt::Write as _;

use super::html::html;
use crate::inventory::Row;
use crate::units::format_date;

/// The window, in days around today: reviews look back (the default `maxReviewAge` is 180
/// days), expiries look ahead (the default `maxLifetime` is 365 days).
pub const PAST: i64 = 180;
pub const FUTURE: i64 = 365;
/// Agents per chart: each chart stays whole on a printed page, so a long inventory becomes
/// several charts rather than one that a page break cuts through.
const LANES_PER_CHART: usize = 25;

/// The geometry, in SVG user units. The track has one unit per day, so positions are exact
/// integers and the output is the same on every run.
const WIDTH: i64 = 960;
const TRACK_X: i64 = 220;
const TRACK_END: i64 = TRACK_X + PAST + FUTURE;
const DETAIL_X: i64 = TRACK_END + 24;
const TOP: i64 = 44;
const LANE: i64 = 30;
const LEGEND: i64 = 34;

const BLUE: &str = "#2166ac";
const LIGHT_BLUE: &str = "#c6dbef";
const RED: &str = "#a40000";
const LIGHT_RED: &str = "#fde0dd";
const INK: &str = "#1b1b1b";
const GREY: &str = "#666";
/// A white outline behind text drawn over the track, so a bar under it cannot hide it.
const HALO: &str = "paint-order=\"stroke\" stroke=\"#fff\" stroke-width=\"3\"";

/// What a lane knows about an agent's review.
enum Review {
    None,
    /// A review without a readable date (empty or not `YYYY-MM-DD`).
    Undated,
    /// Reviewed this many days before today (negative: dated in the future).
    Age(i64),
}

/// What a lane knows about an agent's expiry.
enum Expiry {
    None,
    Unreadable,
    /// Expires this many days after today (negative: expired).
    In(i64),
}

struct Lane<'a> {
    row: &'a Row,
    review: Review,
    expiry: Expiry,
}

impl<'a> Lane<'a> {
    fn new(row: &'a Row) -> Self {
        let review = match row.review_age_days {
            Some(age) => Review::Age(age),
            None if row.reviewer.is_empty() && row.review_date.is_empty() => Review::None,
            None => Review::Undated,
        };
        let expiry = match row.expires_in_days {
            Some(days) => Expiry::In(days),
            None if row.expires.is_empty() => Expiry::None,
            None => Expiry::Unreadable,
        };
        Lane {
            row,
            review,
            expiry,
        }
    }

    /// The review as a few words, and whether it is a problem.
    fn review_text(&self, max_age: i64) -> (String, bool) {
        match self.review {
            Review::None => ("no review".into(), true),
            Review::Undated => ("review date unreadable".into(), true),
            Review::Age(age) if age < 0 => {
                (format!("review dated in {}d", age.unsigned_abs()), true)
            }
            Review::Age(age) if age > max_age => (format!("reviewed {age}d ago (overdue)"), true),
            Review::Age(age) => (format!("reviewed {age}d ago"), false),
        }
    }

    fn expiry_text(&self) -> (String, bool) {
        match self.expiry {
            Expiry::None => ("no expiry".into(), true),
            Expiry::Unreadable => ("expiry unreadable".into(), true),
            Expiry::In(days) if days < 0 => (format!("expired {}d ago", days.unsigned_abs()), true),
            Expiry::In(0) => ("expires today".into(), false),
            Expiry::In(days) => (format!("expires in {days}d"), false),
        }
    }

    /// The lane in one sentence, for its `<title>` (a tooltip, and what assistive technology
    /// reads).
    fn sentence(&self, max_age: i64) -> String {
        let row = self.row;
        let review = match self.review {
            Review::None => "no security review".to_string(),
            Review::Undated => format!("a review by {} without a readable date", row.reviewer),
            Review::Age(age) => format!(
                "reviewed by {} on {}, {}, {}",
                row.reviewer,
                row.review_date,
                days_phrase(age.saturating_neg()),
                if age < 0 {
                    "which is after today".to_string()
                } else if age > max_age {
                    format!("older than the maximum review age of {max_age} days")
                } else {
                    format!("within the maximum review age of {max_age} days")
                }
            ),
        };
        let expiry = match self.expiry {
            Expiry::None => "no expiry date".to_string(),
            Expiry::Unreadable => format!("an unreadable expiry date {:?}", row.expires),
            Expiry::In(days) if days < 0 => {
                format!("expired on {}, {}", row.expires, days_phrase(days))
            }
            Expiry::In(days) => format!("expires on {}, {}", row.expires, days_phrase(days)),
        };
        format!("{} ({}): {review}; {expiry}.", row.name, row.file)
    }
}

/// `21 days ago`, `today`, `in 189 days`.
fn days_phrase(offset: i64) -> String {
    match offset {
        0 => "today".into(),
        1 => "in 1 day".into(),
        -1 => "1 day ago".into(),
        d if d < 0 => format!("{} days ago", d.unsigned_abs()),
        d => format!("in {d} days"),
    }
}

/// The x of a day (relative to today), held inside the window.
fn x(offset: i64) -> i64 {
    TRACK_X + offset.clamp(-PAST, FUTURE) + PAST
}

/// At most `max` characters, with an ellipsis when cut (the lane's title has the full text).
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A triangle at the edge of the track pointing out of the window: the date lies beyond it.
fn arrow(svg: &mut String, left: bool, tip_x: i64, mid: i64, fill: &str) {
    let step = if left { 7 } else { -7 };
    let _ = write!(
        svg,
        "<path d=\"M{tip_x} {mid} l{step} -5 v10 z\" fill=\"{fill}\"/>"
    );
}

fn diamond(svg: &mut String, cx: i64, mid: i64, fill: &str, stroke: &str, dashed: bool) {
    let _ = write!(
        svg,
        "<path d=\"M{cx} {} l6 7 l-6 7 l-6 -7 z\" fill=\"{fill}\" stroke=\"{stroke}\"{}/>",
        mid - 7,
        if dashed {
            " stroke-dasharray=\"2 2\""
        } else {
            ""
        }
    );
}

fn lane(svg: &mut String, lane: &Lane<'_>, index: usize, max_age: i64) {
    let y = TOP + i64::try_from(index).unwrap_or(0) * LANE;
    let mid = y + 15;
    let row = lane.row;
    svg.push_str("<g>");
    let _ = write!(svg, "<title>{}</title>", html(&lane.sentence(max_age)));
    if index % 2 == 1 {
        let _ = write!(
            svg,
            "<rect x=\"0\" y=\"{y}\" width=\"{WIDTH}\" height=\"{LANE}\" fill=\"#f2f2f2\"/>"
        );
    }
    let status = if row.status.is_empty() {
        row.file.clone()
    } else {
        format!("{} · {}", row.status, row.file)
    };
    let _ = write!(
        svg,
        "<text x=\"0\" y=\"{}\" font-size=\"12\" font-weight=\"600\">{}</text><text x=\"0\" y=\"{}\" font-size=\"10\" fill=\"{GREY}\">{}</text>",
        y + 13,
        html(&clip(&row.name, 30)),
        y + 26,
        html(&clip(&status, 40)),
    );
    let _ = write!(
        svg,
        "<line x1=\"{TRACK_X}\" y1=\"{mid}\" x2=\"{TRACK_END}\" y2=\"{mid}\" stroke=\"#bbb\"/>"
    );

    match lane.review {
        Review::Age(age) => {
            let overdue = age < 0 || age > max_age;
            let (fill, stroke) = if overdue {
                (LIGHT_RED, RED)
            } else {
                (LIGHT_BLUE, BLUE)
            };
            let (start, due) = (age.saturating_neg(), max_age.saturating_sub(age));
            // The bar is the time the review stays valid: from its date to maxReviewAge later.
            if due >= -PAST && start <= FUTURE {
                let _ = write!(
                    svg,
                    "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"10\" fill=\"{fill}\" stroke=\"{stroke}\"{}/>",
                    x(start),
                    mid - 5,
                    (x(due) - x(start)).max(1),
                    if overdue {
                        " stroke-dasharray=\"4 2\""
                    } else {
                        ""
                    }
                );
            }
            if start < -PAST {
                arrow(svg, true, TRACK_X - 9, mid, stroke);
            } else if start > FUTURE {
                arrow(svg, false, TRACK_END + 9, mid, stroke);
            } else {
                let _ = write!(
                    svg,
                    "<circle cx=\"{}\" cy=\"{mid}\" r=\"4.5\" fill=\"{stroke}\" stroke=\"#fff\"/>",
                    x(start)
                );
            }
        }
        Review::None | Review::Undated => {
            let _ = write!(
                svg,
                "<circle cx=\"{}\" cy=\"{mid}\" r=\"4.5\" fill=\"#fff\" stroke=\"{RED}\" stroke-dasharray=\"2 2\"/><text x=\"{}\" y=\"{}\" font-size=\"10\" font-style=\"italic\" fill=\"{RED}\" {HALO}>{}</text>",
                TRACK_X + 6,
                TRACK_X + 14,
                mid + 4,
                if matches!(lane.review, Review::None) {
                    "no review"
                } else {
                    "review date unreadable"
                }
            );
        }
    }

    match lane.expiry {
        Expiry::In(days) => {
            let fill = if days < 0 { RED } else { INK };
            // Outside the review's own arrows, so the two never cover each other.
            if days > FUTURE {
                arrow(svg, false, TRACK_END + 18, mid, fill);
            } else if days < -PAST {
                arrow(svg, true, TRACK_X - 18, mid, fill);
            } else {
                diamond(svg, x(days), mid, fill, "#fff", false);
            }
        }
        Expiry::None | Expiry::Unreadable => {
            diamond(svg, TRACK_END - 6, mid, "#fff", RED, true);
            let _ = write!(
                svg,
                "<text x=\"{}\" y=\"{}\" font-size=\"10\" font-style=\"italic\" fill=\"{RED}\" text-anchor=\"end\" {HALO}>{}</text>",
                TRACK_END - 15,
                mid + 4,
                if matches!(lane.expiry, Expiry::None) {
                    "no expiry"
                } else {
                    "expiry unreadable"
                }
            );
        }
    }

    for (line, (text, problem)) in [lane.review_text(max_age), lane.expiry_text()]
        .into_iter()
        .enumerate()
    {
        let _ = write!(
            svg,
            "<text x=\"{DETAIL_X}\" y=\"{}\" font-size=\"11\" fill=\"{}\">{}</text>",
            y + 13 + i64::try_from(line).unwrap_or(0) * 12,
            if problem { RED } else { INK },
            html(&text)
        );
    }
    svg.push_str("</g>");
}

/// The axis: ticks every 90 days with the offset and the date, and the dashed line of today.
fn axis(svg: &mut String, today: i64, bottom: i64) {
    for offset in [-180, -90, 0, 90, 180, 270, 365] {
        let tick = x(offset);
        let label = match offset {
            0 => "today".to_string(),
            o if o < 0 => format!("−{}d", -o),
            o => format!("+{o}d"),
        };
        let _ = write!(
            svg,
            "<text x=\"{tick}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\"{}>{label}</text><text x=\"{tick}\" y=\"28\" font-size=\"10\" fill=\"{GREY}\" text-anchor=\"middle\">{}</text>",
            if offset == 0 { " font-weight=\"700\"" } else { "" },
            format_date(today + offset)
        );
        if offset != 0 {
            let _ = write!(
                svg,
                "<line x1=\"{tick}\" y1=\"{}\" x2=\"{tick}\" y2=\"{bottom}\" stroke=\"#ddd\"/>",
                TOP - 8
            );
        }
    }
}

/// The line of today, drawn last so that it stays visible over the lanes.
fn today_line(svg: &mut String, bottom: i64) {
    let _ = write!(
        svg,
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{bottom}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
        x(0),
        TOP - 8
    );
}

fn legend(svg: &mut String, y: i64, max_age: i64) {
    let mid = y + 10;
    let mut at = 0;
    let label = |svg: &mut String, at: &mut i64, text: &str| {
        let _ = write!(
            svg,
            "<text x=\"{}\" y=\"{}\" font-size=\"10\">{}</text>",
            *at + 18,
            mid + 4,
            html(text)
        );
        // About 5.6 units a character at this size, plus the gap to the next entry.
        *at += 18 + i64::try_from(text.chars().count()).unwrap_or(0) * 6 + 14;
    };
    let _ = write!(
        svg,
        "<circle cx=\"{}\" cy=\"{mid}\" r=\"4.5\" fill=\"{BLUE}\"/>",
        at + 7
    );
    label(svg, &mut at, "last review");
    let _ = write!(
        svg,
        "<rect x=\"{at}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{LIGHT_BLUE}\" stroke=\"{BLUE}\"/>",
        mid - 5
    );
    label(svg, &mut at, &format!("review valid ({max_age} days)"));
    let _ = write!(
        svg,
        "<rect x=\"{at}\" y=\"{}\" width=\"14\" height=\"10\" fill=\"{LIGHT_RED}\" stroke=\"{RED}\" stroke-dasharray=\"4 2\"/>",
        mid - 5
    );
    label(svg, &mut at, "review overdue");
    diamond(svg, at + 7, mid, INK, "#fff", false);
    label(svg, &mut at, "expiry");
    diamond(svg, at + 7, mid, RED, "#fff", false);
    label(svg, &mut at, "expired");
    diamond(svg, at + 7, mid, "#fff", RED, true);
    label(svg, &mut at, "none");
    let _ = write!(
        svg,
        "<line x1=\"{at}\" y1=\"{}\" x2=\"{at}\" y2=\"{}\" stroke=\"{INK}\" stroke-width=\"1.5\" stroke-dasharray=\"5 3\"/>",
        mid - 7,
        mid + 7
    );
    label(svg, &mut at, "today");
    arrow(svg, false, at + 9, mid, INK);
    label(svg, &mut at, "beyond the window");
}

/// The timeline charts, agents sorted by name then file, [`LANES_PER_CHART`] to a chart.
pub fn render(rows: &[Row], today: i64, max_age: i64) -> String {
    let mut lanes: Vec<Lane<'_>> = rows.iter().map(Lane::new).collect();
    lanes.sort_by(|a, b| (&a.row.name, &a.row.file).cmp(&(&b.row.name, &b.row.file)));
    if lanes.is_empty() {
        return "<p>No agents.</p>".into();
    }
    let charts = lanes.len().div_ceil(LANES_PER_CHART);
    let mut out = String::new();
    for (chart, chunk) in lanes.chunks(LANES_PER_CHART).enumerate() {
        let count = i64::try_from(chunk.len()).unwrap_or(0);
        let bottom = TOP + count * LANE;
        let height = bottom + LEGEND;
        let first = chart * LANES_PER_CHART + 1;
        let title = if charts == 1 {
            "Review ages and expiries".to_string()
        } else {
            format!(
                "Review ages and expiries, agents {first} to {} of {}",
                first + chunk.len() - 1,
                lanes.len()
            )
        };
        let _ = write!(
            out,
            "<figure class=\"chart\"><svg class=\"timeline\" role=\"img\" aria-labelledby=\"timeline-{chart}-title timeline-{chart}-desc\" width=\"{WIDTH}\" height=\"{height}\" viewBox=\"0 0 {WIDTH} {height}\" font-family=\"system-ui, sans-serif\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"timeline-{chart}-title\">{title}</title><desc id=\"timeline-{chart}-desc\">One lane per agent on a time axis from {} to {}; the dashed line is today, {}. A circle marks the last review and the bar after it the {max_age} days it stays valid (dashed and red once overdue). A diamond marks the expiry date, red when expired. An arrow at either end marks a date beyond the window. The text at the right of each lane gives the review age and the days to expiry.</desc>",
            format_date(today - PAST),
            format_date(today + FUTURE),
            format_date(today),
        );
        axis(&mut out, today, bottom);
        for (index, l) in chunk.iter().enumerate() {
            lane(&mut out, l, index, max_age);
        }
        today_line(&mut out, bottom);
        legend(&mut out, bottom + 10, max_age);
        out.push_str("</svg></figure>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, review_age: Option<i64>, expires_in: Option<i64>) -> Row {
        Row {
            name: name.into(),
            file: format!("agents/{name}.agent.yaml"),
            purpose: String::new(),
            owner: String::new(),
            owner_email: String::new(),
            backup_owner: String::new(),
            backup_owner_email: String::new(),
            team: String::new(),
            status: "active".into(),
            expires: expires_in
                .map(|d| format_date(20_000 + d))
                .unwrap_or_default(),
            expires_in_days: expires_in,
            identity_type: String::new(),
            identity_id: String::new(),
            resources: Vec::new(),
            actions: Vec::new(),
            high_consequence: Vec::new(),
            credentials: Vec::new(),
            data_classes: Vec::new(),
            worst_case: String::new(),
            reversible: None,
            external_reach: None,
            delegates_to: Vec::new(),
            delegated_by: Vec::new(),
            reviewer: review_age
                .map(|_| "sec@example.com".into())
                .unwrap_or_default(),
            review_date: review_age
                .map(|a| format_date(20_000 - a))
                .unwrap_or_default(),
            review_age_days: review_age,
            review_stale: false,
            review_signature: String::new(),
            review_signature_reason: String::new(),
            review_findings: Vec::new(),
            errors: 0,
            warnings: 0,
        }
    }

    #[test]
    fn lanes_are_sorted_and_say_what_they_draw() {
        let rows = [
            row("zeta", Some(21), Some(189)),
            row("alpha", Some(400), Some(-12)),
            row("mid", None, None),
        ];
        let svg = render(&rows, 20_000, 180);
        let (a, m, z) = (
            svg.find(">alpha<").unwrap(),
            svg.find(">mid<").unwrap(),
            svg.find(">zeta<").unwrap(),
        );
        assert!(a < m && m < z, "sorted by name");
        assert!(svg.contains("reviewed 21d ago</text>"));
        assert!(svg.contains("expires in 189d</text>"));
        assert!(svg.contains("reviewed 400d ago (overdue)</text>"));
        assert!(svg.contains("expired 12d ago</text>"));
        assert!(svg.contains(">no review</text>") && svg.contains(">no expiry</text>"));
        // A review 400 days old is left of the window: an arrow, not a circle at the edge.
        assert!(svg.contains(&format!("<path d=\"M{} ", TRACK_X - 9)));
        // Same input, same bytes.
        assert_eq!(svg, render(&rows, 20_000, 180));
    }

    #[test]
    fn a_review_and_an_expiry_both_beyond_the_window_get_an_arrow_each() {
        // Reviewed 500 days in the future, expiring in 1,000: both arrows at the right end.
        let svg = render(&[row("x", Some(-500), Some(1_000))], 20_000, 180);
        assert!(svg.contains(&format!("<path d=\"M{} ", TRACK_END + 9)));
        assert!(svg.contains(&format!("<path d=\"M{} ", TRACK_END + 18)));
    }

    #[test]
    fn long_inventories_are_split_into_charts_that_fit_a_page() {
        let rows: Vec<Row> = (0..60)
            .map(|i| row(&format!("agent-{i:02}"), Some(i), Some(i * 10)))
            .collect();
        let svg = render(&rows, 20_000, 180);
        assert_eq!(svg.matches("<svg ").count(), 3);
        assert!(svg.contains("agents 51 to 60 of 60"));
    }

    #[test]
    fn extreme_values_do_not_panic() {
        let rows = [row("x", Some(i64::MAX / 4), Some(i64::MIN / 4))];
        let svg = render(&rows, 20_000, i64::MAX);
        assert!(svg.contains("<svg "));
    }
}
