//! Durations and calendar dates as manifests and configuration write them, and counts as
//! people read them.

const DAY: u64 = 86_400;

/// `1 error`, `2 errors`, `0 agents`: a count with its noun, singular only for one. Every
/// summary uses it, so no output says "1 errors".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Seconds in a duration written `30s`, `15m`, `1h`, `7d`, `12w` or ISO-8601 (`PT1H`, `P30D`,
/// `P1DT12H`). `never`, `0` and anything else unparsable give `None`: none of them is a TTL.
/// ISO years and months count as 365 and 30 days, the upper reading a reviewer would assume.
pub fn parse_duration(text: &str) -> Option<u64> {
    let text = text.trim();
    let seconds = match text.strip_prefix(['P', 'p']) {
        Some(iso) => parse_iso_duration(iso)?,
        None => parse_short_duration(text)?,
    };
    (seconds > 0).then_some(seconds)
}

fn parse_short_duration(text: &str) -> Option<u64> {
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = text.split_at(split);
    let unit_seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => DAY,
        "w" => 7 * DAY,
        _ => return None,
    };
    number.parse::<u64>().ok()?.checked_mul(unit_seconds)
}

fn parse_iso_duration(body: &str) -> Option<u64> {
    let (date_part, time_part) = match body.split_once(['T', 't']) {
        Some((d, t)) if !t.is_empty() => (d, Some(t)),
        Some(_) => return None,
        None => (body, None),
    };
    let date_units = [
        ('Y', 365 * DAY),
        ('M', 30 * DAY),
        ('W', 7 * DAY),
        ('D', DAY),
    ];
    let mut total = sum_designators(date_part, &date_units)?;
    if let Some(time) = time_part {
        total = total.checked_add(sum_designators(time, &[('H', 3_600), ('M', 60), ('S', 1)])?)?;
    }
    (!body.is_empty()).then_some(total)
}

/// Adds up `12D3H`-style components, each designator at most once and in the given order.
fn sum_designators(text: &str, units: &[(char, u64)]) -> Option<u64> {
    let mut total: u64 = 0;
    let mut rest = text;
    let mut next_unit = 0;
    while !rest.is_empty() {
        let split = rest.find(|c: char| !c.is_ascii_digit())?;
        let (number, tail) = rest.split_at(split);
        let designator = tail.chars().next()?.to_ascii_uppercase();
        let position = units[next_unit..]
            .iter()
            .position(|(d, _)| *d == designator)?;
        let (_, unit_seconds) = units[next_unit + position];
        next_unit += position + 1;
        total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(unit_seconds)?)?;
        rest = &tail[1..];
    }
    Some(total)
}

/// `--today` and other date arguments: days since 1970-01-01, or the message the command line
/// shows.
pub fn parse_date_arg(text: &str) -> Result<i64, String> {
    parse_date(text).ok_or_else(|| format!("{text:?} is not a date; write YYYY-MM-DD"))
}

/// Days since 1970-01-01 of an ISO-8601 `YYYY-MM-DD` date, if it is a real calendar date.
pub fn parse_date(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    let digits = bytes
        .iter()
        .enumerate()
        .all(|(i, b)| matches!(i, 4 | 7) || b.is_ascii_digit());
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' || !digits {
        return None;
    }
    let year: i64 = text[0..4].parse().ok()?;
    let month: u32 = text[5..7].parse().ok()?;
    let day: u32 = text[8..10].parse().ok()?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DD` of a day count since 1970-01-01.
pub fn format_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Today's UTC date as days since 1970-01-01.
pub fn today_utc() -> i64 {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    i64::try_from(seconds / DAY).unwrap_or(0)
}

pub const SECONDS_PER_DAY: i64 = DAY as i64;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (text, seconds) in [
            ("30s", Some(30)),
            ("15m", Some(900)),
            ("1h", Some(3600)),
            ("7d", Some(604_800)),
            ("12w", Some(7_257_600)),
            ("PT1H", Some(3600)),
            ("P30D", Some(2_592_000)),
            ("P1DT12H", Some(129_600)),
            ("PT90M", Some(5400)),
            ("P1Y", Some(31_536_000)),
            ("never", None),
            ("0", None),
            ("0h", None),
            ("1x", None),
            ("P", None),
            ("PT", None),
            ("P1H", None),
            ("PT1D", None),
            ("1h30m", None),
            ("99999999999999999999d", None),
        ] {
            assert_eq!(parse_duration(text), seconds, "{text}");
        }
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2024-02-29").map(format_date).as_deref(),
            Some("2024-02-29")
        );
        assert_eq!(parse_date("2023-02-29"), None);
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        // Only digits: Rust's integer parsing would take signs.
        assert_eq!(parse_date("2026-+1-+5"), None);
        assert_eq!(parse_date("-001-01-01"), None);
        assert_eq!(parse_date("+026-01-01"), None);
        let a = parse_date("2026-11-23").unwrap();
        let b = parse_date("2027-05-31").unwrap();
        assert_eq!(b - a, 189);
        assert_eq!(format_date(a), "2026-11-23");
    }
}
