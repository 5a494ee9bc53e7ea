//! Everything a run checks before it reads the first line: the arguments, the settings, the
//! stored traits, the inputs, and what the run makes of each message.

use std::ffi::OsStr;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::args::{Args, Format};
use super::progress::write_whole_line;
use super::send::{Sending, TOKEN_VARIABLE};
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
    /// `--aligned`: `null` for each blank or invalid line.
    pub(super) aligned: bool,
    /// `--max-errors`.
    pub(super) max_errors: Option<u64>,
    /// `--max-line-bytes`.
    pub(super) max_line_bytes: usize,
    /// `--threads`: the threads that map messages.
    pub(super) threads: usize,
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
    /// Checks the arguments and reads the settings and traits (from `stdin` for `-`). The
    /// settings' warnings go to `stderr` as they are found; with `--strict`, any warning makes
    /// the setup fail before an input is opened or a request made.
    pub(super) fn new(
        table: M,
        args: &Args,
        program: &str,
        (stdin, stderr): (&mut dyn Read, &mut dyn Write),
        stdout_file: Option<&same_file::Handle>,
    ) -> Result<Setup<M>, String> {
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
        if matches!(output, Output::Tag(OutputFormat::Js)) && args.aligned {
            return Err(
                "--aligned needs one output line per message: use it with --format json or capi"
                    .to_owned(),
            );
        }
        if matches!(output, Output::Conversions) && args.init {
            return Err(
                "--init prints the Tag's start-up calls: it does not apply to --format capi"
                    .to_owned(),
            );
        }
        let paths: Vec<PathBuf> = if args.inputs.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            args.inputs.clone()
        };
        check_standard_input(args, &paths)?;
        check_nothing_read_is_written(args, &paths, stdout_file)?;
        let settings = match &args.settings {
            Some(argument) => read_settings(
                argument,
                matches!(output, Output::Tag(_)),
                program,
                (stdin, stderr),
                args.strict,
            )?,
            None => {
                let settings = Settings::example();
                if !args.quiet {
                    let _ = write_whole_line(
                        stderr,
                        format_args!(
                            "{program}: no --settings: using the built-in example \
                             configuration (tag ID {})",
                            settings.tid
                        ),
                    );
                }
                settings
            }
        };
        let traits = args
            .traits
            .as_deref()
            .map(|argument| read_traits(argument, stdin))
            .transpose()?;
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
            aligned: args.aligned,
            max_errors: args.max_errors,
            max_line_bytes: usize::try_from(args.max_line_bytes).unwrap_or(usize::MAX),
            threads: args.threads.map_or_else(
                || std::thread::available_parallelism().map_or(1, usize::from),
                usize::from,
            ),
            traits,
            inputs,
            total_bytes,
        })
    }
}

/// Standard input can be read for one purpose: the settings, the traits, or the messages.
fn check_standard_input(args: &Args, paths: &[PathBuf]) -> Result<(), String> {
    let settings = args
        .settings
        .as_deref()
        .is_some_and(|path| path == Path::new("-"));
    let traits = args.traits.as_deref() == Some("-");
    if settings && traits {
        return Err("--settings and --traits cannot both be read from standard input".to_owned());
    }
    if (settings || traits) && paths.iter().any(|path| path == Path::new("-")) {
        let option = if settings { "--settings" } else { "--traits" };
        return Err(format!(
            "{option} - reads standard input: name the INPUT files to map"
        ));
    }
    Ok(())
}

/// No file the run reads (an input, the settings, the traits) is one it writes (standard
/// output, the rejects file): writing would destroy it, or feed the run its own output. Files
/// are compared by identity (device and inode, or the system's file index), so that another
/// path or a link to the same file is found too.
fn check_nothing_read_is_written(
    args: &Args,
    inputs: &[PathBuf],
    stdout_file: Option<&same_file::Handle>,
) -> Result<(), String> {
    let mut read: Vec<(&str, &Path)> = inputs
        .iter()
        .filter(|path| path.as_os_str() != "-")
        .map(|path| ("the input", path.as_path()))
        .collect();
    read.extend(
        args.settings
            .as_deref()
            .filter(|path| path.is_file())
            .map(|path| ("the settings file", path)),
    );
    read.extend(
        args.traits
            .as_deref()
            .map(Path::new)
            .filter(|path| path.is_file())
            .map(|path| ("the --traits file", path)),
    );
    for (what, path) in read {
        let Ok(handle) = same_file::Handle::from_path(path) else {
            continue;
        };
        if let Some(rejects) = &args.rejects
            && same_file::Handle::from_path(rejects).is_ok_and(|rejects| rejects == handle)
        {
            return Err(format!(
                "--rejects {} is {what} {}: it would be overwritten; name another file",
                rejects.display(),
                path.display()
            ));
        }
        if stdout_file.is_some_and(|stdout| *stdout == handle) {
            return Err(format!(
                "standard output is {what} {}: it would be overwritten or read back; write \
                 the output to another file",
                path.display()
            ));
        }
    }
    Ok(())
}

/// Where the text of a JSON option came from.
enum Source {
    /// The argument itself.
    Inline,
    /// `-`.
    Stdin,
    File(PathBuf),
}

/// The text of a JSON option (`--settings`, `--traits`): the argument itself when it is JSON,
/// standard input for `-`, or else the file it names. A byte-order mark before the JSON is
/// dropped. `show_path`: whether an unreadable file may be named in the error (a `--traits`
/// argument may be personal data: an email written where JSON was meant).
fn read_json_argument(
    option: &str,
    argument: &OsStr,
    show_path: bool,
    stdin: &mut dyn Read,
) -> Result<(String, Source), String> {
    let utf8 = |bytes: Vec<u8>, what: &str| {
        String::from_utf8(bytes).map_err(|error| {
            format!(
                "{what} is not valid UTF-8 (byte {})",
                error.utf8_error().valid_up_to() + 1
            )
        })
    };
    let (text, source) = if argument == "-" {
        let mut bytes = Vec::new();
        stdin
            .read_to_end(&mut bytes)
            .map_err(|error| format!("{option} -: cannot read standard input: {error}"))?;
        (
            utf8(bytes, &format!("standard input for {option}"))?,
            Source::Stdin,
        )
    } else {
        let inline = argument
            .to_str()
            .map(|text| text.strip_prefix('\u{feff}').unwrap_or(text));
        match inline.map(|text| (text, Json::parse(text))) {
            Some((text, Ok(_))) => (text.to_owned(), Source::Inline),
            inline => match std::fs::read(argument) {
                Ok(bytes) => {
                    let what = if show_path {
                        Path::new(argument).display().to_string()
                    } else {
                        format!("the {option} file")
                    };
                    let text = utf8(bytes, &what)?;
                    (text, Source::File(PathBuf::from(argument)))
                }
                // Written as JSON, or not a file: the JSON error says what is wrong.
                Err(_)
                    if inline
                        .as_ref()
                        .is_some_and(|(text, _)| looks_like_json(text)) =>
                {
                    let error = inline.and_then(|(_, parsed)| parsed.err());
                    return Err(format!(
                        "{option} is not valid JSON: {}",
                        error.map(|error| error.to_string()).unwrap_or_default()
                    ));
                }
                Err(error) if show_path => {
                    return Err(format!(
                        "cannot read {} {}: {error}",
                        option.trim_start_matches('-'),
                        Path::new(argument).display()
                    ));
                }
                Err(error) => {
                    return Err(format!(
                        "{option} is neither JSON nor a file that can be read: {error}"
                    ));
                }
            },
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    Ok((text, source))
}

/// `--settings`: the JSON itself, `-` for standard input, or a file holding it; read,
/// checked, and its warnings written to `stderr` as `PROGRAM: warning: ...` (those about the
/// Tag only when `tag_output`). With `strict`, a warning is an error.
///
/// # Errors
///
/// The settings cannot be read or are invalid, or (`strict`) have warnings: the message to
/// print.
pub fn read_settings(
    argument: &Path,
    tag_output: bool,
    program: &str,
    (stdin, stderr): (&mut dyn Read, &mut dyn Write),
    strict: bool,
) -> Result<Settings, String> {
    let (text, source) = read_json_argument("--settings", argument.as_os_str(), true, stdin)?;
    let name = match &source {
        Source::Inline => "--settings".to_owned(),
        Source::Stdin => "--settings -".to_owned(),
        Source::File(path) => path.display().to_string(),
    };
    let (settings, warnings) =
        Settings::from_json_with_warnings(&text).map_err(|error| format!("{name}: {error}"))?;
    let mut warnings: Vec<String> = warnings
        .into_iter()
        .filter(|warning| tag_output || !warning.is_tag_only())
        .map(|warning| warning.to_string())
        .collect();
    // A token written in an argument shows in the process list and in the shell's history.
    if matches!(source, Source::Inline) && settings.conversion_token.is_some() {
        warnings.push(format!(
            "`conversion_token` is in the argument itself, where the process list and the \
             shell's history show it: set the environment variable {TOKEN_VARIABLE}, or put \
             the settings in a file"
        ));
    }
    for warning in &warnings {
        let _ = write_whole_line(
            stderr,
            format_args!("{program}: warning: {name}: {warning}"),
        );
    }
    if strict && !warnings.is_empty() {
        return Err(format!(
            "--strict: {} in the settings: nothing was read",
            if warnings.len() == 1 {
                "1 warning".to_owned()
            } else {
                format!("{} warnings", warnings.len())
            }
        ));
    }
    Ok(settings)
}

/// `--traits`: JSON, `-` for standard input, or else a file holding JSON; an object either way.
/// The argument is never repeated in a message: it may be personal data.
fn read_traits(argument: &str, stdin: &mut dyn Read) -> Result<String, String> {
    let (text, source) = read_json_argument("--traits", argument.as_ref(), false, stdin)?;
    let what = match source {
        Source::Inline => "--traits must be",
        Source::Stdin => "standard input for --traits must hold",
        Source::File(_) => "the --traits file must hold",
    };
    match Json::parse(&text) {
        Ok(json) if json.is_object() => Ok(text),
        Ok(other) => Err(format!("{what} a JSON object, found {}", other.type_name())),
        Err(error) => Err(match source {
            Source::Stdin => format!("standard input for --traits is not valid JSON: {error}"),
            _ => format!("the --traits file is not valid JSON: {error}"),
        }),
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
