//! `event_time`: when the event happened, from the message's timestamps, and whether the
//! Conversions API still takes an event that old (or that far ahead).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::DateTime;

use super::Unsendable;
use crate::json::Json;

/// The message fields holding the event's time, in the order they are tried: the first that
/// is an ISO 8601 time with an offset is the event's time.
pub(crate) const TIME_FIELDS: [&str; 4] =
    ["timestamp", "originalTimestamp", "sentAt", "receivedAt"];

/// How far ahead of the reference time an event may be: clocks disagree a little.
const FUTURE_LEEWAY_SECONDS: i64 = 60 * 60;

const DAY_SECONDS: i64 = 24 * 60 * 60;

/// Unix seconds of a time string as Segment sends it (`2026-11-28T12:00:00.000Z`, any offset);
/// fractions of a second are dropped.
pub(crate) fn unix_seconds(value: Json<'_>) -> Option<i64> {
    let text = value.to_str()?;
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|time| time.timestamp())
}

/// Unix seconds of a [`SystemTime`] (negative before 1970).
pub(crate) fn system_seconds(time: SystemTime) -> i64 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs),
    }
}

/// Whether an event at `event_time` may still be sent at `now`: at most `max_age_days` old,
/// at most an hour ahead.
pub(crate) fn check_age(event_time: i64, now: i64, max_age_days: u32) -> Result<(), Unsendable> {
    let age = now.saturating_sub(event_time);
    if age > i64::from(max_age_days) * DAY_SECONDS {
        return Err(Unsendable::TooOld {
            age_days: u64::try_from(age / DAY_SECONDS).unwrap_or(u64::MAX),
            limit_days: max_age_days,
        });
    }
    if -age > FUTURE_LEEWAY_SECONDS {
        return Err(Unsendable::InTheFuture);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seconds(text: &str) -> Option<i64> {
        unix_seconds(Json::parse(text).unwrap())
    }

    #[test]
    fn reads_iso_times_with_offsets() {
        assert_eq!(seconds(r#""1970-01-01T00:00:00Z""#), Some(0));
        assert_eq!(
            seconds(r#""2026-11-28T12:00:00.999Z""#),
            Some(1_795_867_200)
        );
        assert_eq!(
            seconds(r#""2026-11-28T13:00:00+01:00""#),
            Some(1_795_867_200)
        );
        assert_eq!(seconds(r#""2026-11-28t12:00:00z""#), Some(1_795_867_200));
        assert_eq!(seconds(r#""1969-12-31T23:59:59.5Z""#), Some(-1));
        for other in [
            r#""2026-11-28T12:00:00""#,
            r#""2026-11-28""#,
            r#""yesterday""#,
            r#""2026-02-30T12:00:00Z""#,
            "1796385600",
            "null",
        ] {
            assert_eq!(seconds(other), None, "{other}");
        }
    }

    #[test]
    fn reads_the_system_clock_as_unix_seconds() {
        assert_eq!(system_seconds(UNIX_EPOCH), 0);
        assert_eq!(
            system_seconds(UNIX_EPOCH + std::time::Duration::from_millis(1_500)),
            1
        );
        assert_eq!(
            system_seconds(UNIX_EPOCH - std::time::Duration::from_secs(5)),
            -5
        );
    }

    #[test]
    fn events_up_to_the_limit_and_an_hour_ahead_pass() {
        let now = 1_000 * DAY_SECONDS;
        assert_eq!(check_age(now - 7 * DAY_SECONDS, now, 7), Ok(()));
        assert_eq!(check_age(now + 3_600, now, 7), Ok(()));
        assert_eq!(
            check_age(now - 7 * DAY_SECONDS - 1, now, 7),
            Err(Unsendable::TooOld {
                age_days: 7,
                limit_days: 7
            })
        );
        assert_eq!(
            check_age(now - 30 * DAY_SECONDS, now, 60),
            Ok(()),
            "the limit is a setting"
        );
        assert_eq!(check_age(now + 3_601, now, 7), Err(Unsendable::InTheFuture));
        assert_eq!(
            check_age(i64::MIN, i64::MAX, 7),
            Err(Unsendable::TooOld {
                age_days: u64::try_from(i64::MAX / DAY_SECONDS).unwrap(),
                limit_days: 7
            })
        );
    }
}
