//! The `pinterest-map` command for any table: Segment messages as newline-delimited JSON in,
//! Pinterest Tag calls out. [`main`] is a table's whole program; [`run`] is the same over
//! injected streams, so tests drive it without a process.
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
mod progress;
mod send;
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
    }

    pub(super) fn name(_signal: i32) -> &'static str {
        "a signal"
    }

    pub(super) fn end_by(signal: i32) -> ! {
        std::process::exit(128 + signal)
    }
}

use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::fs::File;
use std::io::{self, BufRead, BufReader, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

use args::{Args, Format};
pub use args::{LINES_FAILED, SUCCESS, UNUSABLE};
use progress::{Counts, Progress};
use send::{Origin, Recorder, Sending};
use signals::Interrupt;
use stdin::PolledStdin;

use crate::capi::Skip;
use crate::capi::send::{Rejection, Report, Sender, Stopped};
use crate::json::Json;
use crate::ndjson::{self, Converted, OutputFormat, write_calls};
use crate::table::Mapping;
use crate::tag::{Destination, Settings};

/// Bytes read at a time.
const INPUT_BUFFER: usize = 128 * 1024;

/// Output is written out when it reaches this size.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// The whole program for `table`: reads the process's arguments and standard streams, and
/// returns the exit status. `pinterest-map` is `main(spec::Table)`.
pub fn main<M: Mapping>(table: M) -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let program = args::program_name(args.first());
    if standard_output_was_closed() {
        eprintln!("{program}: cannot write output: standard output is closed");
        return ExitCode::from(LINES_FAILED);
    }
    let stderr = io::stderr();
    // Read on a helper thread, so that waiting for input never keeps the run from its signals
    // and from the events it is sending.
    let stdin: Box<dyn Read> = match PolledStdin::start() {
        Some(polled) => Box::new(polled),
        None => Box::new(io::stdin().lock()),
    };
    let streams = Streams {
        stdin,
        stdout: io::stdout().lock(),
        stderr_is_terminal: stderr.is_terminal(),
        stderr: stderr.lock(),
    };
    let interrupt = Interrupt::install(&program);
    ExitCode::from(run_interruptibly(
        table,
        args,
        streams,
        interrupt.as_deref(),
    ))
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

/// The standard streams of a run.
pub struct Streams<I, O, E> {
    /// Standard input, read for `-` or when no INPUT is given.
    pub stdin: I,
    /// Standard output.
    pub stdout: O,
    /// Standard error.
    pub stderr: E,
    /// Whether standard error is a terminal: a progress bar is drawn on it for long runs.
    pub stderr_is_terminal: bool,
}

/// Runs the tool of `table` with these arguments (the first is the program, whose name the
/// tool's messages bear) and streams; returns the exit status.
pub fn run<M: Mapping, I: Read, O: Write, E: Write>(
    table: M,
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
) -> u8 {
    run_interruptibly(table, args, streams, None)
}

/// [`run`], stopping between lines on a signal that `interrupt` watches for.
fn run_interruptibly<M: Mapping, I: Read, O: Write, E: Write>(
    table: M,
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
    interrupt: Option<&Interrupt>,
) -> u8 {
    let Streams {
        stdin,
        stdout,
        mut stderr,
        stderr_is_terminal,
    } = streams;
    let args: Vec<OsString> = args.into_iter().collect();
    let program = args::program_name(args.first());
    let args = match args::parse(&program, M::NAME, args) {
        Ok(args) => args,
        Err(error) => {
            let rendered = error.render().to_string();
            // --help and --version are answers, on standard output; the rest are mistakes.
            return if error.use_stderr() {
                let _ = stderr.write_all(rendered.as_bytes());
                UNUSABLE
            } else {
                let _ = write_all_to(stdout, &rendered);
                SUCCESS
            };
        }
    };
    match Setup::new(table, &args) {
        Ok(mut setup) => {
            let (sender, recorder) = match setup.sending.take() {
                Some(Sending { sender, recorder }) => (Some(sender), Some(recorder)),
                None => (None, None),
            };
            if let (Some(interrupt), Some(sender)) = (interrupt, &sender) {
                // A signal stops the sending at once: no request is started any more, and
                // what was not sent is reported.
                let stop = sender.stop_handle();
                interrupt.on_signal(move || stop.stop());
            }
            let mut run = Run {
                program: &program,
                setup: &setup,
                out: Vec::with_capacity(2 * OUTPUT_BUFFER),
                stdout,
                stderr,
                progress: Progress::new(stderr_is_terminal && !args.quiet, setup.total_bytes),
                counts: Counts::default(),
                unsendable: Vec::new(),
                sender,
                recorder,
                sent: None,
                current_input: 0,
                last_line: None,
                interrupt,
            };
            run.all(stdin, args.quiet)
        }
        Err(message) => {
            let _ = writeln!(stderr, "{program}: {message}");
            UNUSABLE
        }
    }
}

fn write_all_to(mut writer: impl Write, text: &str) -> io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

/// Everything checked before the first line is read.
struct Setup<M: Mapping> {
    destination: Destination<M>,
    output: Output,
    /// With `--send`: the started sender, taken by the run.
    sending: Option<Sending>,
    /// The reference time of the Conversions API's age limit.
    clock: Clock,
    /// Whether to print the start-up calls first.
    init: bool,
    /// The stored traits text for --init.
    traits: Option<String>,
    inputs: Vec<Input>,
    /// Total size of the input files, when all are files.
    total_bytes: Option<u64>,
}

enum Input {
    Stdin,
    File(PathBuf),
}

/// What a run makes of each message.
#[derive(Clone, Copy)]
enum Output {
    /// Tag calls, written in this format.
    Tag(OutputFormat),
    /// Conversions API events, written one JSON array per message.
    Conversions,
    /// Conversions API events, sent to Pinterest.
    Send,
}

/// The reference time of the Conversions API's age limit.
#[derive(Clone, Copy)]
enum Clock {
    /// `--now`.
    Fixed(SystemTime),
    /// The system clock, read for each message (a run may last for days).
    System,
}

impl Clock {
    fn now(self) -> SystemTime {
        match self {
            Clock::Fixed(time) => time,
            Clock::System => SystemTime::now(),
        }
    }
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(path) => path.display().to_string(),
        }
    }
}

/// An input file, open, with the size it had when it was opened (for a regular file).
fn open(path: &Path) -> io::Result<(File, Option<u64>)> {
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
    fn new(table: M, args: &Args) -> Result<Setup<M>, String> {
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

/// One run over the inputs.
struct Run<'s, M: Mapping, O: Write, E: Write> {
    /// The program's name, for its messages.
    program: &'s str,
    setup: &'s Setup<M>,
    /// Output not yet written to standard output.
    out: Vec<u8>,
    stdout: O,
    stderr: E,
    progress: Progress,
    counts: Counts,
    /// Messages that could not become Conversions API events, by reason, in order of first
    /// appearance.
    unsendable: Vec<(&'static str, u64)>,
    /// With `--send`: the sender, until it is finished.
    sender: Option<Sender<Origin>>,
    /// With `--send`: where rejected and unsent events are recorded.
    recorder: Option<Recorder>,
    /// With `--send`, once finished: what the sender did, and the rejects file.
    sent: Option<(Report, Option<PathBuf>)>,
    /// The index of the input being read.
    current_input: usize,
    /// The last line read: the input's index and the line's number.
    last_line: Option<(usize, u64)>,
    /// The signals that stop the run, when they are watched for.
    interrupt: Option<&'s Interrupt>,
}

/// Why an input was not read to its end.
enum InputStop {
    Open(io::Error),
    Read(io::Error),
    Output(Stop),
}

/// How writing the output ended, when it could not go on.
enum Stop {
    /// The reader of the output went away (`| head`): not an error.
    Closed,
    Failed(io::Error),
    /// A signal stopped the run: what was mapped is written out, then the process ends.
    Signal(Interruption),
    /// The sender stopped (credentials refused, the API unavailable): reading stops.
    Sender,
}

/// A stopping signal, and whether the run was about to wait for input when it saw it.
#[derive(Clone, Copy)]
struct Interruption {
    signal: i32,
    /// Everything mapped was written already: the run ends as it does when the signal comes
    /// during the wait, without a summary.
    waiting: bool,
}

impl From<io::Error> for Stop {
    fn from(error: io::Error) -> Stop {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Stop::Closed
        } else {
            Stop::Failed(error)
        }
    }
}

impl<M: Mapping, O: Write, E: Write> Run<'_, M, O, E> {
    fn all(&mut self, stdin: impl Read, quiet: bool) -> u8 {
        let started = Instant::now();
        let mut stdin = Some(stdin);
        let mut status = SUCCESS;
        let mut outcome = self.init();
        for (index, input) in self.setup.inputs.iter().enumerate() {
            if outcome.is_err() {
                break;
            }
            self.current_input = index;
            let name = input.name();
            let result = match input {
                // Standard input is read to its end the first time it is named.
                Input::Stdin => stdin
                    .take()
                    .map_or(Ok(true), |stdin| self.input(&name, stdin).map(|_| true)),
                Input::File(path) => match open(path) {
                    Ok((file, size)) => self
                        .input(&name, file)
                        .map(|read| self.check_size(&name, read, size)),
                    Err(error) => Err(InputStop::Open(error)),
                },
            };
            outcome = match result {
                Ok(complete) => {
                    if !complete {
                        status = LINES_FAILED;
                    }
                    Ok(())
                }
                Err(InputStop::Output(stop)) => Err(stop),
                Err(InputStop::Open(error)) => {
                    status = LINES_FAILED;
                    self.warn(format_args!("cannot open {name}: {error}"));
                    Ok(())
                }
                Err(InputStop::Read(error)) => {
                    status = LINES_FAILED;
                    self.warn(format_args!("{name}: read error: {error}"));
                    Ok(())
                }
            };
        }
        // A signal stops the reading, not the writing: what was mapped goes out first.
        let mut interruption = match outcome {
            Err(Stop::Signal(interruption)) => {
                outcome = Ok(());
                Some(interruption)
            }
            _ => None,
        };
        match outcome.and_then(|()| self.flush_output()) {
            Ok(()) | Err(Stop::Closed | Stop::Signal(_) | Stop::Sender) => {}
            Err(Stop::Failed(error)) => {
                self.warn(format_args!("cannot write output: {error}"));
                status = LINES_FAILED;
            }
        }
        if let Some(sender) = self.sender.take() {
            status = status.max(self.finish_sending(sender, interruption.is_some()));
            // A signal during the last deliveries stopped them: the run ends as it would.
            if let (None, Some(signal)) =
                (interruption, self.interrupt.and_then(Interrupt::received))
            {
                interruption = Some(Interruption {
                    signal,
                    waiting: false,
                });
            }
        }
        self.progress.clear(&mut self.stderr);
        if let Some(Interruption { signal, .. }) = interruption {
            self.warn(format_args!("stopped by {}", signals::name(signal)));
        }
        // Stopped while waiting for input, the tool says no more than that; a run that was
        // sending says what became of its events.
        let waiting =
            interruption.is_some_and(|interruption| interruption.waiting) && self.sent.is_none();
        if !quiet && !waiting {
            let _ = self.summary(started.elapsed());
        }
        if let Some(Interruption { signal, .. }) = interruption {
            let _ = self.stderr.flush();
            signals::end_by(signal);
        }
        if self.counts.errors > 0 || !self.unsendable.is_empty() {
            status = LINES_FAILED;
        }
        status
    }

    /// Whether a file was read to the size it had when it was opened; warns if not.
    fn check_size(&mut self, name: &str, read: u64, size: Option<u64>) -> bool {
        match size {
            Some(size) if read < size => {
                self.warn(format_args!(
                    "{name}: ended after {read} bytes, short of the {size} it had when opened \
                     (was it truncated while being read?)"
                ));
                false
            }
            _ => true,
        }
    }

    /// A message about the run (not about a line) on standard error.
    fn warn(&mut self, message: fmt::Arguments) {
        self.progress.clear(&mut self.stderr);
        let _ = writeln!(self.stderr, "{}: {message}", self.program);
    }

    /// The signal that stops the run, if one was received.
    fn interrupted(&self) -> Result<(), Stop> {
        if let Some(signal) = self.interrupt.and_then(Interrupt::received) {
            return Err(Stop::Signal(Interruption {
                signal,
                waiting: false,
            }));
        }
        Ok(())
    }

    /// A read that may wait for input: a signal during it ends the process, unless the run is
    /// sending (its events must be accounted for first: a read then waits briefly at most, and
    /// the run sees the signal after it).
    fn wait_for_input<T>(&self, read: impl FnOnce() -> T) -> Result<T, Stop> {
        match self.interrupt {
            Some(_) if self.sender.is_some() => {
                self.interrupted()?;
                Ok(read())
            }
            Some(interrupt) => interrupt.wait_for_input(read).map_err(|signal| {
                Stop::Signal(Interruption {
                    signal,
                    waiting: true,
                })
            }),
            None => Ok(read()),
        }
    }

    fn init(&mut self) -> Result<(), Stop> {
        if !self.setup.init {
            return Ok(());
        }
        // Checked to be an object when the run was set up.
        let traits = self
            .setup
            .traits
            .as_deref()
            .and_then(|text| Json::parse(text).ok());
        let calls = self.setup.destination.initialize(traits);
        if let Output::Tag(format) = self.setup.output {
            write_calls(format, &calls, &mut self.out);
        }
        Ok(())
    }

    /// Writes the buffered output to standard output.
    fn flush_output(&mut self) -> Result<(), Stop> {
        if !self.out.is_empty() {
            self.stdout.write_all(&self.out)?;
            self.out.clear();
        }
        Ok(self.stdout.flush()?)
    }

    /// Maps one input to its end, or until the output fails. Lines are mapped where they lie
    /// in the read buffer; only a line that spans two reads is copied.
    /// Returns the number of bytes read.
    fn input(&mut self, name: &str, reader: impl Read) -> Result<u64, InputStop> {
        let mut reader = BufReader::with_capacity(INPUT_BUFFER, reader);
        // The start of a line whose end has not been read yet.
        let mut partial = Vec::new();
        let mut number = 0_u64;
        let mut read = 0_u64;
        loop {
            let filled = if reader.buffer().is_empty() {
                // The read may wait for input: what is mapped so far goes out first.
                self.flush_output().map_err(InputStop::Output)?;
                self.wait_for_input(|| reader.fill_buf())
                    .map_err(InputStop::Output)?
            } else {
                reader.fill_buf()
            };
            let available = match filled {
                Ok(available) => available,
                // No input for a while, or a read interrupted: the signals and the sending
                // have their turn.
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    self.take_outcomes();
                    if let Some(signal) = self.interrupt.and_then(Interrupt::received) {
                        return Err(InputStop::Output(Stop::Signal(Interruption {
                            signal,
                            waiting: true,
                        })));
                    }
                    continue;
                }
                Err(error) => return Err(InputStop::Read(error)),
            };
            if available.is_empty() {
                // The last line may lack its newline.
                if !partial.is_empty() {
                    number += 1;
                    self.line(name, number, &partial)?;
                }
                return Ok(read);
            }
            read += available.len() as u64;
            let mut start = 0;
            for end in memchr::memchr_iter(b'\n', available) {
                number += 1;
                if partial.is_empty() {
                    self.line(name, number, &available[start..end])?;
                } else {
                    partial.extend_from_slice(&available[..end]);
                    self.line(name, number, &partial)?;
                    partial.clear();
                    if partial.capacity() > 4 * INPUT_BUFFER {
                        // One huge line must not keep its memory for the rest of the run.
                        partial = Vec::new();
                    }
                }
                start = end + 1;
            }
            partial.extend_from_slice(&available[start..]);
            let length = available.len();
            reader.consume(length);
        }
    }

    /// Maps one line: its calls go to the output, or its error to standard error.
    fn line(&mut self, name: &str, number: u64, line: &[u8]) -> Result<(), InputStop> {
        self.counts.bytes += line.len() as u64 + 1;
        self.last_line = Some((self.current_input, number));
        let text = match std::str::from_utf8(line) {
            Ok(text) => text,
            Err(error) => {
                let message = format!("not valid UTF-8 (byte {})", error.valid_up_to() + 1);
                self.line_error(name, number, &message);
                return Ok(());
            }
        };
        // A byte-order mark may open a file, and so any line of concatenated files.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        // As for `JSON.parse`, only spaces, tabs and CRs are nothing: any other white space
        // (a no-break space, U+2028) makes an invalid line, reported.
        if text
            .bytes()
            .all(|byte| matches!(byte, b' ' | b'\t' | b'\r'))
        {
            return Ok(());
        }
        let destination = &self.setup.destination;
        match self.setup.output {
            Output::Tag(format) => match ndjson::map_line(destination, format, text, &mut self.out)
            {
                Ok(calls) => {
                    self.counts.messages += 1;
                    self.counts.calls += calls as u64;
                }
                Err(error) => self.line_error(name, number, &error.to_string()),
            },
            Output::Conversions => {
                let now = self.setup.clock.now();
                match ndjson::convert_line(destination, text, now, &mut self.out) {
                    Ok(conversion) => {
                        self.counts.messages += 1;
                        self.conversion(name, number, &conversion);
                    }
                    Err(error) => self.line_error(name, number, &error.to_string()),
                }
            }
            Output::Send => {
                let now = self.setup.clock.now();
                let origin = Origin {
                    input: self.current_input,
                    line: number,
                };
                let sender = self.sender.as_ref();
                let sent = destination.conversion_text(text, now, |conversion| {
                    let (converted, event) = Converted::split(conversion);
                    let sent = match (sender, event) {
                        (Some(sender), Some(event)) => sender.send(origin, &event),
                        _ => Ok(()),
                    };
                    (converted, sent)
                });
                match sent {
                    Ok((converted, sent)) => {
                        self.counts.messages += 1;
                        self.conversion(name, number, &converted);
                        self.take_outcomes();
                        if sent.is_err() {
                            // Stopped by a signal, or by Pinterest's answers.
                            self.interrupted().map_err(InputStop::Output)?;
                            return Err(InputStop::Output(Stop::Sender));
                        }
                    }
                    Err(error) => self.line_error(name, number, &error.to_string()),
                }
            }
        }
        if self.out.len() >= OUTPUT_BUFFER {
            self.flush_output().map_err(InputStop::Output)?;
        }
        self.progress.tick(&mut self.stderr, &self.counts);
        self.interrupted().map_err(InputStop::Output)
    }

    /// Records the rejected and unsent events known so far.
    fn take_outcomes(&mut self) {
        let Some(sender) = &self.sender else {
            return;
        };
        let rejections: Vec<_> = send::rejections(sender.outcomes()).collect();
        self.record(rejections);
    }

    /// Records rejected and unsent events, in the rejects file or on standard error.
    fn record(&mut self, rejections: impl IntoIterator<Item = Rejection<Origin>>) {
        let Some(recorder) = &mut self.recorder else {
            return;
        };
        for rejection in rejections {
            let name = self.setup.inputs[rejection.origin.input].name();
            let messages = recorder.record(&rejection, &name);
            if !messages.is_empty() {
                self.progress.clear(&mut self.stderr);
            }
            for message in messages {
                let _ = writeln!(self.stderr, "{message}");
            }
        }
    }

    /// Sends what is queued (or, after a signal, stops at once), waits for every answer,
    /// records the rejected and unsent events, and returns the run's status as far as sending
    /// goes.
    fn finish_sending(&mut self, sender: Sender<Origin>, signalled: bool) -> u8 {
        if signalled {
            sender.stop();
        }
        let finished = sender.finish();
        self.record(send::rejections(finished.outcomes));
        let report = finished.report;
        let rejects = self
            .recorder
            .as_ref()
            .and_then(Recorder::rejects_path)
            .map(Path::to_path_buf);
        self.sent = Some((report, rejects));
        let mut status = SUCCESS;
        if report.rejected + report.not_sent > 0 {
            status = LINES_FAILED;
        }
        if let Some(stopped) = finished
            .stopped
            .filter(|stopped| *stopped != Stopped::Requested)
        {
            let read = match self.last_line {
                Some((input, line)) => {
                    format!(
                        "the input read up to {}:{line}",
                        self.setup.inputs[input].name()
                    )
                }
                None => "no input read".to_owned(),
            };
            self.warn(format_args!(
                "stopped sending: {stopped}; {} events not sent, {read}",
                report.not_sent
            ));
            if send::is_configuration(&stopped) {
                status = UNUSABLE;
            }
        }
        status
    }

    fn line_error(&mut self, name: &str, number: u64, message: &str) {
        self.counts.errors += 1;
        self.line_message(name, number, format_args!("{message}"));
    }

    /// A message about one line on standard error.
    fn line_message(&mut self, name: &str, number: u64, message: fmt::Arguments) {
        self.progress.clear(&mut self.stderr);
        let _ = writeln!(self.stderr, "{name}:{number}: {message}");
    }

    /// Counts what became of a message's Conversions API event, and reports a message that
    /// could not become one and the fields left out of one.
    fn conversion(&mut self, name: &str, number: u64, conversion: &Converted) {
        match conversion {
            Converted::Event { warnings } => {
                self.counts.events += 1;
                for warning in warnings {
                    self.counts.warnings += 1;
                    self.line_message(name, number, format_args!("warning: {warning}"));
                }
            }
            Converted::Skipped(Skip::NotAnEvent | Skip::PartnerEvent) => {
                self.counts.skipped += 1;
            }
            Converted::Unsendable(unsendable) => {
                let reason = unsendable.reason();
                match self
                    .unsendable
                    .iter_mut()
                    .find(|(known, _)| *known == reason)
                {
                    Some((_, count)) => *count += 1,
                    None => self.unsendable.push((reason, 1)),
                }
                self.line_message(
                    name,
                    number,
                    format_args!("not sent to the Conversions API: {unsendable}"),
                );
            }
        }
    }

    fn summary(&mut self, elapsed: Duration) -> io::Result<()> {
        let Counts {
            messages,
            calls,
            events,
            skipped,
            warnings,
            errors,
            bytes,
        } = self.counts;
        let seconds = elapsed.as_secs_f64();
        let mut details = if seconds > 0.0 {
            format!(
                "{:.0} messages/s, {:.1} MB/s",
                messages as f64 / seconds,
                bytes as f64 / seconds / 1e6
            )
        } else {
            "instant".to_owned()
        };
        if let Some(kib) = peak_memory_kib() {
            let _ = write!(details, ", peak memory {:.1} MiB", kib as f64 / 1024.0);
        }
        let outputs = match self.setup.output {
            Output::Tag(_) => format!("{calls} calls"),
            Output::Conversions | Output::Send => {
                let unsendable: u64 = self.unsendable.iter().map(|(_, count)| count).sum();
                let mut outputs = format!("{events} events, {unsendable} unsendable");
                if unsendable > 0 {
                    let reasons: Vec<String> = self
                        .unsendable
                        .iter()
                        .map(|(reason, count)| format!("{count} {reason}"))
                        .collect();
                    let _ = write!(outputs, " ({})", reasons.join(", "));
                }
                let _ = write!(outputs, ", {skipped} without an event");
                if warnings > 0 {
                    let _ = write!(outputs, ", {warnings} fields left out");
                }
                if let Some((report, rejects)) = &self.sent {
                    let _ = write!(outputs, ", {}", send::summary(report, rejects.as_deref()));
                }
                outputs
            }
        };
        writeln!(
            self.stderr,
            "{}: {messages} messages, {outputs}, {errors} errors in {seconds:.3} s ({details})",
            self.program
        )
    }
}

/// The process's peak resident memory, where the system reports it (`VmHWM` on Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
