//! The `pinterest-map` command: Segment messages as newline-delimited JSON in, Pinterest Tag
//! calls out. [`run`] is the whole program over injected streams, so tests drive it without a
//! process.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::{Parser, ValueEnum};

use crate::destination::Destination;
use crate::json::Json;
use crate::ndjson::{self, OutputFormat, write_calls};
use crate::raw::RawObject;
use crate::settings::Settings;

/// Bytes read at a time.
const INPUT_BUFFER: usize = 128 * 1024;

/// Output is written out when it reaches this size.
const OUTPUT_BUFFER: usize = 64 * 1024;

const AFTER_HELP: &str = "\
Output:
  --format json  one line per input message: the JSON array of the calls it produced,
                 [] when none, e.g. [[\"track\",\"Checkout\",{\"order_id\":\"o-1\"}]]
  --format js    one JavaScript statement per call, e.g. pintrk(\"page\");
                 safe to place inside an HTML <script> element

Errors:
  A line that is not a valid message prints no output line; a message on stderr names the
  input, the line and what is wrong (never the values), and processing continues.
  Blank lines are skipped. A summary goes to stderr at the end unless --quiet.

Exit status:
  0  every line was mapped
  1  some lines were not valid messages, or an input could not be read to the end
  2  unusable arguments, settings or traits: nothing was processed

Example:
  pinterest-map --settings examples/settings.json --init \\
      --traits '{\"email\":\"jane@example.com\"}' examples/events.ndjson";

/// Map Segment messages to Pinterest Tag calls, as Segment's Pinterest Tag destination does.
///
/// Reads newline-delimited Segment messages (track, page, identify; other types produce no
/// call) from the INPUT files, or from standard input when there are none or for `-`. Memory
/// stays constant whatever the input size; output is buffered, and flushed at the end and
/// whenever input stalls.
#[derive(Debug, Parser)]
#[command(name = "pinterest-map", version, after_help = AFTER_HELP)]
struct Args {
    /// Destination settings JSON, with Segment's key names (tid, pinterestEventMapping,
    /// pinterestCustomProperties, useEnhancedMatchLoad, mapMessageIdToEventId). Without it, a
    /// built-in example configuration is used.
    #[arg(long, value_name = "FILE")]
    settings: Option<PathBuf>,

    /// First print the calls of the destination's start-up on a page (load, page), as one
    /// line.
    #[arg(long)]
    init: bool,

    /// The user's stored traits for --init: a JSON object, or a file holding one. Default:
    /// none.
    #[arg(long, value_name = "JSON_OR_FILE", requires = "init")]
    traits: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,

    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,

    /// Newline-delimited Segment messages; `-` is standard input.
    #[arg(value_name = "INPUT")]
    inputs: Vec<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One JSON array of calls per input message.
    Json,
    /// One JavaScript statement per call.
    Js,
}

impl From<Format> for OutputFormat {
    fn from(format: Format) -> OutputFormat {
        match format {
            Format::Json => OutputFormat::Json,
            Format::Js => OutputFormat::Js,
        }
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

/// Exit status: every line mapped.
pub const SUCCESS: u8 = 0;
/// Exit status: some lines failed.
pub const LINES_FAILED: u8 = 1;
/// Exit status: unusable arguments, settings or traits.
pub const UNUSABLE: u8 = 2;

/// Runs `pinterest-map` with these arguments (the first is the program name) and streams;
/// returns the exit status.
pub fn run<I: Read, O: Write, E: Write>(
    args: impl IntoIterator<Item = OsString>,
    streams: Streams<I, O, E>,
) -> u8 {
    let Streams {
        stdin,
        stdout,
        mut stderr,
        stderr_is_terminal,
    } = streams;
    let args = match Args::try_parse_from(args) {
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
    match Setup::new(&args) {
        Ok(setup) => {
            let mut run = Run {
                setup: &setup,
                format: args.format.into(),
                out: Vec::with_capacity(2 * OUTPUT_BUFFER),
                stdout,
                stderr,
                progress: Progress::new(stderr_is_terminal && !args.quiet, setup.total_bytes),
                counts: Counts::default(),
            };
            run.all(stdin, args.quiet)
        }
        Err(message) => {
            let _ = writeln!(stderr, "pinterest-map: {message}");
            UNUSABLE
        }
    }
}

fn write_all_to(mut writer: impl Write, text: &str) -> io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

/// Everything checked before the first line is read.
struct Setup {
    destination: Destination,
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
    File(PathBuf, File),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_owned(),
            Input::File(path, _) => path.display().to_string(),
        }
    }
}

impl Setup {
    fn new(args: &Args) -> Result<Setup, String> {
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
        let mut inputs = Vec::with_capacity(paths.len());
        let mut total_bytes = Some(0);
        for path in paths {
            if path.as_os_str() == "-" {
                total_bytes = None;
                inputs.push(Input::Stdin);
                continue;
            }
            let file = File::open(&path)
                .map_err(|error| format!("cannot open {}: {error}", path.display()))?;
            let metadata = file
                .metadata()
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
            if metadata.is_dir() {
                return Err(format!("cannot read {}: it is a directory", path.display()));
            }
            total_bytes = total_bytes.map(|total| total + metadata.len());
            inputs.push(Input::File(path, file));
        }
        Ok(Setup {
            destination: Destination::new(settings),
            init: args.init,
            traits,
            inputs,
            total_bytes,
        })
    }
}

/// `--traits`: JSON when it starts with `{`, otherwise a file holding JSON; an object either
/// way.
fn read_traits(argument: &str) -> Result<String, String> {
    let text = if argument.trim_start().starts_with('{') {
        argument.to_owned()
    } else {
        std::fs::read_to_string(argument)
            .map_err(|error| format!("cannot read traits {argument}: {error}"))?
    };
    // A byte-order mark may open a file.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    match Json::parse(&text) {
        Ok(Json::Object(_)) => Ok(text),
        Ok(other) => Err(format!(
            "--traits must be a JSON object, found {}",
            other.type_name()
        )),
        Err(error) => Err(format!("--traits is not valid JSON: {error}")),
    }
}

#[derive(Default)]
struct Counts {
    messages: u64,
    calls: u64,
    errors: u64,
    bytes: u64,
}

/// One run over the inputs.
struct Run<'s, O: Write, E: Write> {
    setup: &'s Setup,
    format: OutputFormat,
    /// Output not yet written to standard output.
    out: Vec<u8>,
    stdout: O,
    stderr: E,
    progress: Progress,
    counts: Counts,
}

/// Why an input was not read to its end.
enum InputStop {
    Read(io::Error),
    Output(Stop),
}

/// How writing the output ended, when it could not go on.
enum Stop {
    /// The reader of the output went away (`| head`): not an error.
    Closed,
    Failed(io::Error),
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

impl<O: Write, E: Write> Run<'_, O, E> {
    fn all(&mut self, stdin: impl Read, quiet: bool) -> u8 {
        let started = Instant::now();
        let mut stdin = Some(stdin);
        let mut status = SUCCESS;
        let mut outcome = self.init();
        for input in &self.setup.inputs {
            if outcome.is_err() {
                break;
            }
            let name = input.name();
            let result = match input {
                // Standard input is read to its end the first time it is named.
                Input::Stdin => stdin
                    .take()
                    .map_or(Ok(()), |stdin| self.input(&name, stdin)),
                Input::File(_, file) => self.input(&name, file),
            };
            outcome = match result {
                Ok(()) => Ok(()),
                Err(InputStop::Output(stop)) => Err(stop),
                Err(InputStop::Read(error)) => {
                    status = LINES_FAILED;
                    self.progress.clear(&mut self.stderr);
                    let _ = writeln!(self.stderr, "pinterest-map: {name}: read error: {error}");
                    Ok(())
                }
            };
        }
        match outcome.and_then(|()| self.flush_output()) {
            Ok(()) | Err(Stop::Closed) => {}
            Err(Stop::Failed(error)) => {
                self.progress.clear(&mut self.stderr);
                let _ = writeln!(self.stderr, "pinterest-map: cannot write output: {error}");
                status = LINES_FAILED;
            }
        }
        self.progress.clear(&mut self.stderr);
        if !quiet {
            let _ = self.summary(started.elapsed());
        }
        if self.counts.errors > 0 {
            status = LINES_FAILED;
        }
        status
    }

    fn init(&mut self) -> Result<(), Stop> {
        if !self.setup.init {
            return Ok(());
        }
        // Checked to be an object when the run was set up.
        let traits: RawObject = match &self.setup.traits {
            Some(text) => RawObject::parse(text).unwrap_or_default(),
            None => RawObject::default(),
        };
        let calls = self.setup.destination.initialize(&traits);
        write_calls(self.format, &calls, &mut self.out);
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
    fn input(&mut self, name: &str, reader: impl Read) -> Result<(), InputStop> {
        let mut reader = BufReader::with_capacity(INPUT_BUFFER, reader);
        // The start of a line whose end has not been read yet.
        let mut partial = Vec::new();
        let mut number = 0_u64;
        loop {
            if reader.buffer().is_empty() {
                // The read may wait for input: what is mapped so far goes out first.
                self.flush_output().map_err(InputStop::Output)?;
            }
            let available = match reader.fill_buf() {
                Ok(available) => available,
                Err(error) if error.kind() == io::ErrorKind::Interrupted => continue,
                Err(error) => return Err(InputStop::Read(error)),
            };
            if available.is_empty() {
                // The last line may lack its newline.
                if !partial.is_empty() {
                    number += 1;
                    self.line(name, number, &partial)?;
                }
                return Ok(());
            }
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
        if text.trim().is_empty() {
            return Ok(());
        }
        match ndjson::map_line(&self.setup.destination, self.format, text, &mut self.out) {
            Ok(calls) => {
                self.counts.messages += 1;
                self.counts.calls += calls as u64;
            }
            Err(error) => self.line_error(name, number, &error.to_string()),
        }
        if self.out.len() >= OUTPUT_BUFFER {
            self.flush_output().map_err(InputStop::Output)?;
        }
        self.progress.tick(&mut self.stderr, &self.counts);
        Ok(())
    }

    fn line_error(&mut self, name: &str, number: u64, message: &str) {
        self.counts.errors += 1;
        self.progress.clear(&mut self.stderr);
        let _ = writeln!(self.stderr, "{name}:{number}: {message}");
    }

    fn summary(&mut self, elapsed: Duration) -> io::Result<()> {
        let Counts {
            messages,
            calls,
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
        writeln!(
            self.stderr,
            "pinterest-map: {messages} messages, {calls} calls, {errors} errors in {seconds:.3} s ({details})"
        )
    }
}

/// The process's peak resident memory, where the system reports it (`VmHWM` on Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A progress line on a terminal's standard error, for runs longer than a second.
struct Progress {
    enabled: bool,
    total_bytes: Option<u64>,
    started: Instant,
    last_drawn: Option<Instant>,
    ticks: u32,
}

impl Progress {
    const FIRST_AFTER: Duration = Duration::from_secs(1);
    const EVERY: Duration = Duration::from_millis(200);

    fn new(enabled: bool, total_bytes: Option<u64>) -> Progress {
        Progress {
            enabled,
            total_bytes,
            started: Instant::now(),
            last_drawn: None,
            ticks: 0,
        }
    }

    fn tick(&mut self, stderr: &mut impl Write, counts: &Counts) {
        self.ticks = self.ticks.wrapping_add(1);
        // Reading the clock for every line would cost more than mapping it.
        if !self.enabled || !self.ticks.is_multiple_of(4096) {
            return;
        }
        let now = Instant::now();
        let due = match self.last_drawn {
            None => now - self.started >= Self::FIRST_AFTER,
            Some(last) => now - last >= Self::EVERY,
        };
        if !due {
            return;
        }
        self.last_drawn = Some(now);
        let line = self.line(counts, now - self.started);
        let _ = write!(stderr, "\r\x1b[K{line}");
        let _ = stderr.flush();
    }

    /// The progress line: a bar and a percentage when the input size is known.
    fn line(&self, counts: &Counts, elapsed: Duration) -> String {
        let rate = counts.messages as f64 / elapsed.as_secs_f64().max(1e-9);
        match self.total_bytes.filter(|total| *total > 0) {
            Some(total) => {
                let fraction = (counts.bytes as f64 / total as f64).min(1.0);
                let filled = (fraction * 30.0) as usize;
                format!(
                    "[{}{}] {:>3.0}% {} messages, {:.0}/s",
                    "#".repeat(filled),
                    " ".repeat(30 - filled),
                    fraction * 100.0,
                    counts.messages,
                    rate
                )
            }
            None => format!("{} messages, {:.0}/s", counts.messages, rate),
        }
    }

    /// Erases the progress line before anything else is written to standard error.
    fn clear(&mut self, stderr: &mut impl Write) {
        if self.last_drawn.take().is_some() {
            let _ = write!(stderr, "\r\x1b[K");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_line_shows_a_bar_when_the_size_is_known() {
        let counts = Counts {
            messages: 5_000,
            calls: 0,
            errors: 0,
            bytes: 250,
        };
        let known = Progress::new(true, Some(1_000));
        assert_eq!(
            known.line(&counts, Duration::from_secs(2)),
            "[#######                       ]  25% 5000 messages, 2500/s"
        );
        let unknown = Progress::new(true, None);
        assert_eq!(
            unknown.line(&counts, Duration::from_secs(2)),
            "5000 messages, 2500/s"
        );
    }

    #[test]
    fn progress_is_drawn_only_when_enabled_and_cleared_before_other_output() {
        let counts = Counts::default();
        let mut stderr = Vec::new();
        let mut disabled = Progress::new(false, None);
        for _ in 0..10_000 {
            disabled.tick(&mut stderr, &counts);
        }
        disabled.clear(&mut stderr);
        assert!(stderr.is_empty());

        let mut enabled = Progress::new(true, None);
        enabled.started -= Progress::FIRST_AFTER;
        for _ in 0..4096 {
            enabled.tick(&mut stderr, &counts);
        }
        enabled.clear(&mut stderr);
        let drawn = String::from_utf8(stderr).unwrap();
        assert!(drawn.starts_with("\r\x1b[K0 messages, "), "{drawn:?}");
        assert!(drawn.ends_with("\r\x1b[K"), "{drawn:?}");
    }
}
