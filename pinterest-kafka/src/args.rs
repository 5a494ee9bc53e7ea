//! The command line.

use std::ffi::OsString;
use std::time::{Duration, SystemTime};

use clap::{CommandFactory, FromArgMatches, Parser};
use pinterest_cli::{Format, SendArgs, SettingsArgs, parse_seconds, parse_time};

/// The name of the program when its first argument names none.
pub(crate) const DEFAULT_NAME: &str = "pinterest-kafka";

/// The help of `--send`, which says what sending means for a worker.
const SEND_HELP: &str = "Send each message's Conversions API event to Pinterest (batched across \
messages) as `pinterest-map --send` does, instead of producing outputs: an offset is committed \
once its event is accepted, or refused and written to the dead-letter topic. The token comes \
from PINTEREST_CONVERSION_TOKEN, else the settings' `conversion_token`; the ad account from the \
settings' `ad_account_id`.";

/// Maps Segment messages from a Kafka topic to Pinterest Tag calls or Conversions API events,
/// in a consumer group: run as many workers as the input topic has partitions to share them.
/// Each input message's output is what `pinterest-map` prints for it, keyed as the input. An
/// input offset is committed only once every output of its message is acknowledged (at least
/// once: turn `mapMessageIdToEventId` on in the settings so that Pinterest drops the
/// duplicates a restart may send). SIGTERM, SIGINT or SIGHUP: stop reading, deliver and commit what is
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

    #[command(flatten)]
    pub(crate) sending: SendArgs,

    /// Where a message that is not a valid Segment message goes, as it came, with headers
    /// naming its topic, partition, offset and what is wrong. Without it, such a message is
    /// reported and skipped.
    #[arg(long, value_name = "TOPIC")]
    pub(crate) dead_letter_topic: Option<String>,

    /// With --format capi or --send: a message that cannot become a Conversions API event
    /// (too old, no user identity, ...) goes to --dead-letter-topic too, with why. Without it,
    /// such a message is reported, counted and committed.
    #[arg(long, requires = "dead_letter_topic")]
    pub(crate) dead_letter_unsendable: bool,

    #[command(flatten)]
    pub(crate) settings: SettingsArgs,

    /// Any librdkafka setting, for the consumer and the producer alike: the connection's
    /// (`security.protocol=SASL_SSL`, `sasl.mechanism=SCRAM-SHA-512`, `ssl.ca.location=FILE`,
    /// ...). Repeat for several.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub(crate) kafka: Vec<(String, String)>,

    /// A librdkafka setting for the consumer only, after --kafka's (`session.timeout.ms=N`,
    /// `fetch.max.bytes=N`, ...). Repeat for several.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub(crate) consumer_kafka: Vec<(String, String)>,

    /// A librdkafka setting for the producer only, after --kafka's (`compression.codec=zstd`,
    /// `linger.ms=N`, `message.max.bytes=N`, ...). Repeat for several.
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_setting)]
    pub(crate) producer_kafka: Vec<(String, String)>,

    /// Stop with status 4 when, SECONDS after the start, no partition of the input topic is
    /// assigned and the topic does not exist or the brokers cannot be reached; 0 to wait
    /// forever. A worker of a group that has more workers than partitions keeps running.
    #[arg(long, value_name = "SECONDS", value_parser = parse_limit, default_value = "60")]
    pub(crate) startup_timeout: Duration,

    /// With --format capi or --send: the reference time of the age limit, as
    /// `pinterest-map --now`.
    /// Default: the clock, at each message.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(crate) now: Option<SystemTime>,

    /// Stop, as on SIGTERM, once no message has come for SECONDS since the worker joined its
    /// group (with partitions or without): for a batch job that drains a topic. A worker that
    /// cannot start (no input topic, no brokers) stops SECONDS after the start, with status
    /// 4. Default: run until a signal.
    #[arg(long, value_name = "SECONDS", value_parser = parse_seconds)]
    pub(crate) stop_when_idle: Option<Duration>,

    /// Serve Prometheus metrics at `http://HOST:PORT/metrics` (the counts, committed offsets
    /// and lag per partition, the process's CPU and memory), with `/healthz` (the process
    /// answers) and `/readyz` (partitions assigned, the producer usable). Example:
    /// 0.0.0.0:9464.
    #[arg(long, value_name = "HOST:PORT")]
    pub(crate) metrics: Option<String>,

    /// How the log on standard error is written: `human` lines (`pinterest-kafka: ...`), or
    /// `json`, an object a line with the level, the message and its fields (partition,
    /// offset, ...), for log collectors.
    #[arg(long, value_enum, default_value_t = LogFormat::Human)]
    pub(crate) log_format: LogFormat,

    /// Seconds between progress lines on standard error; 0 for none.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub(crate) progress: u64,

    /// No progress lines, notes or summary; warnings and errors are still written.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

/// `--log-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum LogFormat {
    Human,
    Json,
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

/// `--startup-timeout`: seconds as `--stop-when-idle` takes them, or 0 for none
/// ([`Duration::ZERO`]).
fn parse_limit(text: &str) -> Result<Duration, String> {
    if text.trim().parse::<f64>() == Ok(0.0) {
        return Ok(Duration::ZERO);
    }
    parse_seconds(text).map_err(|_| "not 0 or a number of seconds up to 86400".to_owned())
}

/// Parses the arguments (the first being the program).
pub(crate) fn parse(args: Vec<OsString>) -> Result<Args, clap::Error> {
    let command = Args::command().mut_arg("send", |send| send.help(SEND_HELP));
    let matches = command.try_get_matches_from(args)?;
    Args::from_arg_matches(&matches)
}
