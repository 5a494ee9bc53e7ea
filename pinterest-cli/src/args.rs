//! The options both commands take, as [`clap::Args`] groups each command flattens into its
//! own (`#[command(flatten)]`), what they choose, and the parsers of their values.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};
use pinterest_mapping::capi::send::SenderConfig;
use pinterest_mapping::ndjson::OutputFormat;

/// `--settings` and `--strict`: the destination's settings, and how warnings about them count.
#[derive(Clone, Debug, Args)]
pub struct SettingsArgs {
    /// Destination settings: a JSON file, `-` for standard input, or the JSON itself, with
    /// Segment's key names (tid, pinterestEventMapping, pinterestCustomProperties,
    /// useEnhancedMatchLoad, mapMessageIdToEventId, disableAutoISOConversion; for the
    /// Conversions API `ad_account_id`, `conversion_token`, maxEventAgeDays,
    /// sendPartnerEventsAsCustom). Unknown keys and likely typos are warned about on standard
    /// error. Without it, a built-in example configuration is used, and a note says so.
    #[arg(long, value_name = "JSON_OR_FILE")]
    pub settings: Option<PathBuf>,

    /// Treat every warning about the settings as an error: exit with status 2 before any
    /// message is read.
    #[arg(long)]
    pub strict: bool,
}

/// `--send` and the sender's limits.
#[derive(Clone, Debug, Args)]
pub struct SendArgs {
    /// Send the Conversions API events to Pinterest instead of writing outputs.
    #[arg(long)]
    pub send: bool,

    /// With --send: the API's base URL.
    #[arg(long, value_name = "URL", requires = "send", default_value = SenderConfig::DEFAULT_API_URL)]
    pub api_url: String,

    /// With --send: mark the requests as tests (`?test=true`): Pinterest checks the events
    /// without recording them.
    #[arg(long, requires = "send")]
    pub test_events: bool,

    /// With --send: how long one request may take, in seconds, before it is tried again.
    #[arg(long, value_name = "SECONDS", requires = "send", default_value = "30", value_parser = parse_seconds)]
    pub timeout: Duration,

    /// With --send: the attempts of one request at most, the first included; a batch that
    /// still fails stops the sending.
    #[arg(long, value_name = "N", requires = "send", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=100))]
    pub max_attempts: u32,

    /// With --send: requests in flight at once.
    #[arg(long, value_name = "N", requires = "send", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub in_flight: u32,

    /// With --send: requests started per minute at most, retries included (Pinterest allows
    /// 5,000 per ad account).
    #[arg(long, value_name = "N", requires = "send", default_value_t = 4_800, value_parser = clap::value_parser!(u32).range(1..))]
    pub requests_per_minute: u32,
}

/// `--format`: what is written for each message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON array of Tag calls per input message.
    Json,
    /// One JavaScript statement per Tag call.
    Js,
    /// One JSON array of Conversions API events per input message.
    Capi,
}

/// What a run makes of each message: `--format`, unless `--send`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Tag calls, written in this format.
    Tag(OutputFormat),
    /// Conversions API events, written one JSON array per message.
    Conversions,
    /// Conversions API events, sent to Pinterest.
    Send,
}

impl Output {
    /// The output of `--format format`, or of `--send`.
    #[must_use]
    pub fn of(format: Format, send: bool) -> Output {
        match format {
            _ if send => Output::Send,
            Format::Json => Output::Tag(OutputFormat::Json),
            Format::Js => Output::Tag(OutputFormat::Js),
            Format::Capi => Output::Conversions,
        }
    }

    /// Whether the output is the Tag's (the settings' warnings about the Tag apply).
    #[must_use]
    pub fn is_tag(self) -> bool {
        matches!(self, Output::Tag(_))
    }

    /// `--now` applies to this output: it sets the Conversions API's reference time.
    ///
    /// # Errors
    ///
    /// A fixed time given to a Tag output.
    pub fn check_now(self, now: Option<SystemTime>) -> Result<(), &'static str> {
        if self.is_tag() && now.is_some() {
            return Err(
                "--now sets the Conversions API's reference time: use it with --format capi or --send",
            );
        }
        Ok(())
    }
}

/// The reference time of the Conversions API's age limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// `--now`.
    Fixed(SystemTime),
    /// The system clock, read for each message (a run may last for days).
    System,
}

impl Clock {
    /// `--now`, or the system clock.
    #[must_use]
    pub fn new(now: Option<SystemTime>) -> Clock {
        now.map_or(Clock::System, Clock::Fixed)
    }

    /// The time now, by this clock.
    #[must_use]
    pub fn now(self) -> SystemTime {
        match self {
            Clock::Fixed(time) => time,
            Clock::System => SystemTime::now(),
        }
    }
}

/// A number of seconds above zero, at most a day.
///
/// # Errors
///
/// Not such a number: the message to print.
pub fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|seconds| *seconds > 0.0 && *seconds <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| "not a number of seconds above 0 and at most 86400".to_owned())
}

/// `--now`: an ISO 8601 time with an offset, after 1970.
///
/// # Errors
///
/// Not such a time: the message to print.
pub fn parse_time(text: &str) -> Result<SystemTime, String> {
    let time = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        "not an ISO 8601 time with an offset, such as 2026-11-28T12:00:00Z".to_owned()
    })?;
    let seconds = u64::try_from(time.timestamp())
        .map_err(|_| "the time must be after 1970-01-01T00:00:00Z".to_owned())?;
    Ok(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// The program's name, as it was started (`shop-map` for a table's own tool), from the first
/// argument; `default` when it names none.
#[must_use]
pub fn program_name(first: Option<&OsString>, default: &str) -> String {
    first
        .and_then(|first| Path::new(first).file_name())
        .and_then(|name| name.to_str())
        .filter(|name| !name.is_empty())
        .unwrap_or(default)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_above_zero_and_at_most_a_day() {
        assert_eq!(parse_seconds("1.5"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_seconds("86400"), Ok(Duration::from_hours(24)));
        for text in ["0", "-1", "86401", "NaN", "inf", "soon"] {
            assert_eq!(
                parse_seconds(text),
                Err("not a number of seconds above 0 and at most 86400".to_owned()),
                "{text}"
            );
        }
    }

    #[test]
    fn times_have_an_offset_and_come_after_1970() {
        assert_eq!(
            parse_time("1970-01-01T00:01:00+00:00"),
            Ok(UNIX_EPOCH + Duration::from_mins(1))
        );
        assert!(parse_time("2026-11-28T12:00:00").is_err());
        assert_eq!(
            parse_time("1969-12-31T23:59:59Z"),
            Err("the time must be after 1970-01-01T00:00:00Z".to_owned())
        );
    }

    #[test]
    fn the_program_is_named_as_started() {
        let name = |first: &str| program_name(Some(&OsString::from(first)), "default");
        assert_eq!(name("/usr/local/bin/shop-map"), "shop-map");
        assert_eq!(name(""), "default");
        assert_eq!(program_name(None, "default"), "default");
    }
}
