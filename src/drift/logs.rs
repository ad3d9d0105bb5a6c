//! Audit log readers: native JSON Lines (one event a line, read as a stream, gzip too), AWS
//! CloudTrail record files (`{"Records": [...]}`) and the Okta System Log export (a JSON array).
//! Each event reaches the caller with the line it starts on; an event that cannot be read is an
//! error naming the file and line (fail closed: a skipped line could be the one that matters).

use std::borrow::Cow;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use crate::finding::Problem;
use crate::units::parse_date;

/// Allowed, or denied (an attempt: it still counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Allowed,
    Denied,
}

/// One audit event, as the drift comparison needs it.
/// Its text is borrowed from the line read where it can be: the JSON Lines reader allocates
/// nothing per event.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    /// Seconds since 1970-01-01 UTC.
    pub time: i64,
    /// The identity the event names (CloudTrail: the ARN; Okta: the actor's alternateId); an
    /// unknown identity is reported by it.
    pub identity: Cow<'a, str>,
    /// A second identity of the same actor (CloudTrail: the principal id; Okta: the actor id).
    pub alternate: Option<Cow<'a, str>>,
    /// The resource URI (before `drift.resources` mapping).
    pub resource: Cow<'a, str>,
    /// The log's own name of the resource, which `drift.resources` globs match.
    pub raw_resource: Option<Cow<'a, str>>,
    pub action: Cow<'a, str>,
    pub outcome: Outcome,
    /// 1-based line of the file where the event starts.
    pub line: usize,
}

impl Event<'_> {
    /// The identities the event names, most specific first.
    pub fn identities(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.identity.as_ref()).chain(self.alternate.as_deref())
    }
}

/// The native format's line. Unknown fields are ignored.
#[derive(Deserialize)]
struct NativeLine<'a> {
    #[serde(borrow)]
    time: Cow<'a, str>,
    #[serde(borrow)]
    agent: Cow<'a, str>,
    #[serde(borrow)]
    resource: Cow<'a, str>,
    #[serde(borrow)]
    action: Cow<'a, str>,
    #[serde(borrow)]
    outcome: Cow<'a, str>,
}

/// Seconds since 1970 of an RFC 3339 timestamp (`2026-11-02T03:04:05Z`, fractions and offsets
/// allowed).
pub fn parse_time(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() < 20 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let day = parse_date(text.get(..10)?)?;
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if bytes[13] != b':' || bytes[16] != b':' {
        return None;
    }
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return None,
            };
            let b = rest.as_bytes();
            if b.len() != 6 || b[3] != b':' {
                return None;
            }
            let h: i64 = rest.get(1..3)?.parse().ok()?;
            let m: i64 = rest.get(4..6)?.parse().ok()?;
            sign * (h * 3600 + m * 60)
        }
    };
    Some(day * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// The longest line of a JSON Lines log: an event is a few hundred bytes, and a line is held in
/// memory while it is read.
pub const MAX_LINE: u64 = 1024 * 1024;

/// The largest CloudTrail or Okta file, which is read whole (CloudTrail writes files of a few
/// megabytes; a bigger export can be split, or converted to JSON Lines, which streams).
pub const MAX_DOCUMENT: u64 = 512 * 1024 * 1024;

/// Reads one line of at most [`MAX_LINE`] bytes into `buffer` (cleared first); 0 at the end.
fn next_line(reader: &mut dyn BufRead, buffer: &mut Vec<u8>) -> Result<usize, String> {
    buffer.clear();
    let n = reader
        .take(MAX_LINE + 1)
        .read_until(b'\n', buffer)
        .map_err(|e| format!("cannot read the log: {e}"))?;
    if n as u64 > MAX_LINE {
        return Err(format!(
            "the line is longer than {} MiB: not an event",
            MAX_LINE / 1024 / 1024
        ));
    }
    Ok(n)
}

/// Opens a log, decompressing gzip (by its magic bytes, whatever the name).
fn open(path: &Path) -> std::io::Result<Box<dyn BufRead>> {
    let mut file = BufReader::with_capacity(1 << 20, File::open(path)?);
    let gzip = file.fill_buf()?.starts_with(&[0x1f, 0x8b]);
    Ok(if gzip {
        Box::new(BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(file),
        ))
    } else {
        Box::new(file)
    })
}

/// Reads every event of the log at `path` (shown as `shown`), handing each to `each` with the
/// text it was read from. `Err`: the first thing that could not be read, at its line.
pub fn read(
    path: &Path,
    shown: &str,
    each: &mut dyn FnMut(Event<'_>, &[u8]),
) -> Result<(), Problem> {
    let at = |line: usize, message: String| located(shown, line, message);
    let mut reader =
        open(path).map_err(|e| Problem::whole(shown, format!("cannot read the log: {e}")))?;
    let mut first = Vec::new();
    let mut lines = 0;
    // The first line that is not blank tells the format.
    loop {
        let n = match next_line(&mut reader, &mut first) {
            Ok(n) => n,
            // Too long for a line: a CloudTrail or Okta document written on one line, maybe.
            Err(_) if first.len() as u64 > MAX_LINE => {
                lines += 1;
                break;
            }
            Err(message) => return Err(at(lines + 1, message)),
        };
        if n == 0 {
            return Ok(()); // an empty log: no events
        }
        lines += 1;
        if !first.iter().all(u8::is_ascii_whitespace) {
            break;
        }
    }
    let trimmed = first.trim_ascii_start();
    let whole_document = trimmed.starts_with(b"[")
        || serde_json::from_slice::<Value>(&first).map_or(true, |v| v.get("Records").is_some());
    if !whole_document {
        native_line(&first, lines, shown, each)?;
        let mut buffer = Vec::with_capacity(4096);
        loop {
            let n = next_line(&mut reader, &mut buffer).map_err(|m| at(lines + 1, m))?;
            if n == 0 {
                return Ok(());
            }
            lines += 1;
            if buffer.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            native_line(&buffer, lines, shown, each)?;
        }
    }
    // CloudTrail and Okta files are single JSON documents (CloudTrail writes one file per
    // account, region and few minutes; an Okta export is a page of events): read whole.
    let mut text =
        String::from_utf8(first).map_err(|_| at(lines, "the log is not UTF-8 text".into()))?;
    let blank_lines = lines - 1;
    reader
        .take(MAX_DOCUMENT)
        .read_to_string(&mut text)
        .map_err(|e| Problem::whole(shown, format!("cannot read the log as UTF-8 text: {e}")))?;
    if text.len() as u64 >= MAX_DOCUMENT {
        return Err(Problem::whole(
            shown,
            format!(
                "a CloudTrail or Okta file larger than {} MiB: split it, or convert it to JSON Lines, which is read as a stream",
                MAX_DOCUMENT / 1024 / 1024
            ),
        ));
    }
    let line_of = |raw: &RawValue| {
        let offset = (raw.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        blank_lines
            + 1
            + text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
    };
    if text.trim_start().starts_with('[') {
        let records: Vec<&RawValue> = serde_json::from_str(&text).map_err(|e| {
            at(
                blank_lines + e.line(),
                format!("not an Okta System Log export (a JSON array of events): {e}"),
            )
        })?;
        for raw in records {
            let line = line_of(raw);
            let event = okta(raw.get(), line).map_err(|m| at(line, m))?;
            each(event, raw.get().as_bytes());
        }
        return Ok(());
    }
    #[derive(Deserialize)]
    struct Trail<'a> {
        #[serde(rename = "Records", borrow)]
        records: Vec<&'a RawValue>,
    }
    let trail: Trail = serde_json::from_str(&text).map_err(|e| {
        at(
            blank_lines + e.line(),
            format!(
                "neither JSON Lines events nor a CloudTrail file ({{\"Records\": [...]}}): {e}"
            ),
        )
    })?;
    for raw in trail.records {
        let line = line_of(raw);
        let event = cloudtrail(raw.get(), line).map_err(|m| at(line, m))?;
        each(event, raw.get().as_bytes());
    }
    Ok(())
}

/// A problem at a line of a log. The message names the line too: the log is not kept in memory,
/// so no snippet shows it.
fn located(shown: &str, line: usize, message: String) -> Problem {
    Problem {
        line,
        ..Problem::whole(shown, format!("line {line}: {message}"))
    }
}

fn native_line(
    bytes: &[u8],
    line: usize,
    shown: &str,
    each: &mut dyn FnMut(Event<'_>, &[u8]),
) -> Result<(), Problem> {
    let fail = |message: String| located(shown, line, message);
    let expected = "expected a JSON Lines event {\"time\": RFC 3339, \"agent\": NAME or identity id, \"resource\": URI, \"action\": VERB, \"outcome\": \"allowed\"|\"denied\"}";
    let parsed: NativeLine =
        serde_json::from_slice(bytes).map_err(|e| fail(format!("{expected}: {e}")))?;
    let time = parse_time(&parsed.time).ok_or_else(|| {
        fail(format!(
            "`time` {:?} is not an RFC 3339 timestamp (2026-11-02T03:04:05Z)",
            parsed.time
        ))
    })?;
    let outcome = match parsed.outcome.as_ref() {
        "allowed" => Outcome::Allowed,
        "denied" => Outcome::Denied,
        other => {
            return Err(fail(format!(
                "`outcome` {other:?} is neither \"allowed\" nor \"denied\""
            )))
        }
    };
    for (field, value) in [
        ("agent", &parsed.agent),
        ("resource", &parsed.resource),
        ("action", &parsed.action),
    ] {
        if value.trim().is_empty() {
            return Err(fail(format!("`{field}` is empty")));
        }
    }
    each(
        Event {
            time,
            identity: parsed.agent,
            alternate: None,
            raw_resource: Some(parsed.resource.clone()),
            resource: parsed.resource,
            action: parsed.action,
            outcome,
            line,
        },
        bytes.trim_ascii_end(),
    );
    Ok(())
}

fn string<'v>(value: &'v Value, pointer: &str) -> Option<&'v str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// One CloudTrail record: `userIdentity.arn` and `principalId` are its identities,
/// `aws://SERVICE/ARN` of `resources[0]` (or `aws://SERVICE` without one) its resource, the
/// event name its action; an `errorCode` makes it denied.
fn cloudtrail(text: &str, line: usize) -> Result<Event<'static>, String> {
    let record: Value =
        serde_json::from_str(text).map_err(|e| format!("a CloudTrail record: {e}"))?;
    let time = string(&record, "/eventTime")
        .and_then(parse_time)
        .ok_or("a CloudTrail record without an RFC 3339 `eventTime`")?;
    let mut identities = ["/userIdentity/arn", "/userIdentity/principalId"]
        .iter()
        .filter_map(|p| string(&record, p))
        .map(|s| Cow::Owned(s.to_string()));
    let identity = identities
        .next()
        .ok_or("a CloudTrail record without `userIdentity.arn` or `principalId`")?;
    let alternate = identities.next();
    let source =
        string(&record, "/eventSource").ok_or("a CloudTrail record without `eventSource`")?;
    let service = source.strip_suffix(".amazonaws.com").unwrap_or(source);
    let action = string(&record, "/eventName").ok_or("a CloudTrail record without `eventName`")?;
    let arn = string(&record, "/resources/0/ARN");
    let resource = match arn {
        Some(arn) => format!("aws://{service}/{arn}"),
        None => format!("aws://{service}"),
    };
    Ok(Event {
        time,
        identity,
        alternate,
        raw_resource: arn.map(|a| Cow::Owned(a.to_string())),
        resource: Cow::Owned(resource),
        action: Cow::Owned(action.to_string()),
        outcome: if record.get("errorCode").is_some_and(|e| !e.is_null()) {
            Outcome::Denied
        } else {
            Outcome::Allowed
        },
        line,
    })
}

/// One Okta System Log event: `actor.alternateId` and `actor.id` are its identities,
/// `okta://TYPE/ALTERNATE-ID` of its first target (or `okta://` plus the event type's first
/// segment without one) its resource, `eventType` its action; an outcome of `FAILURE` or `DENY`
/// makes it denied.
fn okta(text: &str, line: usize) -> Result<Event<'static>, String> {
    let event: Value = serde_json::from_str(text).map_err(|e| format!("an Okta event: {e}"))?;
    let time = string(&event, "/published")
        .and_then(parse_time)
        .ok_or("an Okta event without an RFC 3339 `published` time")?;
    let mut identities = ["/actor/alternateId", "/actor/id"]
        .iter()
        .filter_map(|p| string(&event, p))
        .map(|s| Cow::Owned(s.to_string()));
    let identity = identities
        .next()
        .ok_or("an Okta event without `actor.alternateId` or `actor.id`")?;
    let alternate = identities.next();
    let action = string(&event, "/eventType").ok_or("an Okta event without `eventType`")?;
    let target = (
        string(&event, "/target/0/type"),
        string(&event, "/target/0/alternateId"),
    );
    let (resource, raw) = match target {
        (Some(kind), Some(id)) => (format!("okta://{kind}/{id}"), Some(id.to_string())),
        (Some(kind), None) => (format!("okta://{kind}"), None),
        _ => (
            format!("okta://{}", action.split('.').next().unwrap_or(action)),
            None,
        ),
    };
    let denied = matches!(string(&event, "/outcome/result"), Some("FAILURE" | "DENY"));
    Ok(Event {
        time,
        identity,
        alternate,
        raw_resource: raw.map(Cow::Owned),
        resource: Cow::Owned(resource),
        action: Cow::Owned(action.to_string()),
        outcome: if denied {
            Outcome::Denied
        } else {
            Outcome::Allowed
        },
        line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_rfc_3339() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("1970-01-01T01:00:00.123Z"), Some(3600));
        assert_eq!(parse_time("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_time("1970-01-01T00:00:00-00:30"), Some(1800));
        for bad in [
            "1970-01-01",
            "1970-01-01T24:00:00Z",
            "1970-01-01T00:00:00",
            "x",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
