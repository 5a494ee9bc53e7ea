//! Everything a run checks before it reads the first line: the arguments, the settings, the
//! stored traits, the inputs, and what the run makes of each message.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::args::{Args, Format};
use super::send::Sending;
use crate::json::Json;
use crate::ndjson::OutputFormat;
use crate::table::Mapping;
use crate::tag::{Destination, Settings};

/// Everything checked before the first line is read.
pub(super) struct Setup<M: Mapping> {
    pub(super) destination: Destination<M>,
    pub(super) output: Output,
    /// With `--send`: the started sender, taken by the run.
    pub(super) sending: Option<Sending>,
    /// The reference time of the Conversions API's age limit.
    pub(super) clock: Clock,
    /// Whether to print the start-up calls first.
    pub(super) init: bool,
    /// The stored traits text for --init.
    pub(super) traits: Option<String>,
    pub(super) inputs: Vec<Input>,
    /// Total size of the input files, when all are files.
    pub(super) total_bytes: Option<u64>,
}

pub(super) enum Input {
    Stdin,
    File(PathBuf),
}

/// What a run makes of each message.
#[derive(Clone, Copy)]
pub(super) enum Output {
    /// Tag calls, written in this format.
    Tag(OutputFormat),
    /// Conversions API events, written one JSON array per message.
    Conversions,
    /// Conversions API events, sent to Pinterest.
    Send,
}

/// The reference time of the Conversions API's age limit.
#[derive(Clone, Copy)]
pub(super) enum Clock {
    /// `--now`.
    Fixed(SystemTime),
    /// The system clock, read for each message (a run may last for days).
    System,
}

impl Clock {
    pub(super) fn now(self) -> SystemTime {
        match self {
            Clock::Fixed(time) => time,
            Clock::System => SystemTime::now(),
        }
    }
}

impl Input {
    pub(super) fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// An input file, open, with the size it had when it was opened (for a regular file).
pub(super) fn open(path: &Path) -> io::Result<(File, Option<u64>)> {
    let file = File::open(path)?;
    let metadata = file.metadata()?;
    if metadata.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "it is a directory",
        ));
    }
    Ok((file, metadata.is_file().then_some(metadata.len())))
}

impl<M: Mapping> Setup<M> {
    pub(super) fn new(table: M, args: &Args) -> Result<Setup<M>, String> {
        let output = match args.format {
            _ if args.send => Output::Send,
            Format::Json => Output::Tag(OutputFormat::Json),
            Format::Js => Output::Tag(OutputFormat::Js),
            Format::Capi => Output::Conversions,
        };
        if matches!(output, Output::Tag(_)) && args.now.is_some() {
            return Err(
                "--now sets the Conversions API's reference time: use it with --format capi or --send"
                    .to_owned(),
            );
        }
        if matches!(output, Output::Conversions) && args.init {
            return Err(
                "--init prints the Tag's start-up calls: it does not apply to --format capi"
                    .to_owned(),
            );
        }
        let settings = match &args.settings {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|error| format!("cannot read settings {}: {error}", path.display()))?;
                Settings::from_json(&text)
                    .map_err(|error| format!("{}: {error}", path.display()))?
            }
            None => Settings::example(),
        };
        let traits = args.traits.as_deref().map(read_traits).transpose()?;
        let paths: Vec<PathBuf> = if args.inputs.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            args.inputs.clone()
        };
        // Each input is opened when its turn comes; their sizes are known now, for the
        // progress bar.
        let mut total_bytes = Some(0);
        let inputs = paths
            .into_iter()
            .map(|path| {
                if path.as_os_str() == "-" {
                    total_bytes = None;
                    return Input::Stdin;
                }
                if let Ok(metadata) = std::fs::metadata(&path) {
                    total_bytes = total_bytes.map(|total| total + metadata.len());
                }
                Input::File(path)
            })
            .collect();
        let sending = match output {
            Output::Send => Some(Sending::new(args, &settings)?),
            _ => None,
        };
        Ok(Setup {
            destination: Destination::with_table(table, settings),
            output,
            sending,
            clock: args.now.map_or(Clock::System, Clock::Fixed),
            init: args.init,
            traits,
            inputs,
            total_bytes,
        })
    }
}

/// `--traits`: JSON, or else a file holding JSON; an object either way. The argument is never
/// repeated in a message: it may be personal data (an email written where JSON was meant).
fn read_traits(argument: &str) -> Result<String, String> {
    let argument = argument.strip_prefix('\u{feff}').unwrap_or(argument);
    let (text, source) = match Json::parse(argument) {
        Ok(_) => (argument.to_owned(), "--traits must be"),
        Err(json_error) => match std::fs::read(argument) {
            Ok(bytes) => {
                let text = String::from_utf8(bytes).map_err(|error| {
                    format!(
                        "the --traits file is not valid UTF-8 (byte {})",
                        error.utf8_error().valid_up_to() + 1
                    )
                })?;
                (text, "the --traits file must hold")
            }
            // Written as JSON, or not a file: the JSON error says what is wrong.
            Err(_) if looks_like_json(argument) => {
                return Err(format!("--traits is not valid JSON: {json_error}"));
            }
            Err(error) => {
                return Err(format!(
                    "--traits is neither JSON nor a file that can be read: {error}"
                ));
            }
        },
    };
    // A byte-order mark may open a file.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    match Json::parse(&text) {
        Ok(json) if json.is_object() => Ok(text),
        Ok(other) => Err(format!(
            "{source} a JSON object, found {}",
            other.type_name()
        )),
        Err(error) => Err(format!("the --traits file is not valid JSON: {error}")),
    }
}

/// Whether an argument was meant as JSON text rather than a file name: it opens a JSON object,
/// array or string.
fn looks_like_json(argument: &str) -> bool {
    matches!(
        argument
            .trim_start_matches([' ', '\t', '\n', '\r'])
            .as_bytes()
            .first(),
        Some(b'{' | b'[' | b'"')
    )
}
