//! `pinterest-map`: Segment messages as newline-delimited JSON in, Pinterest Tag calls out, or
//! Conversions API events (printed, or sent to Pinterest), for any
//! [`pinterest_mapping!`](pinterest_mapping::pinterest_mapping) table. [`main`] is a table's whole
//! program, with the options, exit statuses ([`Status`]) and messages `pinterest-map --help`
//! documents; [`run`] is the same program on given arguments and streams.
//!
//! A table declared in a program's own crate becomes its own tool, with the same options,
//! output and exit statuses as `pinterest-map`:
//!
//! ```no_run
//! pinterest_mapping::pinterest_mapping! {
//!     pub mod shop {
//!         events { "Basket Checked Out" => Checkout }
//!         properties { "total" => value }
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     pinterest_map::main(shop::Table)
//! }
//! ```
//!
//! The tool sends Conversions API events (`--send`) when built with the `send` feature, which
//! brings the HTTP client; without it, `--send` says how to get one.
//!
//! | module | what it is |
//! |---|---|
//! | `args` | the options and the help |
//! | `setup` | what is checked before the first line is read |
//! | `run` | one run over the inputs: reading, writing, reporting, the summary |
//! | `map`, `parallel` | one line to its output; lines mapped on several threads, in order |
//! | `send` | `--send`: the sender, and the rejects file |
//! | `progress`, `stdin` | the progress bar; standard input read so that signals are seen |
//!
//! What it shares with `pinterest-kafka` (the common options, the settings arguments, the
//! sender's configuration, report texts, signals) is the `pinterest-cli` crate.

// Clippy's pedantic lints this crate does not follow, beyond the workspace's, and why.
#![allow(
    // Rates and sizes are figures for people: a double's precision is plenty.
    clippy::cast_precision_loss,
)]

mod args;
mod map;
mod parallel;
mod progress;
mod resend;
mod run;
mod send;
mod setup;
mod status;
mod stdin;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

use pinterest_cli::{Declined, Interrupt, write_declined, write_whole_line};
use pinterest_mapping::Mapping;
use run::Run;
use setup::Setup;
pub use status::Status;
use stdin::PolledStdin;

/// The whole program for `table`: reads the process's arguments and standard streams, and
/// returns the exit status. `pinterest-map` is `main(spec::Table)`.
pub fn main<M: Mapping>(table: M) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = pinterest_cli::program_name(args.first(), args::DEFAULT_NAME);
    if standard_output_was_closed() {
        let _ = write_whole_line(
            &mut io::stderr(),
            format_args!("{program}: cannot write output: standard output is closed"),
        );
        return Status::OutputFailed.into();
    }
    // Read on a helper thread, so that waiting for input never keeps the run from its signals
    // and from the events it is sending.
    let (stdin, stdin_polled): (Box<dyn Read>, bool) = match PolledStdin::start() {
        Some(polled) => (Box::new(polled), true),
        None => (Box::new(io::stdin().lock()), false),
    };
    let stdout = io::stdout();
    // The progress bar needs a terminal that can draw it, and one the output does not scroll
    // (the output going by is progress enough).
    let progress = io::stderr().is_terminal()
        && !stdout.is_terminal()
        && std::env::var_os("TERM").is_none_or(|term| term != "dumb");
    let streams = Streams {
        stdin,
        stdout: unbuffered(&stdout),
        // Not locked for the run: the signals' thread clears the progress bar through it.
        stderr: io::stderr(),
        progress,
    };
    let interrupt = Interrupt::install(&program);
    // A file standard output writes to must not be an input (`>> events.ndjson`).
    let stdout_file = same_file::Handle::stdout()
        .ok()
        .filter(|handle| handle.as_file().metadata().is_ok_and(|meta| meta.is_file()));
    run_interruptibly(
        table,
        args,
        streams,
        (interrupt.as_deref(), stdin_polled, stdout_file.as_ref()),
    )
    .into()
}

/// Standard output without the standard library's line buffer: the run buffers its output
/// itself, and a write that returns has reached the file or the pipe, so that the lines it
/// counts as written are written.
fn unbuffered(stdout: &io::Stdout) -> Box<dyn Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(descriptor) = stdout.as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(descriptor));
        }
    }
    Box::new(stdout.lock())
}

/// Whether the process started with standard output closed (`>&-`). The Rust runtime then
/// opens `/dev/null` in its place, for reading and writing, and every write would vanish; a
/// redirection to `/dev/null` by a shell opens it for writing only.
fn standard_output_was_closed() -> bool {
    #[cfg(target_os = "linux")]
    {
        let is_null = std::fs::read_link("/proc/self/fd/1")
            .is_ok_and(|target| target == std::path::Path::new("/dev/null"));
        // `flags:` in octal; the access mode is its two low bits, 2 for reading and writing.
        let read_write = || {
            std::fs::read_to_string("/proc/self/fdinfo/1").is_ok_and(|info| {
                info.lines()
                    .find_map(|line| line.strip_prefix("flags:"))
                    .and_then(|flags| u32::from_str_radix(flags.trim(), 8).ok())
                    .is_some_and(|flags| flags & 3 == 2)
            })
        };
        is_null && read_write()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// The standard streams of a run of [`run`].
#[derive(Debug)]
pub struct Streams<I, O, E> {
    /// Standard input, read for `-` or when no INPUT is given.
    pub stdin: I,
    /// Standard output.
    pub stdout: O,
    /// Standard error.
    pub stderr: E,
    /// Whether to draw a progress bar on the process's standard error during long runs
    /// (unless `--quiet`).
    pub progress: bool,
}

/// Runs the tool of `table` with these arguments (the first is the program, whose name the
/// tool's messages bear) and streams, as [`main`] does with the process's own, but without
/// watching for signals; returns the exit status.
///
/// ```
/// let mut stdout = Vec::new();
/// let mut stderr = Vec::new();
/// let status = pinterest_map::run(
///     pinterest_mapping::spec::Table,
///     ["pinterest-map", "--quiet"].map(std::ffi::OsString::from),
///     pinterest_map::Streams {
///         stdin: &br#"{"type":"track","event":"Order Completed","properties":{"order_id":"o-1"}}"#[..],
///         stdout: &mut stdout,
///         stderr: &mut stderr,
///         progress: false,
///     },
/// );
/// assert_eq!(status, pinterest_map::Status::Success);
/// assert_eq!(
///     String::from_utf8(stdout).unwrap(),
///     "[[\"track\",\"Checkout\",{\"order_id\":\"o-1\"}]]\n"
/// );
/// ```
pub fn run<M: Mapping, I: Read, O: Write, E: Write>(
    table: M,
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
) -> Status {
    run_interruptibly(table, args, streams, (None, false, None))
}

/// [`run`], stopping between lines on a signal that `interrupt` watches for; `stdin_polled`:
/// standard input is a [`PolledStdin`]; `stdout_file`: the regular file standard output
/// writes to, which no input may be.
fn run_interruptibly<M: Mapping, I: Read, O: Write, E: Write>(
    table: M,
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
    (interrupt, stdin_polled, stdout_file): (Option<&Interrupt>, bool, Option<&same_file::Handle>),
) -> Status {
    let Streams {
        mut stdin,
        stdout,
        mut stderr,
        progress,
    } = streams;
    let args: Vec<OsString> = args.into_iter().collect();
    let program = pinterest_cli::program_name(args.first(), args::DEFAULT_NAME);
    let args = match args::parse(&program, M::NAME, args) {
        Ok(args) => args,
        Err(error) => {
            return match write_declined(&error, &program, stdout, &mut stderr) {
                Declined::Answered => Status::Success,
                Declined::OutputFailed => Status::OutputFailed,
                _ => Status::Unusable,
            };
        }
    };
    match Setup::new(
        table,
        &args,
        &program,
        (&mut stdin, &mut stderr),
        stdout_file,
    ) {
        Ok(mut setup) => {
            let sending = setup.sending.take();
            let show_progress = progress && !args.quiet;
            let mut run = Run::new(
                &program,
                &setup,
                sending,
                (stdout, stderr),
                (show_progress, stdin_polled),
                interrupt,
            );
            run.all(stdin, args.quiet)
        }
        Err(message) => {
            let _ = write_whole_line(&mut stderr, format_args!("{program}: {message}"));
            Status::Unusable
        }
    }
}

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
