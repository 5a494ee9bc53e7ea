//! What analytics.js does to every message before a destination sees it: each string value,
//! at any depth, that looks like an ISO 8601 date becomes a JavaScript `Date`, which Pinterest
//! then receives as `toISOString()` (`"2024-01-02"` → `"2024-01-02T00:00:00.000Z"`). These are
//! the rules of Segment's facade (`isodate-traverse`, strict, with `isodate`'s parser),
//! JavaScript's rollover included (`"2024-13-45"` → `"2025-02-14T00:00:00.000Z"`).
//!
//! Keys are left alone. A date with a space for its `T` takes the browser's time zone in
//! analytics.js (ignoring any offset written after it); here, as on a server, that zone is
//! UTC.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{Datelike, NaiveDate, TimeDelta, Timelike};

use crate::json::{Json, Key, strings};

/// `text` (one valid JSON value) with every string value that is an ISO 8601 date replaced
/// by the date's `toISOString()`; borrowed when there is none.
pub(crate) fn convert(text: &str) -> Cow<'_, str> {
    if !may_hold_date(text) {
        return Cow::Borrowed(text);
    }
    let mut converted = String::new();
    let mut written = 0;
    for (open, close, is_key) in strings(text) {
        if is_key {
            continue;
        }
        let Some(value) = Key::from_json(&text[open + 1..close]).to_str() else {
            continue;
        };
        if let Some(date) = iso_string(&value) {
            converted.push_str(&text[written..open]);
            let _ = write!(converted, "\"{date}\"");
            written = close + 1;
        }
    }
    if written == 0 {
        return Cow::Borrowed(text);
    }
    converted.push_str(&text[written..]);
    Cow::Owned(converted)
}

/// Whether a value may be, or hold, a date string: a string that starts `dddd-` or holds an
/// escape, or a container whose text [`may_hold_date`].
pub(crate) fn may_be_date(value: Json<'_>) -> bool {
    let bytes = value.text().as_bytes();
    match bytes.first() {
        // A date starts with a digit, written as one or as an escape.
        Some(b'"') => match bytes.get(1) {
            Some(b'\\') => true,
            Some(first) if first.is_ascii_digit() => {
                let digits = bytes[1..].iter().take(4).all(u8::is_ascii_digit);
                // An escape counts only near the start: a date starts `dddd-dd-dd`, ten
                // characters of at most six bytes each when escaped.
                (digits && bytes.get(5) == Some(&b'-'))
                    || bytes[..bytes.len().min(64)].contains(&b'\\')
            }
            _ => false,
        },
        Some(b'{' | b'[') => may_hold_date(value.text()),
        _ => false,
    }
}

/// Whether `text` may hold a date string: a `"dddd-dd-dd` somewhere, or a `\u` escape that
/// might spell one. Most texts are ruled out by a fast search for `-`.
pub(crate) fn may_hold_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes
            .get(range)
            .is_some_and(|digits| digits.iter().all(u8::is_ascii_digit))
    };
    memchr::memchr_iter(b'-', bytes).any(|dash| {
        dash >= 5
            && bytes[dash - 5] == b'"'
            && digits(dash - 4..dash)
            && digits(dash + 1..dash + 3)
            && bytes.get(dash + 3) == Some(&b'-')
            && digits(dash + 4..dash + 6)
    }) || memchr::memchr_iter(b'\\', bytes).any(|at| bytes.get(at + 1) == Some(&b'u'))
}

/// The `toISOString()` of the date `text` is, when it is an ISO 8601 date under the facade's
/// strict rule.
pub fn iso_string(text: &str) -> Option<String> {
    let parts = Parts::parse(text)?;
    let millis = parts.utc_millis()?;
    Some(format_iso(millis))
}

/// The fields of `isodate`'s regular expression,
/// `^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:([ T])(\d{2}):?(\d{2})(?::?(\d{2})(?:[,\.](\d{1,}))?)?(?:(Z)|([+\-])(\d{2})(?::?(\d{2}))?)?)?$`,
/// for a text that also starts `\d{4}-\d{2}-\d{2}` (the strict rule).
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millisecond: i64,
    /// Minutes to add for the written offset.
    offset_minutes: i64,
}

impl Parts {
    fn parse(text: &str) -> Option<Parts> {
        let bytes = text.as_bytes();
        let number = |at: usize, len: usize| -> Option<i64> {
            let digits = bytes.get(at..at + len)?;
            digits
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| digits.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
        };
        // The strict prefix fixes the date: `dddd-dd-dd`.
        if bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
            return None;
        }
        let mut parts = Parts {
            year: number(0, 4)?,
            // `parseInt(…) || 1`: a month or day of `00` is 1.
            month: number(5, 2)?.max(1),
            day: number(8, 2)?.max(1),
            hour: 0,
            minute: 0,
            second: 0,
            millisecond: 0,
            offset_minutes: 0,
        };
        let mut at = 10;
        if at == bytes.len() {
            return Some(parts);
        }
        let separator = bytes[at];
        if separator != b'T' && separator != b' ' {
            return None;
        }
        at += 1;
        parts.hour = number(at, 2)?;
        at += 2;
        if bytes.get(at) == Some(&b':') {
            at += 1;
        }
        parts.minute = number(at, 2)?;
        at += 2;
        // Seconds, with an optional colon, and then an optional fraction.
        let colon = usize::from(bytes.get(at) == Some(&b':'));
        if let Some(second) = number(at + colon, 2) {
            parts.second = second;
            at += colon + 2;
            if matches!(bytes.get(at), Some(b',' | b'.')) {
                let digits = bytes[at + 1..]
                    .iter()
                    .take_while(|byte| byte.is_ascii_digit())
                    .count();
                if digits > 0 {
                    // The first three digits, padded with zeros: milliseconds.
                    let mut padded = [b'0'; 3];
                    for (slot, digit) in padded.iter_mut().zip(&bytes[at + 1..at + 1 + digits]) {
                        *slot = *digit;
                    }
                    parts.millisecond = padded.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0'));
                    at += 1 + digits;
                }
            }
        }
        // The zone: `Z`, or a sign and hours, with optional minutes.
        let mut offset = 0;
        match bytes.get(at) {
            Some(b'Z') => at += 1,
            Some(&sign @ (b'+' | b'-')) => {
                let hours = number(at + 1, 2)?;
                at += 3;
                let colon = usize::from(bytes.get(at) == Some(&b':'));
                let minutes = match number(at + colon, 2) {
                    Some(minutes) => {
                        at += colon + 2;
                        minutes
                    }
                    None => 0,
                };
                offset = hours * 60 + minutes;
                if sign == b'+' {
                    offset = -offset;
                }
            }
            _ => {}
        }
        if at != bytes.len() {
            return None;
        }
        // With a space, the browser's own zone applies and the written one is ignored: UTC here.
        parts.offset_minutes = if separator == b' ' { 0 } else { offset };
        Some(parts)
    }

    /// `Date.UTC(year, month - 1, day, hour, minute + offset, second, millisecond)`, with
    /// JavaScript's rules: years 0 to 99 are 1900 to 1999, and every field rolls over into the
    /// next larger one.
    fn utc_millis(&self) -> Option<i64> {
        let year = if (0..=99).contains(&self.year) {
            1900 + self.year
        } else {
            self.year
        };
        let month = self.month - 1;
        let first = NaiveDate::from_ymd_opt(
            i32::try_from(year + month.div_euclid(12)).ok()?,
            u32::try_from(month.rem_euclid(12) + 1).ok()?,
            1,
        )?;
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
        let days = (first - epoch).num_days() + self.day - 1;
        let time = ((self.hour * 60 + self.minute + self.offset_minutes) * 60 + self.second) * 1000
            + self.millisecond;
        let millis = days * 86_400_000 + time;
        // Beyond this, a JavaScript date is invalid.
        (millis.abs() <= 8_640_000_000_000_000).then_some(millis)
    }
}

/// JavaScript's `toISOString()` of a time, in milliseconds since 1970 (UTC).
fn format_iso(millis: i64) -> String {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|date| date.and_hms_opt(0, 0, 0))
        .unwrap_or_default();
    let time = epoch + TimeDelta::milliseconds(millis);
    let year = time.year();
    let mut text = if (0..=9999).contains(&year) {
        format!("{year:04}")
    } else {
        // Six digits and a sign, as JavaScript writes years outside 0 to 9999.
        format!("{}{:06}", if year < 0 { '-' } else { '+' }, year.abs())
    };
    let _ = write!(
        text,
        "-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        time.month(),
        time.day(),
        time.hour(),
        time.minute(),
        time.second(),
        time.nanosecond() / 1_000_000
    );
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_the_facade_converts_them() {
        for (text, expected) in [
            ("2024-01-02", "2024-01-02T00:00:00.000Z"),
            ("2024-13-45", "2025-02-14T00:00:00.000Z"),
            ("2024-00-00", "2024-01-01T00:00:00.000Z"),
            ("0050-06-15", "1950-06-15T00:00:00.000Z"),
            ("0000-01-01", "1900-01-01T00:00:00.000Z"),
            ("9999-99-99T99:99:99.9999", "+010007-06-11T04:40:39.999Z"),
            ("2024-01-02T10:20", "2024-01-02T10:20:00.000Z"),
            ("2024-01-02T1020", "2024-01-02T10:20:00.000Z"),
            ("2024-01-02T10:20:30", "2024-01-02T10:20:30.000Z"),
            ("2024-01-02T10:20:30.5Z", "2024-01-02T10:20:30.500Z"),
            ("2024-01-02T10:20:30,05", "2024-01-02T10:20:30.050Z"),
            ("2024-01-02T10:20+05:30", "2024-01-02T04:50:00.000Z"),
            ("2024-01-02T10:20-0130", "2024-01-02T11:50:00.000Z"),
            ("2024-01-02T10:20-01", "2024-01-02T11:20:00.000Z"),
            ("2024-01-02 10:20+05:00", "2024-01-02T10:20:00.000Z"),
            ("2024-01-02T00:00Z", "2024-01-02T00:00:00.000Z"),
        ] {
            assert_eq!(iso_string(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn other_strings_are_not_dates() {
        for text in [
            "2024-1-02",
            "20240102",
            "2024-01-02T",
            "2024-01-02 ",
            "2024-01-02T10",
            "2024-01-02T10:2",
            "2024-01-02T10:20:3",
            "2024-01-02T10:20:30.",
            "2024-01-02T10:20+5",
            "2024-01-02T10:20+05:3",
            "2024-01-02x",
            "2024-01-02T10:20:30Zx",
            "２０２４-01-02",
            "",
        ] {
            assert_eq!(iso_string(text), None, "{text}");
        }
    }

    #[test]
    fn values_that_may_be_dates_are_found_quickly() {
        let may_be = |text: &str| may_be_date(Json::parse(text).unwrap());
        for text in [
            r#""2024-01-02""#,
            r#""2024-01-02x""#,
            r#""\u0032024-01-02""#,
            r#""20\u00324-01-02""#,
            r#"{"a":["2024-01-02"]}"#,
        ] {
            assert!(may_be(text), "{text}");
        }
        for text in [
            r#""https://shop.example/""#,
            r#""0ed904759531985d5d9dc9f8""#,
            r#""x2024-01-02""#,
            r#"{"a":"sku-2024"}"#,
            "20240102",
            "null",
        ] {
            assert!(!may_be(text), "{text}");
        }
    }

    #[test]
    fn values_are_converted_at_any_depth_and_keys_are_not() {
        let text = r#"{"2024-01-02": "2024-01-02", "a": [{"b": "2024-13-45"}, "x-2024-01-02"], "c": "\u0032024-01-02"}"#;
        assert_eq!(
            convert(text),
            r#"{"2024-01-02": "2024-01-02T00:00:00.000Z", "a": [{"b": "2025-02-14T00:00:00.000Z"}, "x-2024-01-02"], "c": "2024-01-02T00:00:00.000Z"}"#
        );
        assert!(matches!(convert(r#"{"a": "sku-2024"}"#), Cow::Borrowed(_)));
        assert!(matches!(convert(r#""2024-01-02x""#), Cow::Borrowed(_)));
    }
}
