//! One run over the inputs: lines read through a fixed buffer, each mapped to its output
//! (Tag calls, Conversions API events, or events given to the sender), what is wrong reported
//! by input and line, the summary, and the stops (a closed output, a signal, the sender).

use std::cell::Cell;
use std::fmt::{self, Write as _};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::map::{LineOutcome, Mapper};
use super::parallel::{self, LineBatch, MapperLost, Pool};
use pinterest_cli::report::conversion_notes;
use pinterest_cli::send::is_configuration;
use pinterest_cli::{Interrupt, Output, counted, signals, write_whole_line};

use super::progress::{Progress, RunCounts};
use super::send::{self, LineOrigin, Recorder, Sending};
use super::setup::{Input, Setup, open};
use crate::Status;
use mapping_core::capi::send::{Rejection, Report, Sender, Stopped};
use mapping_core::json::Json;
use mapping_core::ndjson::{Converted, Line, LineReader, append_calls};
use mapping_core::segment::{MessageError, batch_messages};
use mapping_core::table::Mapping;

/// Bytes read at a time.
const INPUT_BUFFER: usize = 128 * 1024;

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Output is written out when it reaches this size.
const OUTPUT_BUFFER: usize = 64 * 1024;

/// Where a report points: a line, and the message of a batch envelope on it (`12: batch[3]`).
#[derive(Clone, Copy)]
struct At {
    line: u64,
    item: Option<usize>,
}

impl At {
    fn line(line: u64) -> At {
        At { line, item: None }
    }

    fn item(self, index: usize) -> At {
        At {
            item: Some(index),
            ..self
        }
    }
}

impl fmt::Display for At {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.item {
            Some(index) => write!(f, "{}: batch[{index}]", self.line),
            None => write!(f, "{}", self.line),
        }
    }
}

/// One run over the inputs.
pub(super) struct Run<'s, M: Mapping, O: Write, E: Write> {
    /// The program's name, for its messages.
    program: &'s str,
    setup: &'s Setup<M>,
    /// Output not yet written to standard output.
    out: Vec<u8>,
    /// Output lines written to standard output in full.
    lines_written: u64,
    /// How far the output got, when writing it failed.
    output_failure: Option<OutputFailure>,
    stdout: O,
    stderr: E,
    progress: Progress<'s>,
    /// Bytes read from the inputs before the current one.
    read_before: u64,
    counts: RunCounts,
    /// Messages that could not become Conversions API events, by reason, in order of first
    /// appearance.
    unsendable: Vec<(&'static str, u64)>,
    /// With `--send`: the sender, until it is finished.
    sender: Option<Sender<LineOrigin>>,
    /// With `--send`: where rejected and unsent events are recorded.
    recorder: Option<Recorder>,
    /// With `--send`: the sender refused an event for having stopped.
    sender_stopped: bool,
    /// With `--send`, once finished: what the sender did, and the rejects file.
    sent: Option<(Report, Option<PathBuf>)>,
    /// The index of the input being read.
    current_input: usize,
    /// The last line read: the input's index and the line's number.
    last_line: Option<(usize, u64)>,
    /// The signals that stop the run, when they are watched for.
    interrupt: Option<&'s Interrupt>,
    /// What each line becomes, unless the run sends its events.
    mapper: Option<Mapper<M>>,
    /// With more than one thread: the mapping threads.
    pool: Option<Pool<M>>,
    /// Whether standard input is read through [`PolledStdin`](super::stdin::PolledStdin),
    /// which says when it has nothing to give before it waits.
    stdin_polled: bool,
}

/// What an input is, when its first bytes show one the tool does not read (compressed other
/// than with gzip, or a JSON array spread over lines), and the command that turns it into
/// what the tool reads.
fn unreadable(start: &[u8]) -> Option<Unreadable> {
    const FORMATS: [(&[u8], Unreadable); 5] = [
        (b"\x28\xb5\x2f\xfd", ("compressed with zstd", "zstd -dc")),
        (b"BZh", ("compressed with bzip2", "bzip2 -dc")),
        (b"\xfd7zXZ\x00", ("compressed with xz", "xz -dc")),
        (b"\x04\x22\x4d\x18", ("compressed with lz4", "lz4 -dc")),
        (b"PK\x03\x04", ("a zip archive", "unzip -p")),
    ];
    if let Some((_, what)) = FORMATS.iter().find(|(magic, _)| start.starts_with(magic)) {
        return Some(*what);
    }
    // `[` alone on the first line: a JSON array of messages, written over many lines.
    let first_line = start
        .split(|byte| *byte == b'\n')
        .next()
        .unwrap_or_default();
    let text = first_line
        .strip_prefix(b"\xef\xbb\xbf")
        .unwrap_or(first_line);
    (text.trim_ascii() == b"[" && start.len() > first_line.len()).then_some((
        "a JSON array over many lines, not one message per line",
        "jq -c '.[]'",
    ))
}

/// What an input is, and the command that makes it readable.
type Unreadable = (&'static str, &'static str);

/// How far the output got when writing it failed: its lines written in full, whether the next
/// one was written in part, and how many were not written at all.
#[derive(Clone, Copy)]
struct OutputFailure {
    written: u64,
    cut_short: bool,
    not_written: u64,
}

/// Why an input was not read to its end.
enum InputEnd {
    Open(io::Error),
    Read(io::Error),
    /// The input is something the tool does not read.
    Unreadable(Unreadable),
    Output(Halt),
}

/// How writing the output ended, when it could not go on.
enum Halt {
    /// The reader of the output went away (`| head`): not an error.
    Closed,
    Failed(io::Error),
    /// A signal stopped the run: what was mapped is written out, then the process ends.
    Signal(Interruption),
    /// The sender stopped (credentials refused, the API unavailable): reading stops.
    Sender,
    /// `--max-errors` lines were not valid messages: reading stops.
    Errors,
    /// A mapping thread stopped, which only a bug can cause: the output stops short.
    Mapping,
}

impl From<MapperLost> for Halt {
    fn from(MapperLost: MapperLost) -> Halt {
        Halt::Mapping
    }
}

/// A stopping signal, and whether the run was about to wait for input when it saw it.
#[derive(Clone, Copy)]
struct Interruption {
    signal: i32,
    /// Everything mapped was written already: the run ends as it does when the signal comes
    /// during the wait, without a summary.
    waiting: bool,
}

impl From<io::Error> for Halt {
    fn from(error: io::Error) -> Halt {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Halt::Closed
        } else {
            Halt::Failed(error)
        }
    }
}

impl<'s, M: Mapping, O: Write, E: Write> Run<'s, M, O, E> {
    /// A run of `setup`'s inputs; with `sending`, its events are sent, and a signal stops the
    /// sending at once (no request is started any more, and what was not sent is reported).
    /// `stdin_polled`: standard input is a [`PolledStdin`](super::stdin::PolledStdin).
    pub(super) fn new(
        program: &'s str,
        setup: &'s Setup<M>,
        sending: Option<Sending>,
        (stdout, stderr): (O, E),
        (show_progress, stdin_polled): (bool, bool),
        interrupt: Option<&'s Interrupt>,
    ) -> Self {
        let (sender, recorder) = match sending {
            Some(Sending { sender, recorder }) => (Some(sender), Some(recorder)),
            None => (None, None),
        };
        if let (Some(interrupt), Some(sender)) = (interrupt, &sender) {
            let stop = sender.stop_handle();
            interrupt.on_signal(move || stop.stop());
        }
        Run {
            program,
            setup,
            out: Vec::with_capacity(2 * OUTPUT_BUFFER),
            lines_written: 0,
            output_failure: None,
            stdout,
            stderr,
            progress: Progress::new(show_progress, setup.total_bytes, interrupt),
            read_before: 0,
            counts: RunCounts::default(),
            unsendable: Vec::new(),
            sender,
            recorder,
            sender_stopped: false,
            sent: None,
            current_input: 0,
            last_line: None,
            interrupt,
            mapper: None,
            pool: None,
            stdin_polled,
        }
        .with_mapper()
    }

    /// The run's mapper and, for more than one thread, its mapping threads (none if the system
    /// cannot start them: the run then maps on its own thread).
    fn with_mapper(mut self) -> Self {
        self.mapper = Mapper::new(self.setup);
        if let Some(mapper) = &self.mapper
            && self.setup.threads > 1
        {
            self.pool = Pool::start(mapper, self.setup.threads);
        }
        self
    }

    /// What one input's reading came to: the run goes on, with status 1 when the input could
    /// not be opened or read to its end (said on standard error), or it stops.
    fn settle_input(
        &mut self,
        name: &str,
        input: &Input,
        result: Result<bool, InputEnd>,
    ) -> Result<Status, Halt> {
        match result {
            Ok(true) => Ok(Status::Success),
            Ok(false) => Ok(Status::LinesFailed),
            Err(InputEnd::Output(stop)) => Err(stop),
            Err(InputEnd::Open(error)) => {
                self.warn(format_args!("cannot open {name}: {error}"));
                Ok(Status::LinesFailed)
            }
            Err(InputEnd::Unreadable((what, command))) => {
                let file = match input {
                    Input::File(_) => name,
                    Input::Stdin => "FILE",
                };
                let program = self.program;
                self.warn(format_args!(
                    "{name} is {what}, which is not read: run `{command} {file} | {program}`"
                ));
                Ok(Status::LinesFailed)
            }
            Err(InputEnd::Read(error)) => {
                self.warn(format_args!("{name}: read error: {error}"));
                Ok(Status::LinesFailed)
            }
        }
    }

    /// The whole run: every input in turn, then the output written out, the sending finished,
    /// the summary; the exit status.
    pub(super) fn all(&mut self, stdin: impl Read, quiet: bool) -> Status {
        let started = Instant::now();
        let mut stdin = Some(stdin);
        let mut status = Status::Success;
        self.init();
        let mut outcome = Ok(());
        for (index, input) in self.setup.inputs.iter().enumerate() {
            if outcome.is_err() {
                break;
            }
            self.current_input = index;
            let name = input.name();
            let result = match input {
                // Standard input is read to its end the first time it is named.
                Input::Stdin => stdin.take().map_or(Ok(true), |stdin| {
                    let waits = !self.stdin_polled;
                    self.input(&name, stdin, waits).map(|read| {
                        self.read_before += read;
                        true
                    })
                }),
                Input::File(path) => match open(path) {
                    // A pipe or a device may make a read wait; a regular file does not.
                    Ok((file, size)) => self.input(&name, file, size.is_none()).map(|read| {
                        self.read_before += read;
                        self.check_size(&name, read, size)
                    }),
                    Err(error) => Err(InputEnd::Open(error)),
                },
            };
            outcome = self
                .settle_input(&name, input, result)
                .map(|input_status| status = status.max(input_status));
        }
        // A signal stops the reading, not the writing: what was mapped goes out first.
        let mut interruption = match outcome {
            Err(Halt::Signal(interruption)) => {
                outcome = Ok(());
                Some(interruption)
            }
            _ => None,
        };
        if let Err(Halt::Errors) = outcome {
            outcome = Ok(());
            let errors = self.counts.errors;
            self.warn(format_args!(
                "stopped at the error limit (--max-errors {errors})"
            ));
        }
        if let Err(Halt::Mapping) = outcome {
            outcome = Ok(());
            self.warn(format_args!(
                "a mapping thread stopped: the output ends before the lines it was mapping"
            ));
            status = Status::OutputFailed;
        }
        match outcome.and_then(|()| self.flush_output()) {
            Ok(())
            | Err(Halt::Closed | Halt::Signal(_) | Halt::Sender | Halt::Errors | Halt::Mapping) => {
            }
            Err(Halt::Failed(error)) => {
                self.warn(format_args!("cannot write output: {error}"));
                status = Status::OutputFailed;
            }
        }
        if let Some(sender) = self.sender.take() {
            status = status.max(self.finish_sending(sender, interruption.is_some()));
        }
        // A signal that came after the last line was read (during the last lines' mapping, the
        // output's last write, or the last deliveries, which it stopped): the run ends as the
        // signal would, as it does for one that comes sooner.
        if let (None, Some(signal)) = (interruption, self.interrupt.and_then(Interrupt::received)) {
            interruption = Some(Interruption {
                signal,
                waiting: false,
            });
        }
        self.progress.finish();
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
            status = status.max(Status::LinesFailed);
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
        let program = self.program;
        self.progress
            .write_line(&mut self.stderr, format_args!("{program}: {message}"));
    }

    /// The signal that stops the run, if one was received.
    fn interrupted(&self) -> Result<(), Halt> {
        if let Some(signal) = self.interrupt.and_then(Interrupt::received) {
            return Err(Halt::Signal(Interruption {
                signal,
                waiting: false,
            }));
        }
        Ok(())
    }

    /// A read that may wait for input: a signal during it ends the process, unless the run is
    /// sending (its events must be accounted for first: a read then waits briefly at most, and
    /// the run sees the signal after it).
    fn wait_for_input<T>(&self, read: impl FnOnce() -> T) -> Result<T, Halt> {
        match self.interrupt {
            Some(_) if self.sender.is_some() => {
                self.interrupted()?;
                Ok(read())
            }
            Some(interrupt) => interrupt.wait_for_input(read).map_err(|signal| {
                Halt::Signal(Interruption {
                    signal,
                    waiting: true,
                })
            }),
            None => Ok(read()),
        }
    }

    /// With `--init`: the start-up calls, first in the output.
    fn init(&mut self) {
        if !self.setup.init {
            return;
        }
        // Checked to be an object when the run was set up.
        let traits = self
            .setup
            .traits
            .as_deref()
            .and_then(|text| Json::parse(text).ok());
        let calls = self.setup.destination.initialize(traits);
        if let Output::Tag(format) = self.setup.output {
            append_calls(format, &calls, &mut self.out);
        }
    }

    /// Writes the buffered output to standard output, counting the lines written; on a
    /// failure, records how far it got (and keeps the output).
    fn flush_output(&mut self) -> Result<(), Halt> {
        let out = std::mem::take(&mut self.out);
        let result = self.write_output(&out);
        self.out = out;
        if result.is_ok() {
            self.out.clear();
        }
        result
    }

    /// Writes `bytes` to standard output, counting the lines written; on a failure, records
    /// how far it got.
    fn write_output(&mut self, bytes: &[u8]) -> Result<(), Halt> {
        let lines = |bytes: &[u8]| memchr::memchr_iter(b'\n', bytes).count() as u64;
        let mut written = 0;
        let result = loop {
            // A write may wait for the reader, however long: a signal's watcher sees it.
            let before = self.lines_written;
            let stdout = &mut self.stdout;
            let attempt = |write: &mut dyn FnMut() -> io::Result<usize>| match self.interrupt {
                Some(interrupt) => interrupt.writing(before, write),
                None => write(),
            };
            if written == bytes.len() {
                break attempt(&mut || stdout.flush().map(|()| 0)).map(drop);
            }
            match attempt(&mut || stdout.write(&bytes[written..])) {
                Ok(0) => break Err(io::ErrorKind::WriteZero.into()),
                Ok(count) => {
                    self.lines_written += lines(&bytes[written..written + count]);
                    written += count;
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => break Err(error),
            }
        };
        if let Err(error) = result {
            if error.kind() != io::ErrorKind::BrokenPipe {
                self.output_failure = Some(OutputFailure {
                    written: self.lines_written,
                    cut_short: bytes[..written].last().is_some_and(|byte| *byte != b'\n'),
                    not_written: lines(&bytes[written..]),
                });
            }
            return Err(error.into());
        }
        Ok(())
    }

    /// Maps one input to its end, or until the output fails; gzip (recognised by its first
    /// byte, which no text line starts with) is read decompressed. `waits`: a read may wait for
    /// input without saying so first. Returns the number of bytes read from the input itself.
    fn input(&mut self, name: &str, input: impl Read, waits: bool) -> Result<u64, InputEnd> {
        let read = Cell::new(0);
        let mut reader = BufReader::with_capacity(
            INPUT_BUFFER,
            Counted {
                inner: input,
                count: &read,
            },
        );
        let start = self.fill(&mut reader)?;
        if let Some(what) = unreadable(start) {
            return Err(InputEnd::Unreadable(what));
        }
        let gzip = start.first() == Some(&GZIP_MAGIC[0]);
        if gzip {
            let decoder = flate2::bufread::MultiGzDecoder::new(reader);
            let decoded = BufReader::with_capacity(INPUT_BUFFER, decoder);
            self.lines_on_threads(name, decoded, &read, waits)?;
        } else {
            self.lines_on_threads(name, reader, &read, waits)?;
        }
        Ok(read.get())
    }

    /// Maps the lines of one input on the mapping threads, when there are any; else on this
    /// one.
    fn lines_on_threads(
        &mut self,
        name: &str,
        input: impl BufRead,
        read: &Cell<u64>,
        waits: bool,
    ) -> Result<(), InputEnd> {
        let Some(mut pool) = self.pool.take() else {
            return self.lines(name, input, read);
        };
        let mut batch = pool.batch();
        let result = self.batches(&mut pool, &mut batch, name, input, read, waits);
        // Stopped early: what is under way is not written.
        pool.discard();
        pool.give_back(batch);
        self.pool = Some(pool);
        result
    }

    /// Gathers the lines of one input into batches for the mapping threads, and writes out
    /// what they mapped, in order. Everything gathered is written out before a read that may
    /// wait (`waits`), or once a read said there was nothing to read yet; a signal during a
    /// read that waits with nothing left to write ends the run at once, as on one thread.
    fn batches(
        &mut self,
        pool: &mut Pool<M>,
        batch: &mut LineBatch,
        name: &str,
        input: impl BufRead,
        read: &Cell<u64>,
        waits: bool,
    ) -> Result<(), InputEnd> {
        let mut lines = LineReader::new(input).with_max_line_bytes(self.setup.max_line_bytes);
        loop {
            let line = if lines.will_read() {
                if waits {
                    self.settle(pool, batch, name, read)?;
                }
                if batch.is_empty() && pool.is_idle() {
                    self.flush_output().map_err(InputEnd::Output)?;
                    self.wait_for_input(|| lines.read_line())
                        .map_err(InputEnd::Output)?
                } else {
                    lines.read_line()
                }
            } else {
                lines.read_line()
            };
            match line {
                // A long line is mapped here, once what is under way is written out: the
                // batches hold short lines only, so that their memory is bounded whatever the
                // lines and the threads.
                Ok(Some(line)) if line.len() >= parallel::LONG_LINE => {
                    self.settle(pool, batch, name, read)?;
                    self.line(name, line, read.get())?;
                    if self.error_limit_reached() {
                        return Err(InputEnd::Output(Halt::Errors));
                    }
                }
                Ok(Some(line)) => {
                    batch.push(&line);
                    if batch.is_full() {
                        self.hand_out(pool, batch, name, read)?;
                    }
                }
                Ok(None) => return self.settle(pool, batch, name, read),
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {
                    self.settle(pool, batch, name, read)?;
                    self.while_waiting()?;
                }
                Err(error) => {
                    self.settle(pool, batch, name, read)?;
                    return Err(InputEnd::Read(error));
                }
            }
        }
    }

    /// Hands `batch` out to the mapping threads (once the oldest batch under way is back and
    /// written out, if as many as can be are under way), and starts a new one.
    fn hand_out(
        &mut self,
        pool: &mut Pool<M>,
        batch: &mut LineBatch,
        name: &str,
        read: &Cell<u64>,
    ) -> Result<(), InputEnd> {
        if pool.is_busy() {
            self.take_back(pool, name, read)?;
        }
        let full = std::mem::replace(batch, pool.batch());
        pool.hand_out(full)
            .map_err(|stopped| InputEnd::Output(stopped.into()))
    }

    /// Hands out what is gathered, and writes out everything under way.
    fn settle(
        &mut self,
        pool: &mut Pool<M>,
        batch: &mut LineBatch,
        name: &str,
        read: &Cell<u64>,
    ) -> Result<(), InputEnd> {
        if !batch.is_empty() {
            self.hand_out(pool, batch, name, read)?;
        }
        while !pool.is_idle() {
            self.take_back(pool, name, read)?;
        }
        self.flush_output().map_err(InputEnd::Output)
    }

    /// Takes the oldest batch under way back from the mapping threads and accounts for its
    /// lines in order: their output is written, their errors reported, and the run stops
    /// after the `--max-errors`th error or on a signal.
    fn take_back(
        &mut self,
        pool: &mut Pool<M>,
        name: &str,
        read: &Cell<u64>,
    ) -> Result<(), InputEnd> {
        let stop = |stop: Halt| InputEnd::Output(stop);
        let Some(batch) = pool.take_back().map_err(|stopped| stop(stopped.into()))? else {
            return Ok(());
        };
        let mut written = batch.out.len();
        let batch_lines = batch.records.len() as u64;
        let mut limit_reached = false;
        for record in &batch.records {
            self.counts.bytes += record.bytes;
            self.last_line = Some((self.current_input, record.number));
            self.account(name, record.number, &record.outcome);
            if record.outcome.is_error() && self.error_limit_reached() {
                written = record.out_end;
                limit_reached = true;
                break;
            }
        }
        // A large output is written as it is, a small one gathered with the next.
        let output = &batch.out[..written];
        let result = if self.out.len() + output.len() < OUTPUT_BUFFER {
            self.out.extend_from_slice(output);
            Ok(())
        } else {
            self.flush_output().and_then(|()| self.write_output(output))
        };
        pool.give_back(batch);
        result.map_err(stop)?;
        if limit_reached {
            return Err(stop(Halt::Errors));
        }
        self.progress
            .tick(&self.counts, self.read_before + read.get(), batch_lines);
        self.interrupted().map_err(stop)
    }

    /// Whether `--max-errors` lines were not valid messages.
    fn error_limit_reached(&self) -> bool {
        self.setup
            .max_errors
            .is_some_and(|limit| self.counts.errors >= limit)
    }

    /// Fills `reader`'s buffer, waiting for input as the run does; empty at the end.
    fn fill<'r>(&mut self, reader: &'r mut impl BufRead) -> Result<&'r [u8], InputEnd> {
        loop {
            match self.wait_for_input(|| reader.fill_buf().map(<[u8]>::len)) {
                Ok(Ok(_)) => return reader.fill_buf().map_err(InputEnd::Read),
                Ok(Err(error)) if error.kind() == io::ErrorKind::Interrupted => {
                    self.while_waiting()?;
                }
                Ok(Err(error)) => return Err(InputEnd::Read(error)),
                Err(stop) => return Err(InputEnd::Output(stop)),
            }
        }
    }

    /// Maps the lines of one input, where they lie in the read buffer (only a line that spans
    /// two reads is copied). `read`: the bytes read from the input so far, for the progress.
    fn lines(&mut self, name: &str, input: impl BufRead, read: &Cell<u64>) -> Result<(), InputEnd> {
        let mut lines = LineReader::new(input).with_max_line_bytes(self.setup.max_line_bytes);
        loop {
            let line = if lines.will_read() {
                // The read may wait for input: what is mapped so far goes out first.
                self.flush_output().map_err(InputEnd::Output)?;
                self.wait_for_input(|| lines.read_line())
                    .map_err(InputEnd::Output)?
            } else {
                lines.read_line()
            };
            match line {
                Ok(Some(line)) => {
                    self.line(name, line, read.get())?;
                    if self.error_limit_reached() {
                        return Err(InputEnd::Output(Halt::Errors));
                    }
                }
                Ok(None) => return Ok(()),
                // No input for a while, or a read interrupted: the signals and the sending
                // have their turn.
                Err(error) if error.kind() == io::ErrorKind::Interrupted => self.while_waiting()?,
                Err(error) => return Err(InputEnd::Read(error)),
            }
        }
    }

    /// Between reads that found no input: the outcomes of sending are taken, and a signal
    /// stops the run.
    fn while_waiting(&mut self) -> Result<(), InputEnd> {
        self.take_outcomes();
        match self.interrupt.and_then(Interrupt::received) {
            Some(signal) => Err(InputEnd::Output(Halt::Signal(Interruption {
                signal,
                waiting: true,
            }))),
            None => Ok(()),
        }
    }

    /// Maps one line: its output is written, or its error reported on standard error. `read`:
    /// the bytes read from the input so far.
    fn line(&mut self, name: &str, line: Line<'_>, read: u64) -> Result<(), InputEnd> {
        let number = line.number();
        self.counts.bytes += line.len() + 1;
        self.last_line = Some((self.current_input, number));
        if let Some(mapper) = &self.mapper {
            let outcome = mapper.map(&line, &mut self.out);
            self.account(name, number, &outcome);
        } else {
            self.send_line(name, &line)?;
        }
        if self.out.len() >= OUTPUT_BUFFER {
            self.flush_output().map_err(InputEnd::Output)?;
        }
        self.progress.tick(&self.counts, self.read_before + read, 1);
        self.interrupted().map_err(InputEnd::Output)
    }

    /// With `--send`: gives one line's Conversions API event to the sender.
    fn send_line(&mut self, name: &str, line: &Line<'_>) -> Result<(), InputEnd> {
        let number = line.number();
        let text = match line.text() {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(()),
            Err(error) => {
                self.account(name, number, &LineOutcome::Invalid(error.to_string()));
                return Ok(());
            }
        };
        match self.send_message(name, At::line(number), text) {
            Err(error) if error.lacks_type() => match batch_messages(text) {
                Some(messages) => {
                    for (index, message) in messages.iter().enumerate() {
                        let at = At::line(number).item(index);
                        let result = match message {
                            Ok(text) => self.send_message(name, at, text),
                            Err(error) => Err(error.clone()),
                        };
                        if let Err(error) = result {
                            self.account_at(name, at, &LineOutcome::Invalid(error.to_string()));
                        }
                    }
                }
                None => self.account(name, number, &LineOutcome::Invalid(error.to_string())),
            },
            Err(error) => self.account(name, number, &LineOutcome::Invalid(error.to_string())),
            Ok(()) => {}
        }
        if self.sender_stopped {
            // Stopped by a signal, or by Pinterest's answers.
            self.interrupted().map_err(InputEnd::Output)?;
            return Err(InputEnd::Output(Halt::Sender));
        }
        Ok(())
    }

    /// Gives one message's Conversions API event to the sender, and accounts for it; `Err` for
    /// a text that is no message. Notes when the sender refuses it for having stopped.
    fn send_message(&mut self, name: &str, at: At, text: &str) -> Result<(), MessageError> {
        let now = self.setup.clock.now();
        let origin = LineOrigin {
            input: self.current_input,
            line: at.line,
        };
        let destination = &self.setup.destination;
        let mut dates = String::new();
        let message = destination.prepare(text, &mut dates)?;
        let (converted, event) = Converted::split(destination.conversion(&message, now));
        let sent = match (&self.sender, event) {
            (Some(sender), Some(event)) => sender.send(origin, &event),
            _ => Ok(()),
        };
        self.counts.messages += 1;
        self.conversion(name, at, &converted);
        self.take_outcomes();
        if sent.is_err() {
            self.sender_stopped = true;
        }
        Ok(())
    }

    /// Accounts for what became of one line: counts it, and reports its error or what became
    /// of its Conversions API event.
    fn account(&mut self, name: &str, number: u64, outcome: &LineOutcome) {
        self.account_at(name, At::line(number), outcome);
    }

    /// [`Run::account`] for a line, or for one message of the batch envelope on it.
    fn account_at(&mut self, name: &str, at: At, outcome: &LineOutcome) {
        match outcome {
            LineOutcome::Blank => {}
            LineOutcome::Invalid(message) => {
                self.counts.errors += 1;
                self.line_message(name, at, format_args!("{message}"));
            }
            LineOutcome::Calls(calls) => {
                self.counts.messages += 1;
                self.counts.calls += *calls as u64;
            }
            LineOutcome::Conversion(converted) => {
                self.counts.messages += 1;
                self.conversion(name, at, converted);
            }
            LineOutcome::LineBatch(outcomes) => {
                for (index, outcome) in outcomes.iter().enumerate() {
                    self.account_at(name, at.item(index), outcome);
                }
            }
        }
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
    fn record(&mut self, rejections: impl IntoIterator<Item = Rejection<LineOrigin>>) {
        let Some(recorder) = &mut self.recorder else {
            return;
        };
        for rejection in rejections {
            let name = self.setup.inputs[rejection.origin.input].name();
            let (problem, line) = recorder.record(&rejection, &name);
            if let Some(problem) = problem {
                let program = self.program;
                self.progress
                    .write_line(&mut self.stderr, format_args!("{program}: {problem}"));
            }
            if let Some(line) = line {
                self.progress
                    .write_line(&mut self.stderr, format_args!("{line}"));
            }
        }
    }

    /// Sends what is queued (or, after a signal, stops at once), waits for every answer,
    /// records the rejected and unsent events, and returns the run's status as far as sending
    /// goes.
    fn finish_sending(&mut self, sender: Sender<LineOrigin>, signalled: bool) -> Status {
        if signalled {
            sender.stop();
        }
        let finished = sender.finish();
        self.record(send::rejections(finished.outcomes));
        let mut status = Status::Success;
        if let Some(problem) = self.recorder.as_mut().and_then(Recorder::finish) {
            self.warn(format_args!("{problem}"));
            status = Status::OutputFailed;
        }
        let report = finished.report;
        let rejects = self
            .recorder
            .as_ref()
            .and_then(Recorder::rejects_path)
            .map(Path::to_path_buf);
        self.sent = Some((report, rejects));
        if report.rejected + report.not_sent > 0 {
            status = status.max(Status::LinesFailed);
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
            if is_configuration(&stopped) {
                status = status.max(Status::Unusable);
            }
        }
        status
    }

    /// A message about one line on standard error.
    fn line_message(&mut self, name: &str, at: At, message: fmt::Arguments) {
        self.progress
            .write_line(&mut self.stderr, format_args!("{name}:{at}: {message}"));
    }

    /// Counts what became of a message's Conversions API event, and reports a message that
    /// could not become one and the fields left out of one.
    fn conversion(&mut self, name: &str, at: At, conversion: &Converted) {
        match conversion {
            Converted::Event { warnings } => {
                self.counts.events += 1;
                self.counts.warnings += warnings.len() as u64;
            }
            Converted::Skipped(_) => {
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
            }
            _ => {}
        }
        for note in conversion_notes(conversion) {
            self.line_message(name, at, format_args!("{note}"));
        }
    }

    fn summary(&mut self, elapsed: Duration) -> io::Result<()> {
        let RunCounts {
            messages,
            calls,
            events,
            skipped,
            warnings,
            errors,
            bytes,
        } = self.counts;
        let seconds = elapsed.as_secs_f64();
        // A rate over less than a millisecond says nothing.
        let (time, mut details) = if elapsed >= Duration::from_millis(1) {
            (
                format!("{seconds:.3} s"),
                format!(
                    "{:.0} messages/s, {:.1} MB/s",
                    messages as f64 / seconds,
                    bytes as f64 / seconds / 1e6
                ),
            )
        } else {
            ("under 1 ms".to_owned(), String::new())
        };
        if let Some(kib) = peak_memory_kib() {
            if !details.is_empty() {
                details.push_str(", ");
            }
            let _ = write!(details, "peak memory {:.1} MiB", kib as f64 / 1024.0);
        }
        let outputs = match self.setup.output {
            Output::Tag(_) => counted(calls, "call"),
            Output::Conversions | Output::Send => {
                let unsendable: u64 = self.unsendable.iter().map(|(_, count)| count).sum();
                let mut outputs = format!("{}, {unsendable} unsendable", counted(events, "event"));
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
                    let _ = write!(outputs, ", {} left out", counted(warnings, "field"));
                }
                if let Some((report, rejects)) = &self.sent {
                    let _ = write!(outputs, ", {}", send::summary(report, rejects.as_deref()));
                }
                outputs
            }
        };
        let details = if details.is_empty() {
            String::new()
        } else {
            format!(" ({details})")
        };
        write_whole_line(
            &mut self.stderr,
            format_args!(
                "{}: {}, {outputs}, {} in {time}{details}",
                self.program,
                counted(messages, "message"),
                counted(errors, "error"),
            ),
        )?;
        if let Some(failure) = self.output_failure {
            let total = failure.written + failure.not_written;
            write_whole_line(
                &mut self.stderr,
                format_args!(
                    "{}: output failed: {} of {total} written in full{}",
                    self.program,
                    counted(failure.written, "output line"),
                    if failure.cut_short {
                        ", and the next one in part"
                    } else {
                        ""
                    }
                ),
            )?;
        }
        Ok(())
    }
}

/// The process's peak resident memory, where the system reports it (`VmHWM` on Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A reader that counts the bytes read through it.
struct Counted<'c, R> {
    inner: R,
    count: &'c Cell<u64>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buffer)?;
        self.count.set(self.count.get() + read as u64);
        Ok(read)
    }
}
