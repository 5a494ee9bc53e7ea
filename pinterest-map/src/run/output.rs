//! Writing: what the run maps is gathered in a buffer and written to standard output, its lines
//! counted as they are written in full, so that a failed write says how far the output got.

use std::io::{self, Write};

use pinterest_cli::Interrupt;
use pinterest_mapping::ndjson::OUTPUT_BUFFER;

/// Standard output, and the output not yet written to it.
pub(super) struct OutputWriter<'s, O> {
    stdout: O,
    /// Output not yet written.
    pending: Vec<u8>,
    /// Output lines written in full.
    lines_written: u64,
    /// How far the output got, when writing it failed.
    failure: Option<OutputFailure>,
    /// The signals that stop the run: a write that waits for the reader is watched.
    interrupt: Option<&'s Interrupt>,
}

/// How far the output got when writing it failed: its lines written in full, whether the next
/// one was written in part, and how many were not written at all.
#[derive(Clone, Copy)]
pub(super) struct OutputFailure {
    pub(super) written: u64,
    pub(super) cut_short: bool,
    pub(super) not_written: u64,
}

impl<'s, O: Write> OutputWriter<'s, O> {
    pub(super) fn new(stdout: O, interrupt: Option<&'s Interrupt>) -> Self {
        OutputWriter {
            stdout,
            pending: Vec::with_capacity(2 * OUTPUT_BUFFER),
            lines_written: 0,
            failure: None,
            interrupt,
        }
    }

    /// The output not yet written, to map into.
    pub(super) fn buffer(&mut self) -> &mut Vec<u8> {
        &mut self.pending
    }

    /// Whether the output gathered is to be written out now.
    pub(super) fn is_full(&self) -> bool {
        self.pending.len() >= OUTPUT_BUFFER
    }

    /// How far the output got, if writing it failed.
    pub(super) fn failure(&self) -> Option<OutputFailure> {
        self.failure
    }

    /// Writes the output gathered, counting the lines written; on a failure, records how far
    /// it got (and keeps the output).
    pub(super) fn flush(&mut self) -> io::Result<()> {
        let pending = std::mem::take(&mut self.pending);
        let result = self.write(&pending);
        self.pending = pending;
        if result.is_ok() {
            self.pending.clear();
        }
        result
    }

    /// Adds `bytes` to the output after what is gathered: a small output is gathered with the
    /// next, a large one written as it is.
    pub(super) fn gather(&mut self, bytes: &[u8]) -> io::Result<()> {
        if self.pending.len() + bytes.len() < OUTPUT_BUFFER {
            self.pending.extend_from_slice(bytes);
            Ok(())
        } else {
            self.flush()?;
            self.write(bytes)
        }
    }

    /// Writes `bytes`, counting the lines written; on a failure, records how far it got.
    fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
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
        if let Err(error) = &result
            && error.kind() != io::ErrorKind::BrokenPipe
        {
            self.failure = Some(OutputFailure {
                written: self.lines_written,
                cut_short: bytes[..written].last().is_some_and(|byte| *byte != b'\n'),
                not_written: lines(&bytes[written..]),
            });
        }
        result
    }
}
