//! Everything a run checks before it reads the first line: the arguments, the settings, the
//! stored traits, the inputs, and what the run makes of each message.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use pinterest_cli::settings::read_traits;
use pinterest_cli::{ArgumentError, Clock, Output, SendError};
use pinterest_mapping::ndjson::OutputFormat;
use pinterest_mapping::{Destination, Mapping};

use super::args::Args;
use super::send::Sending;

/// Why a run cannot start. Nothing was read or written.
#[derive(Debug, thiserror::Error)]
pub(super) enum SetupError {
    /// Options that do not go together.
    #[error("{0}")]
    Options(&'static str),
    /// `--settings`, `--traits`.
    #[error(transparent)]
    Argument(#[from] ArgumentError),
    /// `--send`.
    #[error(transparent)]
    Send(#[from] SendError),
    /// Standard input named for more than one purpose.
    #[error("{option} - reads standard input: name the INPUT files to map")]
    StdinTaken {
        /// The option that reads it.
        option: &'static str,
    },
    /// The rejects file is a file the run reads.
    #[error("--rejects {} is {what} {}: it would be overwritten; name another file", .rejects.display(), .path.display())]
    RejectsIsRead {
        rejects: PathBuf,
        what: &'static str,
        path: PathBuf,
    },
    /// Standard output writes to a file the run reads.
    #[error("standard output is {what} {}: it would be overwritten or read back; write the output to another file", .path.display())]
    StdoutIsRead { what: &'static str, path: PathBuf },
    /// The rejects file cannot be made.
    #[error("cannot create the rejects file {}: {source}", .path.display())]
    Rejects { path: PathBuf, source: io::Error },
    /// `--metrics` cannot listen.
    #[cfg_attr(
        not(feature = "send"),
        expect(dead_code, reason = "without a sender, --metrics is never reached")
    )]
    #[error("cannot serve the metrics on {address}: {source}")]
    Metrics { address: String, source: io::Error },
}

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
    ) -> Result<Setup<M>, SetupError> {
        let output = Output::of(args.format, args.sending.send);
        output.check_now(args.now).map_err(SetupError::Options)?;
        if matches!(output, Output::Tag(OutputFormat::Js)) && args.aligned {
            return Err(SetupError::Options(
                "--aligned needs one output line per message: use it with --format json or capi",
            ));
        }
        if matches!(output, Output::Conversions) && args.init {
            return Err(SetupError::Options(
                "--init prints the Tag's start-up calls: it does not apply to --format capi",
            ));
        }
        let paths: Vec<PathBuf> = if args.inputs.is_empty() {
            vec![PathBuf::from("-")]
        } else {
            args.inputs.clone()
        };
        check_standard_input(args, &paths)?;
        check_nothing_read_is_written(args, &paths, stdout_file)?;
        let settings = args
            .settings
            .load(output.is_tag(), program, args.quiet, (stdin, stderr))?;
        let traits = args
            .traits
            .as_deref()
            .map(|argument| read_traits(argument.as_ref(), stdin))
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
            clock: Clock::new(args.now),
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
fn check_standard_input(args: &Args, paths: &[PathBuf]) -> Result<(), SetupError> {
    let settings = args.settings.reads_stdin();
    let traits = args.traits.as_deref() == Some("-");
    if settings && traits {
        return Err(ArgumentError::StdinTwice.into());
    }
    if (settings || traits) && paths.iter().any(|path| path == Path::new("-")) {
        let option = if settings { "--settings" } else { "--traits" };
        return Err(SetupError::StdinTaken { option });
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
) -> Result<(), SetupError> {
    let mut read: Vec<(&'static str, &Path)> = inputs
        .iter()
        .filter(|path| path.as_os_str() != "-")
        .map(|path| ("the input", path.as_path()))
        .collect();
    read.extend(
        args.settings
            .settings
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
            return Err(SetupError::RejectsIsRead {
                rejects: rejects.clone(),
                what,
                path: path.to_owned(),
            });
        }
        if stdout_file.is_some_and(|stdout| *stdout == handle) {
            return Err(SetupError::StdoutIsRead {
                what,
                path: path.to_owned(),
            });
        }
    }
    Ok(())
}
