//! The command line of `pinterest-map` (and of any table's own tool): options, help and exit
//! statuses.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::{CommandFactory, FromArgMatches, Parser, ValueEnum};

/// Exit status: every line mapped.
pub const SUCCESS: u8 = 0;
/// Exit status: some lines failed, or some messages could not become or were not accepted as
/// Conversions API events.
pub const LINES_FAILED: u8 = 1;
/// Exit status: unusable arguments, settings or traits.
pub const UNUSABLE: u8 = 2;

/// The name of the program when its first argument names none.
const DEFAULT_NAME: &str = "pinterest-map";

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

Errors:
  A line that is not a valid message prints no output line; a message on stderr names the
  input, the line and what is wrong (never the values), and processing continues. With
  --format capi, a message that cannot become an event is reported the same way.
  Blank lines are skipped. An input that cannot be opened is reported and the others are
  mapped. A summary goes to stderr at the end unless --quiet. On SIGINT, SIGTERM or SIGHUP
  the lines mapped so far are written out in full and the tool ends as the signal would.

Exit status:
  0  every line was mapped
  1  some lines were not valid messages, or an input could not be opened or read to the
     end (a file that ended short of its size when opened), or output could not be written,
     or (--format capi) some messages could not become Conversions API events
  2  unusable arguments, settings or traits: nothing was processed

Example:
  pinterest-map --settings examples/settings.json --init \\
      --traits '{\"email\":\"jane@example.com\"}' examples/events.ndjson";

/// The options.
#[derive(Debug, Parser)]
#[command(after_help = AFTER_HELP)]
pub(super) struct Args {
    /// Destination settings JSON, with Segment's key names (tid, pinterestEventMapping,
    /// pinterestCustomProperties, useEnhancedMatchLoad, mapMessageIdToEventId). Without it, a
    /// built-in example configuration is used.
    #[arg(long, value_name = "FILE")]
    pub(super) settings: Option<PathBuf>,

    /// First print the calls of the destination's start-up on a page (load, page), as one
    /// line.
    #[arg(long)]
    pub(super) init: bool,

    /// The user's stored traits for --init: a JSON object, or a file holding one. Default:
    /// none.
    #[arg(long, value_name = "JSON_OR_FILE", requires = "init")]
    pub(super) traits: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub(super) format: Format,

    /// The reference time of the Conversions API's age limit, as an ISO 8601 time with an
    /// offset (2026-11-28T12:00:00Z): events older than the limit, or more than an hour
    /// ahead, are not sent. Default: the clock, at each message.
    #[arg(long, value_name = "TIME", value_parser = parse_time)]
    pub(super) now: Option<SystemTime>,

    /// No summary on standard error.
    #[arg(long, short)]
    pub(super) quiet: bool,

    /// Newline-delimited Segment messages; `-` is standard input.
    #[arg(value_name = "INPUT")]
    pub(super) inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(super) enum Format {
    /// One JSON array of Tag calls per input message.
    Json,
    /// One JavaScript statement per Tag call.
    Js,
    /// One JSON array of Conversions API events per input message.
    Capi,
}

/// `--now`: an ISO 8601 time with an offset, after 1970.
fn parse_time(text: &str) -> Result<SystemTime, String> {
    let time = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        "not an ISO 8601 time with an offset, such as 2026-11-28T12:00:00Z".to_owned()
    })?;
    let seconds = u64::try_from(time.timestamp())
        .map_err(|_| "the time must be after 1970-01-01T00:00:00Z".to_owned())?;
    Ok(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// The program's name, as it was started (`shop-map` for a table's own tool).
pub(super) fn program_name(first: Option<&OsString>) -> String {
    first
        .and_then(|first| Path::new(first).file_name())
        .and_then(|name| name.to_str())
        .filter(|name| !name.is_empty())
        .unwrap_or(DEFAULT_NAME)
        .to_owned()
}

/// Parses the arguments (the first being the program) for the tool of the table `table`.
pub(super) fn parse(
    program: &str,
    table: &'static str,
    args: Vec<OsString>,
) -> Result<Args, clap::Error> {
    let about = format!(
        "Map Segment messages to Pinterest Tag calls with the `{table}` table, as Segment's \
         Pinterest Tag destination does."
    );
    let version = format!(
        "{} (mapping-core, table `{table}`)",
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
