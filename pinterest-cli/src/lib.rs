//! What the command-line front ends of a Pinterest mapping share: `pinterest-map` (NDJSON in,
//! calls or events out) and `pinterest-kafka` (a stream worker), and any table's own tool or
//! worker built on them.
//!
//! The two commands take the same options the same way, read the same arguments with the
//! same messages, and report the same facts in the same words; this crate is where each of
//! those lives once:
//!
//! | module | what it is |
//! |---|---|
//! | [`args`] | the options both commands take, as [`clap::Args`] groups flattened into each ([`SettingsArgs`], [`SendArgs`]), the output choice ([`Format`], [`Output`]), and the value parsers |
//! | [`settings`] | `--settings` and `--traits`: the JSON itself, `-` for standard input, or a file; checked, with warnings |
//! | [`send`] | the Conversions API sender's configuration from the options, the settings and the environment |
//! | [`report`] | the texts of what a run reports about one message or event |
//! | [`signals`] | the stopping signals, caught by a thread ([`Interrupt`]) |
//! | `metrics` | `--metrics`: Prometheus metrics and health endpoints over HTTP (feature `metrics`) |
//!
//! Messages written on standard error are whole lines, written in one write
//! ([`write_whole_line`]), prefixed with the program's name ([`program_name`]). No message
//! repeats a value of an input: they name inputs, lines and fields (values may be personal
//! data).

pub mod args;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod report;
pub mod send;
pub mod settings;
pub mod signals;

use std::io::{self, Write};

pub use args::{
    Clock, Format, Output, SendArgs, SettingsArgs, parse_seconds, parse_time, program_name,
};
pub use report::counted;
pub use send::{SendError, TOKEN_VARIABLE};
pub use settings::ArgumentError;
pub use signals::Interrupt;

/// Writes `line` and its line end in one write: a diagnostic costs one system call, and stays
/// whole among the lines of other threads and processes.
///
/// # Errors
///
/// The writer's error.
pub fn write_whole_line(
    out: &mut (impl Write + ?Sized),
    line: std::fmt::Arguments,
) -> io::Result<()> {
    let mut text = line.to_string();
    text.push('\n');
    out.write_all(text.as_bytes())
}

/// What a command does after [`clap`] declined its arguments: `--help` and `--version` are
/// answered on standard output, anything else is a usage error on standard error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Declined {
    /// The answer (`--help`, `--version`) was written, or its reader went away (`--help |
    /// head`): what was wanted was read.
    Answered,
    /// The arguments cannot be used: the error was written to standard error.
    Unusable,
    /// The answer could not be written to standard output; standard error says why.
    OutputFailed,
}

/// Writes `error` (from parsing a command's arguments) where it belongs, and says what became
/// of it.
pub fn write_declined(
    error: &clap::Error,
    program: &str,
    stdout: impl Write,
    stderr: &mut (impl Write + ?Sized),
) -> Declined {
    let rendered = error.render().to_string();
    if error.use_stderr() {
        let _ = stderr.write_all(rendered.as_bytes());
        return Declined::Unusable;
    }
    let mut stdout = stdout;
    match stdout
        .write_all(rendered.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => Declined::Answered,
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Declined::Answered,
        Err(error) => {
            let _ = write_whole_line(
                stderr,
                format_args!("{program}: cannot write output: {error}"),
            );
            Declined::OutputFailed
        }
    }
}
