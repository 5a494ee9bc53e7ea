//! One run over the inputs, in four roles: reading (this module: the inputs in turn, each
//! through a fixed buffer, and the loop over their lines in [`lines`]), writing
//! ([`output`]), accounting ([`report`]: what became of each line, reported by input and line,
//! and the summary) and sending ([`delivery`], with `--send`); and the stops (a closed output,
//! a signal, the sender, the error limit).

mod delivery;
mod lines;
mod output;
mod report;

use std::cell::Cell;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::time::Instant;

use pinterest_cli::{Interrupt, Output, signals};
use pinterest_mapping::json::Json;
use pinterest_mapping::ndjson::{Converted, Line, append_calls};
use pinterest_mapping::segment::{MessageError, batch_messages};
use pinterest_mapping::table::Mapping;

use crate::Status;
use crate::map::{LineOutcome, Mapper};
use crate::parallel::{MapperLost, Pool};
use crate::progress::Progress;
use crate::resend;
use crate::send::{LineOrigin, Sending};
use crate::setup::{Input, Setup, open};
use delivery::Delivery;
use output::OutputWriter;
use report::{At, Reporter, Tally};

/// Bytes read at a time.
const INPUT_BUFFER: usize = 128 * 1024;

/// The first bytes of a gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// One run over the inputs.
pub(super) struct Run<'s, M: Mapping, O: Write, E: Write> {
    setup: &'s Setup<M>,
    reading: Reading,
    output: OutputWriter<'s, O>,
    reporter: Reporter<'s, E>,
    tally: Tally,
    /// With `--send`: the sending.
    delivery: Option<Delivery>,
    /// The signals that stop the run, when they are watched for.
    interrupt: Option<&'s Interrupt>,
    /// What each line becomes, unless the run sends its events.
    mapper: Option<Mapper<M>>,
    /// With more than one thread: the mapping threads.
    pool: Option<Pool<M>>,
}

/// Where the reading is.
struct Reading {
    /// Bytes read from the inputs before the current one.
    read_before: u64,
    /// The index of the input being read.
    current_input: usize,
    /// The last line read: the input's index and the line's number.
    last_line: Option<(usize, u64)>,
    /// Whether standard input is read through [`PolledStdin`](crate::stdin::PolledStdin),
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

/// Why an input was not read to its end.
enum InputEnd {
    Open(io::Error),
    Read(io::Error),
    /// The input is something the tool does not read.
    Unreadable(Unreadable),
    Output(Halt),
}

impl From<Halt> for InputEnd {
    fn from(halt: Halt) -> InputEnd {
        InputEnd::Output(halt)
    }
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

impl From<io::Error> for Halt {
    fn from(error: io::Error) -> Halt {
        if error.kind() == io::ErrorKind::BrokenPipe {
            Halt::Closed
        } else {
            Halt::Failed(error)
        }
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

impl<'s, M: Mapping, O: Write, E: Write> Run<'s, M, O, E> {
    /// A run of `setup`'s inputs; with `sending`, its events are sent, and a signal stops the
    /// sending at once (no request is started any more, and what was not sent is reported).
    /// `stdin_polled`: standard input is a [`PolledStdin`](crate::stdin::PolledStdin).
    pub(super) fn new(
        program: &'s str,
        setup: &'s Setup<M>,
        sending: Option<Sending>,
        (stdout, stderr): (O, E),
        (show_progress, stdin_polled): (bool, bool),
        interrupt: Option<&'s Interrupt>,
    ) -> Self {
        let delivery = sending.map(Delivery::new);
        if let (Some(interrupt), Some(stop)) =
            (interrupt, delivery.as_ref().and_then(Delivery::stop_handle))
        {
            interrupt.on_signal(move || stop.stop());
        }
        let progress = Progress::new(show_progress, setup.total_bytes, interrupt);
        // Mapping, unless the run sends; on threads when asked for (on this one if the system
        // cannot start them).
        let mapper = Mapper::new(setup);
        let pool = mapper
            .as_ref()
            .filter(|_| setup.threads > 1)
            .and_then(|mapper| Pool::start(mapper, setup.threads));
        Run {
            setup,
            reading: Reading {
                read_before: 0,
                current_input: 0,
                last_line: None,
                stdin_polled,
            },
            output: OutputWriter::new(stdout, interrupt),
            reporter: Reporter::new(program, stderr, progress),
            tally: Tally::default(),
            delivery,
            interrupt,
            mapper,
            pool,
        }
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
                self.reporter
                    .warn(format_args!("cannot open {name}: {error}"));
                Ok(Status::LinesFailed)
            }
            Err(InputEnd::Unreadable((what, command))) => {
                let file = match input {
                    Input::File(_) => name,
                    Input::Stdin => "FILE",
                };
                let program = self.reporter.program();
                self.reporter.warn(format_args!(
                    "{name} is {what}, which is not read: run `{command} {file} | {program}`"
                ));
                Ok(Status::LinesFailed)
            }
            Err(InputEnd::Read(error)) => {
                self.reporter
                    .warn(format_args!("{name}: read error: {error}"));
                Ok(Status::LinesFailed)
            }
        }
    }

    /// The whole run: every input in turn, then the output written out, the sending finished,
    /// the summary; the exit status.
    pub(super) fn all(&mut self, stdin: impl Read, quiet: bool) -> Status {
        let started = Instant::now();
        self.init();
        let (mut status, mut outcome) = self.read_inputs(stdin);
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
            let errors = self.tally.counts.errors;
            self.reporter.warn(format_args!(
                "stopped at the error limit (--max-errors {errors})"
            ));
        }
        if let Err(Halt::Mapping) = outcome {
            outcome = Ok(());
            self.reporter.warn(format_args!(
                "a mapping thread stopped: the output ends before the lines it was mapping"
            ));
            status = Status::OutputFailed;
        }
        match outcome.and_then(|()| Ok(self.output.flush()?)) {
            Ok(())
            | Err(Halt::Closed | Halt::Signal(_) | Halt::Sender | Halt::Errors | Halt::Mapping) => {
            }
            Err(Halt::Failed(error)) => {
                self.reporter
                    .warn(format_args!("cannot write output: {error}"));
                status = Status::OutputFailed;
            }
        }
        if let Some(delivery) = &mut self.delivery {
            status = status.max(delivery.finish(
                &mut self.reporter,
                &self.setup.inputs,
                interruption.is_some(),
                self.reading.last_line,
            ));
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
        self.reporter.finish();
        if let Some(Interruption { signal, .. }) = interruption {
            self.reporter
                .warn(format_args!("stopped by {}", signals::name(signal)));
        }
        // Stopped while waiting for input, the tool says no more than that; a run that was
        // sending says what became of its events.
        let sent = self.delivery.as_ref().and_then(Delivery::sent);
        let waiting =
            interruption.is_some_and(|interruption| interruption.waiting) && sent.is_none();
        if !quiet && !waiting {
            let _ = self.reporter.summary(
                &self.tally,
                self.setup.output,
                sent,
                self.output.failure(),
                started.elapsed(),
            );
        }
        if let Some(Interruption { signal, .. }) = interruption {
            self.reporter.flush();
            signals::end_by(signal);
        }
        if self.tally.has_failures() {
            status = status.max(Status::LinesFailed);
        }
        status
    }

    /// Reads every input in turn, until the run stops: the status so far, and what stopped
    /// it.
    fn read_inputs(&mut self, stdin: impl Read) -> (Status, Result<(), Halt>) {
        let mut stdin = Some(stdin);
        let mut status = Status::Success;
        for (index, input) in self.setup.inputs.iter().enumerate() {
            self.reading.current_input = index;
            let name = input.name();
            let result = match input {
                // Standard input is read to its end the first time it is named.
                Input::Stdin => stdin.take().map_or(Ok(true), |stdin| {
                    let waits = !self.reading.stdin_polled;
                    self.input(&name, stdin, waits).map(|read| {
                        self.reading.read_before += read;
                        true
                    })
                }),
                Input::File(path) => match open(path) {
                    // A pipe or a device may make a read wait; a regular file does not.
                    Ok((file, size)) => self.input(&name, file, size.is_none()).map(|read| {
                        self.reading.read_before += read;
                        self.check_size(&name, read, size)
                    }),
                    Err(error) => Err(InputEnd::Open(error)),
                },
            };
            match self.settle_input(&name, input, result) {
                Ok(input_status) => status = status.max(input_status),
                Err(halt) => return (status, Err(halt)),
            }
        }
        (status, Ok(()))
    }

    /// Whether a file was read to the size it had when it was opened; warns if not.
    fn check_size(&mut self, name: &str, read: u64, size: Option<u64>) -> bool {
        match size {
            Some(size) if read < size => {
                self.reporter.warn(format_args!(
                    "{name}: ended after {read} bytes, short of the {size} it had when opened \
                     (was it truncated while being read?)"
                ));
                false
            }
            _ => true,
        }
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
            Some(_) if self.delivery.as_ref().is_some_and(Delivery::is_sending) => {
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
            append_calls(format, &calls, self.output.buffer());
        }
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
            self.lines(name, decoded, &read, waits)?;
        } else {
            self.lines(name, reader, &read, waits)?;
        }
        Ok(read.get())
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

    /// Whether `--max-errors` lines were not valid messages.
    fn error_limit_reached(&self) -> bool {
        self.setup
            .max_errors
            .is_some_and(|limit| self.tally.counts.errors >= limit)
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

    /// Records the rejected and unsent events known so far.
    fn take_outcomes(&mut self) {
        if let Some(delivery) = &mut self.delivery {
            delivery.take_outcomes(&mut self.reporter, &self.setup.inputs);
        }
    }

    /// Maps one line: its output is written, or its error reported on standard error; then
    /// the progress, and a signal stops the run, or else the `--max-errors`th error. `read`:
    /// the bytes read from the input so far.
    fn line(&mut self, name: &str, line: &Line<'_>, read: u64) -> Result<(), InputEnd> {
        let number = line.number();
        self.tally.counts.bytes += line.len() + 1;
        self.reading.last_line = Some((self.reading.current_input, number));
        if let Some(mapper) = &self.mapper {
            let outcome = mapper.map(line, self.output.buffer());
            self.tally
                .account(&mut self.reporter, name, At::line(number), &outcome);
        } else {
            self.send_line(name, line)?;
        }
        if self.output.is_full() {
            self.output.flush().map_err(Halt::from)?;
        }
        self.reporter
            .tick(&self.tally.counts, self.reading.read_before + read, 1);
        self.interrupted()?;
        if self.error_limit_reached() {
            return Err(Halt::Errors.into());
        }
        Ok(())
    }

    /// With `--send`: gives one line's Conversions API event to the sender.
    fn send_line(&mut self, name: &str, line: &Line<'_>) -> Result<(), InputEnd> {
        let at = At::line(line.number());
        let text = match line.text() {
            Ok(Some(text)) => text,
            Ok(None) => return Ok(()),
            Err(error) => {
                self.invalid(name, at, &error);
                return Ok(());
            }
        };
        if self.delivery.as_ref().is_some_and(Delivery::resends) {
            self.resend(name, at, text);
            return self.check_sending();
        }
        match self.send_message(name, at, text) {
            Err(error) if error.lacks_type() => match batch_messages(text) {
                Some(messages) => {
                    for (index, message) in messages.iter().enumerate() {
                        let at = at.item(index);
                        let result = match message {
                            Ok(text) => self.send_message(name, at, text),
                            Err(error) => Err(error.clone()),
                        };
                        if let Err(error) = result {
                            self.invalid(name, at, &error);
                        }
                    }
                }
                None => self.invalid(name, at, &error),
            },
            Err(error) => self.invalid(name, at, &error),
            Ok(()) => {}
        }
        self.check_sending()
    }

    /// Ends the reading once the sender refuses events: stopped by a signal, or by
    /// Pinterest's answers.
    fn check_sending(&self) -> Result<(), InputEnd> {
        if self.delivery.as_ref().is_some_and(Delivery::refused) {
            self.interrupted()?;
            return Err(InputEnd::Output(Halt::Sender));
        }
        Ok(())
    }

    /// With `--resend`: gives the event of one line of a rejects file to the sender again,
    /// with its original input and line.
    fn resend(&mut self, name: &str, at: At, text: &str) {
        let rejected = match resend::parse(text) {
            Ok(rejected) => rejected,
            Err(error) => return self.invalid(name, at, &error),
        };
        if let Some(delivery) = &mut self.delivery {
            let origin = delivery.resent_origin(&rejected.input, rejected.line);
            delivery.send(origin, &rejected.event);
        }
        self.tally.counts.messages += 1;
        self.take_outcomes();
    }

    /// Accounts for a line, or a message of the batch envelope on it, that is no valid
    /// message.
    fn invalid(&mut self, name: &str, at: At, error: &impl std::fmt::Display) {
        let outcome = LineOutcome::Invalid(error.to_string());
        self.tally.account(&mut self.reporter, name, at, &outcome);
    }

    /// Gives one message's Conversions API event to the sender, and accounts for it; `Err` for
    /// a text that is no message.
    fn send_message(&mut self, name: &str, at: At, text: &str) -> Result<(), MessageError> {
        let now = self.setup.clock.now();
        let origin = LineOrigin {
            input: self.reading.current_input,
            line: at.number(),
        };
        let destination = &self.setup.destination;
        let mut dates = String::new();
        let message = destination.prepare(text, &mut dates)?;
        let (converted, event) = Converted::split(destination.conversion(&message, now));
        if let (Some(delivery), Some(event)) = (&mut self.delivery, event) {
            delivery.send(origin, &event);
        }
        self.tally.counts.messages += 1;
        self.tally
            .conversion(&mut self.reporter, name, at, &converted);
        self.take_outcomes();
        Ok(())
    }
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
