//! Mapping on several threads: the run gathers lines into batches and hands them to the
//! mapping threads, maps a batch itself whenever every thread has [`AHEAD`] batches waiting
//! (so N threads in all, the run's among them, keep N cores busy whatever the share of the
//! reading), and takes the outputs back in the order it handed the batches out: the output is
//! the same as on one thread. At most [`AHEAD`] batches per thread are under way, each of lines
//! shorter than [`LONG_LINE`] (the run maps a longer one itself, between batches) holding at
//! most `BATCH_BYTES + LONG_LINE` bytes: memory grows with the threads, not with the input or
//! its lines.

use std::collections::VecDeque;
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::thread::JoinHandle;

use pinterest_mapping::ndjson::Line;
use pinterest_mapping::table::Mapping;

use super::map::{LineOutcome, Mapper};

/// Batches under way per thread: one mapped while the next waits.
const AHEAD: usize = 2;

/// A batch is handed out once its lines hold this many bytes.
const BATCH_BYTES: usize = 128 * 1024;

/// A line this long or longer is not put in a batch: the run maps it itself.
pub(super) const LONG_LINE: u64 = BATCH_BYTES as u64;

/// Lines of one input to map, and once mapped, their output and outcomes.
#[derive(Default)]
pub(super) struct LineBatch {
    /// The lines' bytes, one after the other.
    text: Vec<u8>,
    /// Each line's number and where its bytes end in `text`.
    lines: Vec<(u64, usize)>,
    /// The output of the lines, one after the other.
    pub(super) out: Vec<u8>,
    /// What became of each line, in order.
    pub(super) records: Vec<Record>,
}

/// What became of one line of a batch.
pub(super) struct Record {
    pub(super) number: u64,
    /// The line's length, its line end included.
    pub(super) bytes: u64,
    /// Where the line's output ends in the batch's output.
    pub(super) out_end: usize,
    pub(super) outcome: LineOutcome,
}

impl LineBatch {
    /// Adds a line to be mapped.
    pub(super) fn push(&mut self, line: &Line<'_>) {
        self.text.extend_from_slice(line.bytes());
        self.lines.push((line.number(), self.text.len()));
    }

    pub(super) fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Whether the batch is large enough to be handed out.
    pub(super) fn is_full(&self) -> bool {
        self.text.len() >= BATCH_BYTES
    }

    fn map<M: Mapping>(&mut self, mapper: &Mapper<M>) {
        let mut start = 0;
        for &(number, end) in &self.lines {
            let line = Line::new(number, &self.text[start..end]);
            let outcome = mapper.map(&line, &mut self.out);
            self.records.push(Record {
                number,
                bytes: (end - start) as u64 + 1,
                out_end: self.out.len(),
                outcome,
            });
            start = end;
        }
    }

    /// Empties the batch, keeping its memory for the next one (unless a long line made it
    /// large).
    fn clear(&mut self) {
        for buffer in [&mut self.text, &mut self.out] {
            buffer.clear();
            if buffer.capacity() > 4 * BATCH_BYTES {
                *buffer = Vec::new();
            }
        }
        self.lines.clear();
        self.records.clear();
    }
}

/// The mapping threads, and the run's own share of the mapping.
pub(super) struct Pool<M: Mapping> {
    threads: Vec<Thread>,
    /// The run's own mapper.
    mapper: Mapper<M>,
    /// The thread tried first for the next batch.
    next_turn: usize,
    /// The batches under way, in order.
    under_way: VecDeque<UnderWay>,
    /// Batches mapped and accounted for, to be used again.
    spare: Vec<LineBatch>,
}

/// A batch under way.
enum UnderWay {
    /// On a mapping thread.
    Thread(usize),
    /// Mapped by the run itself.
    Mapped(LineBatch),
}

struct Thread {
    /// Batches handed to it and not yet mapped.
    queued: usize,
    /// Batches it mapped, in order, until they are taken back.
    done: VecDeque<LineBatch>,
    batches: Option<SyncSender<LineBatch>>,
    mapped: Receiver<LineBatch>,
    handle: Option<JoinHandle<()>>,
}

/// A mapping thread stopped (it cannot, short of a bug): its batch is lost.
#[derive(Debug)]
pub(super) struct MapperLost;

impl<M: Mapping> Pool<M> {
    /// Starts mapping on `count` threads in all: the run's and `count - 1` mapping threads,
    /// each with a copy of `mapper`; `None` if the system cannot start them.
    pub(super) fn start(mapper: &Mapper<M>, count: usize) -> Option<Pool<M>> {
        let mut threads = Vec::with_capacity(count - 1);
        for index in 1..count {
            let (batches, to_map) = mpsc::sync_channel::<LineBatch>(AHEAD);
            let (give_back, mapped) = mpsc::sync_channel::<LineBatch>(AHEAD);
            let mapper = mapper.clone();
            let handle = std::thread::Builder::new()
                .name(format!("map-{index}"))
                .spawn(move || {
                    while let Ok(mut batch) = to_map.recv() {
                        batch.map(&mapper);
                        if give_back.send(batch).is_err() {
                            return;
                        }
                    }
                })
                .ok()?;
            threads.push(Thread {
                queued: 0,
                done: VecDeque::new(),
                batches: Some(batches),
                mapped,
                handle: Some(handle),
            });
        }
        Some(Pool {
            threads,
            mapper: mapper.clone(),
            next_turn: 0,
            under_way: VecDeque::new(),
            spare: Vec::new(),
        })
    }

    /// An empty batch.
    pub(super) fn batch(&mut self) -> LineBatch {
        self.spare.pop().unwrap_or_default()
    }

    /// Whether as many batches as can be are under way: take one back before handing out
    /// another.
    pub(super) fn is_busy(&self) -> bool {
        self.under_way.len() >= AHEAD * (self.threads.len() + 1)
    }

    pub(super) fn is_idle(&self) -> bool {
        self.under_way.is_empty()
    }

    /// Hands a batch out to be mapped: to the next mapping thread with room for it, else
    /// mapped now, on the run's thread.
    ///
    /// # Errors
    ///
    /// Its thread stopped.
    pub(super) fn hand_out(&mut self, mut batch: LineBatch) -> Result<(), MapperLost> {
        let count = self.threads.len();
        for thread in &mut self.threads {
            while let Ok(batch) = thread.mapped.try_recv() {
                thread.queued -= 1;
                thread.done.push_back(batch);
            }
        }
        let turn = (0..count)
            .map(|offset| (self.next_turn + offset) % count)
            .find(|&index| self.threads[index].queued < AHEAD);
        let Some(turn) = turn else {
            batch.map(&self.mapper);
            self.under_way.push_back(UnderWay::Mapped(batch));
            return Ok(());
        };
        self.next_turn = (turn + 1) % count;
        let thread = &mut self.threads[turn];
        let sent = thread.batches.as_ref().map(|batches| batches.send(batch));
        if !matches!(sent, Some(Ok(()))) {
            return Err(MapperLost);
        }
        thread.queued += 1;
        self.under_way.push_back(UnderWay::Thread(turn));
        Ok(())
    }

    /// The oldest batch under way, once mapped; `None` if none is under way.
    ///
    /// # Errors
    ///
    /// Its thread stopped.
    pub(super) fn take_back(&mut self) -> Result<Option<LineBatch>, MapperLost> {
        match self.under_way.pop_front() {
            None => Ok(None),
            Some(UnderWay::Mapped(batch)) => Ok(Some(batch)),
            Some(UnderWay::Thread(index)) => {
                let thread = &mut self.threads[index];
                if let Some(batch) = thread.done.pop_front() {
                    return Ok(Some(batch));
                }
                thread.queued -= 1;
                thread.mapped.recv().map(Some).map_err(|_| MapperLost)
            }
        }
    }

    /// Keeps an accounted-for batch's memory for a next one.
    pub(super) fn give_back(&mut self, mut batch: LineBatch) {
        batch.clear();
        self.spare.push(batch);
    }

    /// Waits for the batches under way, and drops their output (the run stopped).
    pub(super) fn discard(&mut self) {
        while let Ok(Some(batch)) = self.take_back() {
            self.give_back(batch);
        }
    }
}

impl<M: Mapping> Drop for Pool<M> {
    fn drop(&mut self) {
        for thread in &mut self.threads {
            thread.batches = None;
        }
        for thread in &mut self.threads {
            // Batches still under way are mapped and given back to nobody.
            while thread.mapped.recv().is_ok() {}
            if let Some(handle) = thread.handle.take() {
                let _ = handle.join();
            }
        }
    }
}
