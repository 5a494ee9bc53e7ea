//! The loop over one input's lines, the library's own ([`LineReader::drive`]) with the tool's
//! handlers: lines mapped on this thread as they come ([`OneThread`]), or gathered into
//! batches for the mapping threads and written out in order as they come back ([`Batches`]).
//! Either way, what is mapped goes out before a read that may wait, and a signal during such a
//! read with nothing left to write ends the run at once.

use std::cell::Cell;
use std::io::{self, BufRead, Write};

use pinterest_mapping::ndjson::{Line, LineHandler, LineReader};
use pinterest_mapping::table::Mapping;

use super::report::At;
use super::{Halt, InputEnd, Run};
use crate::parallel::{self, LineBatch, Pool};

impl<M: Mapping, O: Write, E: Write> Run<'_, M, O, E> {
    /// Maps the lines of one input, where they lie in the read buffer (only a line that spans
    /// two reads is copied), on the mapping threads when there are any, else on this one.
    /// `read`: the bytes read from the input so far, for the progress; `waits`: a read may
    /// wait for input without saying so first.
    pub(super) fn lines(
        &mut self,
        name: &str,
        input: impl BufRead,
        read: &Cell<u64>,
        waits: bool,
    ) -> Result<(), InputEnd> {
        let mut lines = LineReader::new(input).with_max_line_bytes(self.setup.max_line_bytes);
        let Some(mut pool) = self.pool.take() else {
            return lines.drive(&mut OneThread {
                run: self,
                name,
                read,
            });
        };
        let batch = pool.batch();
        let mut batches = Batches {
            run: self,
            pool,
            batch,
            name,
            read,
            waits,
        };
        let result = lines.drive(&mut batches);
        let Batches {
            run,
            mut pool,
            batch,
            ..
        } = batches;
        // Stopped early: what is under way is not written.
        pool.discard();
        pool.give_back(batch);
        run.pool = Some(pool);
        result
    }
}

/// Lines mapped on the run's own thread.
struct OneThread<'r, 's, M: Mapping, O: Write, E: Write> {
    run: &'r mut Run<'s, M, O, E>,
    /// The input's name.
    name: &'r str,
    /// The bytes read from the input so far.
    read: &'r Cell<u64>,
}

impl<M: Mapping, O: Write, E: Write> LineHandler for OneThread<'_, '_, M, O, E> {
    type Stop = InputEnd;

    fn read_may_wait<T>(&mut self, read: impl FnOnce() -> T) -> Result<T, InputEnd> {
        self.run.output.flush().map_err(Halt::from)?;
        Ok(self.run.wait_for_input(read)?)
    }

    fn line(&mut self, line: Line<'_>) -> Result<(), InputEnd> {
        self.run.line(self.name, &line, self.read.get())
    }

    /// No input for a while, or a read interrupted: the signals and the sending have their
    /// turn.
    fn interrupted(&mut self) -> Result<(), InputEnd> {
        self.run.while_waiting()
    }

    fn end(&mut self) -> Result<(), InputEnd> {
        Ok(())
    }

    fn read_failed(&mut self, error: io::Error) -> InputEnd {
        InputEnd::Read(error)
    }
}

/// Lines gathered into batches for the mapping threads, their output written out in order.
/// The batches hold short lines only, so that their memory is bounded whatever the lines and
/// the threads: a long line is mapped on the run's thread, once what is under way is written
/// out.
struct Batches<'r, 's, M: Mapping, O: Write, E: Write> {
    run: &'r mut Run<'s, M, O, E>,
    pool: Pool<M>,
    /// The lines gathered, not yet handed out.
    batch: LineBatch,
    /// The input's name.
    name: &'r str,
    /// The bytes read from the input so far.
    read: &'r Cell<u64>,
    /// A read may wait for input without saying so first: everything gathered is written out
    /// before each read that may.
    waits: bool,
}

impl<M: Mapping, O: Write, E: Write> LineHandler for Batches<'_, '_, M, O, E> {
    type Stop = InputEnd;

    /// Everything gathered is written out before a read that may wait (`waits`), or once a
    /// read said there was nothing to read yet; the read then watches for signals.
    fn read_may_wait<T>(&mut self, read: impl FnOnce() -> T) -> Result<T, InputEnd> {
        if self.waits {
            self.settle()?;
        }
        if self.batch.is_empty() && self.pool.is_idle() {
            self.run.output.flush().map_err(Halt::from)?;
            Ok(self.run.wait_for_input(read)?)
        } else {
            Ok(read())
        }
    }

    fn line(&mut self, line: Line<'_>) -> Result<(), InputEnd> {
        if line.len() >= parallel::LONG_LINE {
            self.settle()?;
            self.run.line(self.name, &line, self.read.get())?;
        } else {
            self.batch.push(&line);
            if self.batch.is_full() {
                self.hand_out()?;
            }
        }
        Ok(())
    }

    fn interrupted(&mut self) -> Result<(), InputEnd> {
        self.settle()?;
        self.run.while_waiting()
    }

    fn end(&mut self) -> Result<(), InputEnd> {
        self.settle()
    }

    /// What was gathered before the failed read is written out first.
    fn read_failed(&mut self, error: io::Error) -> InputEnd {
        match self.settle() {
            Ok(()) => InputEnd::Read(error),
            Err(stop) => stop,
        }
    }
}

impl<M: Mapping, O: Write, E: Write> Batches<'_, '_, M, O, E> {
    /// Hands the batch out to the mapping threads (once the oldest batch under way is back
    /// and written out, if as many as can be are under way), and starts a new one.
    fn hand_out(&mut self) -> Result<(), InputEnd> {
        if self.pool.is_busy() {
            self.take_back()?;
        }
        let full = std::mem::replace(&mut self.batch, self.pool.batch());
        self.pool
            .hand_out(full)
            .map_err(|stopped| InputEnd::Output(stopped.into()))
    }

    /// Hands out what is gathered, and writes out everything under way.
    fn settle(&mut self) -> Result<(), InputEnd> {
        if !self.batch.is_empty() {
            self.hand_out()?;
        }
        while !self.pool.is_idle() {
            self.take_back()?;
        }
        Ok(self.run.output.flush().map_err(Halt::from)?)
    }

    /// Takes the oldest batch under way back from the mapping threads and accounts for its
    /// lines in order: their output is written, their errors reported, and the run stops
    /// after the `--max-errors`th error or on a signal.
    fn take_back(&mut self) -> Result<(), InputEnd> {
        let Some(batch) = self
            .pool
            .take_back()
            .map_err(|stopped| InputEnd::Output(stopped.into()))?
        else {
            return Ok(());
        };
        let run = &mut *self.run;
        let mut written = batch.out.len();
        let batch_lines = batch.records.len() as u64;
        let mut limit_reached = false;
        for record in &batch.records {
            run.tally.counts.bytes += record.bytes;
            run.reading.last_line = Some((run.reading.current_input, record.number));
            run.tally.account(
                &mut run.reporter,
                self.name,
                At::line(record.number),
                &record.outcome,
            );
            if record.outcome.is_error() && run.error_limit_reached() {
                written = record.out_end;
                limit_reached = true;
                break;
            }
        }
        let result = run.output.gather(&batch.out[..written]);
        self.pool.give_back(batch);
        result.map_err(Halt::from)?;
        if limit_reached {
            return Err(Halt::Errors.into());
        }
        run.reporter.tick(
            &run.tally.counts,
            run.reading.read_before + self.read.get(),
            batch_lines,
        );
        Ok(run.interrupted()?)
    }
}
