//! The `pinterest-map` command for any table: Segment messages as newline-delimited JSON in,
//! Pinterest Tag calls out, or Conversions API events (printed, or sent to Pinterest). [`main`]
//! is a table's whole program, with the options, exit statuses ([`SUCCESS`], [`LINES_FAILED`],
//! [`UNUSABLE`], [`OUTPUT_FAILED`]) and messages `pinterest-map --help` documents.
//!
//! A table declared in a program's own crate becomes its own tool, with the same options,
//! output and exit statuses as `pinterest-map`:
//!
//! ```no_run
//! mapping_core::pinterest_mapping! {
//!     pub mod shop {
//!         events { "Basket Checked Out" => Checkout }
//!         properties { "total" => value }
//!     }
//! }
//!
//! fn main() -> std::process::ExitCode {
//!     mapping_core::cli::main(shop::Table)
//! }
//! ```

mod args;
mod map;
mod parallel;
mod progress;
mod run;
mod send;
mod setup;
#[cfg(unix)]
mod signals;
mod stdin;
/// Without Unix signals nothing stops a run: no `Interrupt` can exist.
#[cfg(not(unix))]
mod signals {
    #[derive(Debug)]
    pub(super) enum Interrupt {}

    impl Interrupt {
        pub(super) fn install(_program: &str) -> Option<std::sync::Arc<Interrupt>> {
            None
        }

        pub(super) fn received(&self) -> Option<i32> {
            match *self {}
        }

        pub(super) fn on_signal(&self, _hook: impl Fn() + Send + Sync + 'static) {
            match *self {}
        }

        pub(super) fn wait_for_input<T>(&self, _read: impl FnOnce() -> T) -> Result<T, i32> {
            match *self {}
        }

        pub(super) fn writing<T>(&self, _lines_written: u64, _write: impl FnOnce() -> T) -> T {
            match *self {}
        }
    }

    pub(super) fn name(_signal: i32) -> &'static str {
        "a signal"
    }

    pub(super) fn end_by(signal: i32) -> ! {
        std::process::exit(128 + signal)
    }
}

use std::ffi::OsString;
use std::io::{self, IsTerminal, Read, Write};
use std::process::ExitCode;

pub use args::{LINES_FAILED, OUTPUT_FAILED, SUCCESS, UNUSABLE};
use run::Run;
use setup::Setup;
use signals::Interrupt;
use stdin::PolledStdin;

use crate::table::Mapping;

/// Parts of the tool that other tools built on this crate share (`pinterest-kafka`): the
/// same options read the same way, with the same messages.
///
/// Not a public API: it may change in any release.
#[doc(hidden)]
pub mod parts {
    pub use super::args::parse_time;
    pub use super::send::sender_config;
    pub use super::setup::read_settings;
}

/// The whole program for `table`: reads the process's arguments and standard streams, and
/// returns the exit status. `pinterest-map` is `main(spec::Table)`.
pub fn main<M: Mapping>(table: M) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = args::program_name(args.first());
    if standard_output_was_closed() {
        let _ = progress::write_whole_line(
            &mut io::stderr(),
            format_args!("{program}: cannot write output: standard output is closed"),
        );
        return ExitCode::from(OUTPUT_FAILED);
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
    ExitCode::from(run_interruptibly(
        table,
        args,
        streams,
        (interrupt.as_deref(), stdin_polled, stdout_file.as_ref()),
    ))
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
#[doc(hidden)]
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
/// tool's messages bear) and streams; returns the exit status.
///
/// Not a public API: the crate's tests drive the tool in process through it; it may change in
/// any release.
#[doc(hidden)]
pub fn run<M: Mapping, I: Read, O: Write, E: Write>(
    table: M,
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
) -> u8 {
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
) -> u8 {
    let Streams {
        mut stdin,
        stdout,
        mut stderr,
        progress,
    } = streams;
    let args: Vec<OsString> = args.into_iter().collect();
    let program = args::program_name(args.first());
    let args = match args::parse(&program, M::NAME, args) {
        Ok(args) => args,
        Err(error) => {
            let rendered = error.render().to_string();
            // --help and --version are answers, on standard output; the rest are mistakes.
            if error.use_stderr() {
                let _ = stderr.write_all(rendered.as_bytes());
                return UNUSABLE;
            }
            return match write_all_to(stdout, &rendered) {
                Ok(()) => SUCCESS,
                // Read in part (`--help | head`): what was wanted was read.
                Err(error) if error.kind() == io::ErrorKind::BrokenPipe => SUCCESS,
                Err(error) => {
                    let _ = progress::write_whole_line(
                        &mut stderr,
                        format_args!("{program}: cannot write output: {error}"),
                    );
                    OUTPUT_FAILED
                }
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
            let _ = progress::write_whole_line(&mut stderr, format_args!("{program}: {message}"));
            UNUSABLE
        }
    }
}

fn write_all_to(mut writer: impl Write, text: &str) -> io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}
