//! The command line.

use std::time::{Duration, SystemTime};

use clap::{Parser, ValueEnum};
use mapping_core::capi::send::SenderConfig;
use mapping_core::cli::parts::parse_time;

/// Exit status: stopped by SIGTERM or SIGINT with everything in flight delivered and committed.
pub const SUCCESS: u8 = 0;
/// Exit status: stopped with outputs still undelivered (they are not committed, and are read
/// again by the next worker of the group).
pub const UNDELIVERED: u8 = 1;
/// Exit status: unusable arguments, settings or Kafka configuration, or (`--send`) credentials
/// Pinterest refused.
pub const UNUSABLE: u8 = 2;
/// Exit status (`--send`): the Conversions API stayed unavailable past the retry limits; what
/// was not accepted is not committed, and is read again by the next worker of the group.
pub const API_UNAVAILABLE: u8 = 3;

/// Maps Segment messages from a Kafka topic to Pinterest Tag calls or Conversions API events,
/// in a consumer group: run as many workers as the input topic has partitions to share them.
/// Each input message's output is what `pinterest-map` prints for it, keyed as the input. An
/// input offset is committed only once every output of its message is acknowledged (at least
/// once: turn `mapMessageIdToEventId` on in the settings so that Pinterest drops the
/// duplicates a restart may send). SIGTERM or SIGINT: stop reading, deliver and commit what is
/// in flight, leave the group.
#[derive(Debug, Parser)]
#[command(version, max_term_width = 100)]
pub(crate) struct Args {
    /// The Kafka bootstrap servers.
    #[arg(long, value_name = "HOST:PORT[,HOST:PORT...]")]
    pub(crate) brokers: String,

    /// The consumer group: the workers of one group share the input topic's partitions.
    #[arg(long, value_name = "GROUP")]
    pub(crate) group: String,

    /// The topic of Segment messages, one per Kafka message.
    #[arg(long, value_name = "TOPIC")]
    pub(crate) input_topic: String,

    /// Where each message's output goes, with the input message's key.
    #[arg(
        long,
        value_name = "TOPIC",
        required_unless_present = "send",
        conflicts_with = "send"
    )]
    pub(crate) output_topic: Option<String>,

    /// Output format, as `pinterest-map --format`.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Json, conflicts_with = "send")]
    pub(crate) format: Format,

    /// Send each message's Conversions API event to Pinterest (batched across messages) as
    /// `pinterest-map --send` does, instead of producing outputs: an offset is committed once
    /// its event is accepted, or refused and written to the dead-letter topic. The token comes
    /// from PINTEREST_CONVERSION_TOKEN, else the settings' `conversion_token`; the ad account
    /// from the settings' `ad_account_id`.
    #[arg(long)]
    pub(crate) send: bool,

    /// With --send: the API's base URL.
    #[arg(long, value_name = "URL", requires = "send", default_value = SenderConfig::DEFAULT_API_URL)]
    pub(crate) api_url: String,

    /// With --send: mark the requests as tests (`?test=true`).
    #[arg(long, requires = "send")]
    pub(crate) test_events: bool,

    /// Where a message that is not a valid Segment message goes, as it came, with headers
    /// naming its topic, partition, offset and what is wrong. Without it, such a message is
    /// reported and skipped.
    #[arg(long, value_name = "TOPIC")]
    pub(crate) dead_letter_topic: Option<String>,

    /// Destination settings, as `pinterest-map --settings`: a JSON file or the JSON itself.
    /// Without it, the built-in example configuration is used, and a note says so.
    #[arg(long, value_name = "JSON_OR_FILE")]
    pub(crate) settings: Option<String>,

    /// Treat every warning about the settings as an error: exit with status 2 before
    /// connecting.
    #[arg(long)]
    pub(crate) strict: bool,

    /// Any librdkafka setting, for the consumer and the producer alike (SASL, TLS, timeouts:
    /// security.protocol=SASL_SSL, sasl.mechanism=PLAIN, ...). Repeat for several.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub(crate) kafka: Vec<(String, String)>,

    /// With --format capi: the reference time of the age limit, as `pinterest-map --now`.
    /// Default: the clock, at each message.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) now: Option<SystemTime>,

    /// Stop, as on SIGTERM, once no message has come for SECONDS while partitions are
    /// assigned: for a batch job that drains a topic. Default: run until a signal.
    #[arg(long, value_name = "SECONDS", value_parser = parse_idle)]
    pub(crate) stop_when_idle: Option<Duration>,

    /// Seconds between progress lines on standard error; 0 for none.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub(crate) progress: u64,

    /// No progress lines, notes or summary; warnings and errors are still written.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The JSON array of the message's Tag calls.
    Json,
    /// One JavaScript statement per Tag call, one per line (no output for a message without
    /// calls).
    Js,
    /// The JSON array of the message's Conversions API events.
    Capi,
}

/// `KEY=VALUE`.
fn parse_setting(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.to_owned()))
        }
        _ => Err("not KEY=VALUE, such as security.protocol=SASL_SSL".to_owned()),
    }
}

/// A number of seconds above zero.
fn parse_idle(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|seconds| *seconds > 0.0 && *seconds <= 86_400.0)
        .map(Duration::from_secs_f64)
        .ok_or_else(|| "not a number of seconds above 0 and at most 86400".to_owned())
}
