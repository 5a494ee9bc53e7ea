//! The command line of `pinterest-map` (and of any table's own tool): options, help and exit
//! statuses.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::SystemTime;

use clap::{CommandFactory, FromArgMatches, Parser};
use pinterest_cli::{Format, SendArgs, SettingsArgs, parse_time};

/// The name of the program when its first argument names none.
pub(crate) const DEFAULT_NAME: &str = "pinterest-map";

const LONG_ABOUT: &str = "\
Reads newline-delimited Segment messages (track, page, identify; other types produce no call)
from the INPUT files, or from standard input when there are none or for `-`. Memory stays
constant whatever the input size; output is buffered, and flushed at the end and whenever
input stalls.";

const AFTER_HELP: &str = "\
Output:
  --format json  one line per input message: the JSON array of the calls it produced,
                 [] when none, e.g. [[\"track\",\"Checkout\",{\"order_id\":\"o-1\"}]]
  --format js    one JavaScript statement per call, e.g. pintrk(\"page\");
                 safe to place inside an HTML <script> element
  --format capi  one line per input message: the JSON array of the Conversions API events
                 it produced, [] when none (identify, partner-defined events, and messages
                 that cannot become an event: no event time, too old, no user identity)

Sending (--send):
  Maps every message to its Conversions API event and POSTs the events to
  {api}/ad_accounts/{ad_account_id}/events in batches of up to 1,000, several requests in
  flight, paced under Pinterest's limit of 5,000 requests a minute; retries 429 (after
  Retry-After), 5xx, timeouts and dropped connections with backoff, within limits; splits a
  batch Pinterest refuses (400) until the refused events are alone. `ad_account_id` comes from
  the settings; the token from the environment variable PINTEREST_CONVERSION_TOKEN, else the
  settings key `conversion_token`. Every event Pinterest rejects or that cannot be sent is
  reported (with --rejects, written to that file as a JSON line: input, line, event_id,
  received, status, message, event). 401 or 403, or a redirect, stops the run. Nothing goes
  to standard output.

Settings:
  Before any input is read, warnings on stderr name what the settings accept but look
  mistaken: unknown keys (with the key meant: Tid -> tid), a missing or empty tid (Tag
  output), an event mapped to a name one slip from a standard event (Chekout -> Checkout),
  an event mapped twice in different case. --strict makes them errors.

Errors:
  A line that is not a valid message prints no output line (with --aligned, `null`); a
  message on stderr names the input, the line and what is wrong (never the values), and
  processing continues (with --max-errors N, until the Nth). With
  --format capi, a message that cannot become an event is reported the same way.
  Blank lines are skipped. An input that cannot be opened is reported and the others are
  mapped. A summary goes to stderr at the end unless --quiet. On SIGINT, SIGTERM or SIGHUP
  the lines mapped so far are written out in full (with --send: requests under way finish,
  and events not yet sent are reported as not sent) and the tool ends as the signal would.

Exit status:
  0  every line was mapped
  1  some lines were not valid messages, or an input could not be opened or read to the
     end (a file that ended short of its size when opened), or (--format capi, --send) some
     messages could not become Conversions API events, or (--send) some events were
     rejected or could not be sent
  2  unusable arguments, settings or traits (with --strict: settings with warnings):
     nothing was processed; or (--send) Pinterest refused the token or the ad account, and
     the run stopped
  3  standard output could not be written (a full disk, say): the run stopped there, and
     the summary says how many output lines were written in full (a reader that goes away,
     as `| head` does, ends the run with the status it would have had)

Example:
  pinterest-map --settings examples/settings.json --init \\
      --traits '{\"email\":\"jane@example.com\"}' examples/events.ndjson";

/// The options.
#[derive(Debug, Parser)]
#[command(after_help = AFTER_HELP)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "each flag is an option of the command line, read by clap"
)]
pub(super) struct Args {
    #[command(flatten)]
    pub(crate) settings: SettingsArgs,

    /// First print the calls of the destination's start-up on a page (load, page), as one
    /// line.
    #[arg(long, conflicts_with = "send")]
    pub(super) init: bool,

    /// The user's stored traits for --init: a JSON object, a file holding one, or `-` for
    /// standard input. Default: none.
    #[arg(long, value_name = "JSON_OR_FILE", requires = "init")]
    pub(super) traits: Option<String>,

    /// Output format.
    #[arg(long, value_enum, ignore_case = true, default_value_t = Format::Json, conflicts_with = "send")]
    pub(super) format: Format,

    #[command(flatten)]
    pub(crate) sending: SendArgs,

    /// With --send: write every event Pinterest rejected or that could not be sent to FILE,
    /// one JSON line each (input, line, `event_id`, received, status, message, event).
    #[arg(long, value_name = "FILE", requires = "send")]
    pub(super) rejects: Option<PathBuf>,

    /// With --send: serve Prometheus metrics of the sending at `http://HOST:PORT/metrics`
    /// while the run lasts (requests by the class of their answer, retries, request time,
    /// events accepted, rejected and not sent, the process's CPU and memory), with `/healthz`
    /// and `/readyz`. For long sends.
    #[arg(long, value_name = "HOST:PORT", requires = "send")]
    pub(super) metrics: Option<String>,

    /// With --send: the inputs are rejects files (--rejects's), and their events are sent
    /// again as they are, not mapped: once the cause of their rejection is mended. Each event
    /// keeps its original input and line, in reports and in the new --rejects file.
    #[arg(long, requires = "send")]
    pub(super) resend: bool,

    /// The reference time of the Conversions API's age limit, as an ISO 8601 time with an
    /// offset (2026-11-28T12:00:00Z): events older than the limit, or more than an hour
    /// ahead, are not sent. Default: the clock, at each message. With --format capi or --send.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(super) now: Option<SystemTime>,

    /// Stop after N lines that are not valid messages: what was mapped is written out, and
    /// the status is 1. Default: no limit.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub(super) max_errors: Option<u64>,

    /// The longest line read, in bytes: a longer one is reported as invalid by its number
    /// and read past without being kept (a decompressed gigabyte costs no memory).
    #[arg(long, value_name = "BYTES", default_value_t = pinterest_mapping::ndjson::DEFAULT_MAX_LINE_BYTES as u64, value_parser = clap::value_parser!(u64).range(1..=(1 << 40)))]
    pub(super) max_line_bytes: u64,

    /// One output line per input line, so that line numbers match: `null` for a blank line
    /// or one that is not a valid message. With --format json or capi.
    #[arg(long, conflicts_with_all = ["init", "send"])]
    pub(super) aligned: bool,

    /// Threads that map messages; the output is the same, in input order, whatever their
    /// number. With --send, messages are mapped on one thread (the sending has its own).
    /// Default: the available cores.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(super) threads: Option<u16>,

    /// No summary and no notes on standard error; warnings and errors are still written.
    #[arg(long, short)]
    pub(super) quiet: bool,

    /// Newline-delimited Segment messages; `-` is standard input.
    #[arg(value_name = "INPUT")]
    pub(super) inputs: Vec<PathBuf>,
}

/// Parses the arguments (the first being the program) for the tool of the table `table`.
pub(super) fn parse(
    program: &str,
    table: &'static str,
    args: Vec<OsString>,
) -> Result<Args, clap::Error> {
    let about = format!(
        "Map Segment messages to Pinterest Tag calls with the `{table}` table, as Segment's \
         Pinterest Tag destination does, and to Pinterest Conversions API events, printed or \
         sent."
    );
    let version = format!(
        "{} (pinterest-map, table `{table}`)",
        env!("CARGO_PKG_VERSION")
    );
    let command = Args::command()
        .name(program.to_owned())
        .bin_name(program.to_owned())
        .about(about.clone())
        .long_about(format!("{about}\n\n{LONG_ABOUT}"))
        .version(version);
    let matches = command.try_get_matches_from(args)?;
    Args::from_arg_matches(&matches)
}
