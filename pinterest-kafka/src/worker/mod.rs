//! The worker: consume, map, produce, commit what is done; rewind on a failed delivery;
//! commit a revoked partition's offsets before it goes; stop cleanly on a signal.
//!
//! | module | what it is |
//! |---|---|
//! | `setup` | the checks before connecting, the clients, the signals |
//! | `context` | what the clients' callbacks share with the loop, and the callbacks (one context) |
//! | this module | the loop: poll, commit, rewind, stop |
//! | `map`, `send` | one message to its outputs and the producer, or to the sender |
//! | `dead_letter` | a message that cannot be mapped, to the dead-letter topic |
//! | `metrics` | the counts, committed offsets and lag, for `--metrics` |
//! | `progress` | the progress line: counts, partitions, lag |
//! | `repeats` | librdkafka's repeated errors, said at most once a minute |
//! | `startup` | a worker that gets no partition: why, and when it gives up |

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pinterest_cli::send::is_configuration;
use pinterest_mapping::capi::send::{Sender, Stopped};
use pinterest_mapping::ndjson::Line;
use pinterest_mapping::{Destination, Mapping};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::BorrowedMessage;
use rdkafka::producer::{BaseProducer, Producer};
use rdkafka::{Message, Offset, TopicPartitionList};

use crate::Status;
use crate::args::Args;
use crate::send::MessageOrigin;

mod context;
mod dead_letter;
mod map;
mod metrics;
mod progress;
mod repeats;
mod send;
mod setup;
mod startup;

use context::{ProducerSlot, WorkerState, lock, new_producer};
use dead_letter::DeadLetterSource;
pub(crate) use setup::run;
use startup::Startup;

/// How long one poll of the consumer waits for a message.
const POLL: Duration = Duration::from_millis(100);
/// How often done offsets are committed while running.
const COMMIT_EVERY: Duration = Duration::from_secs(1);
/// How long a partition rests after a failed delivery before it is read again.
const REWIND_PAUSE: Duration = Duration::from_secs(1);
/// How long the outputs in flight may take to be delivered when the worker stops or a
/// partition is revoked.
const FLUSH: Duration = Duration::from_secs(30);

struct Worker<'w, M: Mapping> {
    args: &'w Args,
    destination: Destination<M>,
    shared: &'w Arc<WorkerState>,
    producer_config: &'w ClientConfig,
    /// The producer in use, and the slot that holds it for the consumer's callbacks.
    producer: Arc<BaseProducer<context::Context>>,
    producer_slot: ProducerSlot,
    consumer: &'w BaseConsumer<context::Context>,
    /// The current message's outputs, one after another.
    output: Vec<u8>,
    /// Where each of the current message's outputs is in `output`.
    outputs: Vec<std::ops::Range<usize>>,
    /// Partitions resting after a failed delivery, until when.
    paused: HashMap<i32, Instant>,
    /// With `--send`: the sender.
    sender: Option<Sender<MessageOrigin>>,
    /// With `--send`: why the sender stopped, which stops the worker.
    stopped: Option<Stopped>,
    /// Why a message can end nowhere (its dead letter cannot be produced), which stops the
    /// worker with the message not committed.
    failed: Option<String>,
    /// When the first and the last message were read.
    reading: Option<(Instant, Instant)>,
    /// Where the worker is in its start.
    startup: Startup,
    /// Why the worker gave up at its start (no input topic, no brokers).
    gave_up: Option<String>,
}

/// Why a message is a dead letter.
type Reason = String;

impl<M: Mapping> Worker<'_, M> {
    fn run(&mut self, stop: &AtomicBool, started: Instant) {
        let mut last_commit = Instant::now();
        let mut last_progress = Instant::now();
        // Since when no message has come since the group gave the worker its partitions.
        let mut idle_since: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) && self.stopped.is_none() && self.failed.is_none() {
            self.take_outcomes();
            self.rewind();
            if let (Some(limit), Some(since)) = (self.args.stop_when_idle, idle_since)
                && since.elapsed() >= limit
            {
                break;
            }
            if let Some(why) = self.check_startup(started) {
                self.gave_up = Some(why);
                break;
            }
            let polled = self.consumer.poll(POLL);
            // The clock is read once a turn, for the reading span, the commits and the
            // progress line alike (a turn reads one message at most).
            let now = Instant::now();
            match polled {
                None => {
                    if idle_since.is_none() && self.shared.joined.load(Ordering::Relaxed) {
                        idle_since = Some(now);
                    }
                }
                Some(Ok(message)) => {
                    idle_since = None;
                    self.reading = Some(self.reading.map_or((now, now), |(first, _)| (first, now)));
                    self.handle_message(&message);
                }
                Some(Err(error)) => self.shared.client_error(&error, None),
            }
            self.producer().poll(Duration::ZERO);
            self.replace_failed_producer();
            if now.duration_since(last_commit) >= COMMIT_EVERY {
                self.commit(CommitMode::Async);
                last_commit = now;
            }
            let progress = self.args.progress;
            if progress > 0
                && !self.args.quiet
                && now.duration_since(last_progress) >= Duration::from_secs(progress)
            {
                tracing::info!("{}{}", self.describe_counts(), self.describe_lag());
                last_progress = now;
            }
        }
    }

    /// Stops: everything in flight delivered (or given up after [`FLUSH`]), what is done
    /// committed, the group left; returns the exit status.
    fn stop(&mut self, started: Instant) -> Status {
        if let Some(sender) = self.sender.take() {
            let finished = sender.finish();
            for outcome in finished.outcomes {
                self.record_outcome(outcome);
            }
            if self.stopped.is_none() {
                self.stopped = finished.stopped;
            }
        }
        let _ = self.producer().flush(FLUSH);
        self.commit(CommitMode::Sync);
        let in_flight = self.shared.offsets().in_flight();
        self.consumer.unsubscribe();
        // The rate while there was input to read: a worker that waits for input is not slow.
        let reading = self.reading.map(|(first, last)| last - first);
        let consumed = self.shared.metrics.consumed.get();
        let rate = match reading {
            Some(reading) if reading >= Duration::from_millis(1) => format!(
                "; {:.0} messages/s over the {:.3} s from the first message read to the last",
                consumed as f64 / reading.as_secs_f64(),
                reading.as_secs_f64()
            ),
            _ => String::new(),
        };
        if !self.args.quiet {
            tracing::info!(
                "stopped after {:.1} s: {}{rate}",
                started.elapsed().as_secs_f64(),
                self.describe_counts()
            );
        }
        if let Some(why) = &self.gave_up {
            tracing::error!("stopped: {why}");
            return Status::NoInput;
        }
        if let Some(failed) = &self.failed {
            tracing::error!(
                "stopped: {failed}; that message is not committed and will be read again"
            );
            return Status::Undelivered;
        }
        if let Some(stopped) = &self.stopped {
            tracing::error!(
                "stopped sending: {stopped}; the messages whose events were not accepted are \
                 not committed and will be read again"
            );
            return if is_configuration(stopped) {
                Status::Unusable
            } else {
                Status::ApiUnavailable
            };
        }
        if in_flight > 0 {
            tracing::error!(
                "{in_flight} outputs not delivered: their messages are not committed and will \
                 be read again"
            );
            return Status::Undelivered;
        }
        Status::Success
    }

    fn producer(&self) -> &BaseProducer<context::Context> {
        &self.producer
    }

    /// A producer in a fatal state (an idempotent producer fenced or out of sequence after
    /// failed deliveries) takes no more outputs: it is replaced, and every partition is read
    /// again from its first message not done.
    fn replace_failed_producer(&mut self) {
        // Only a failed delivery can mean that the producer failed.
        if !self.shared.delivery_failed.swap(false, Ordering::Relaxed) {
            return;
        }
        let reason = match self.producer.client().fatal_error() {
            Some((code, reason)) => format!("{code}: {reason}"),
            None if self.shared.producer_broken.swap(false, Ordering::Relaxed) => {
                "the broker no longer knows its producer id".to_owned()
            }
            None => return,
        };
        tracing::warn!("the producer failed for good ({reason}): starting a new one");
        let replacement = match new_producer(self.producer_config, self.shared) {
            Ok(replacement) => replacement,
            Err(error) => {
                tracing::error!("cannot start a new producer: {error}");
                return;
            }
        };
        let replacement = Arc::new(replacement);
        *lock(&self.producer_slot) = Arc::clone(&replacement);
        // The old producer's outputs are given up: their messages are read again.
        self.producer = replacement;
        let rewinds = self.shared.offsets().rewind_all();
        lock(&self.shared.rewinds).extend(rewinds);
    }

    /// Commits every partition's done offsets.
    fn commit(&self, mode: CommitMode) {
        let committable = self.shared.offsets().all_committable();
        if committable.is_empty() {
            return;
        }
        let mut list = TopicPartitionList::new();
        for (partition, offset) in &committable {
            let _ = list.add_partition_offset(
                &self.shared.input_topic,
                *partition,
                Offset::Offset(*offset),
            );
        }
        match self.consumer.commit(&list, mode) {
            Ok(()) => {
                let mut offsets = self.shared.offsets();
                for (partition, offset) in committable {
                    offsets.committed(partition, offset);
                    self.shared.committed(partition, offset);
                }
            }
            Err(error) => tracing::warn!("cannot commit offsets: {error}"),
        }
    }

    /// Reads partitions again from where a delivery failed, after a pause.
    fn rewind(&mut self) {
        let rewinds: Vec<(i32, i64)> = std::mem::take(&mut *lock(&self.shared.rewinds));
        let topic = &self.shared.input_topic;
        for (partition, offset) in rewinds {
            let mut list = TopicPartitionList::new();
            list.add_partition(topic, partition);
            let _ = self.consumer.pause(&list);
            if let Err(error) = self.consumer.seek(
                topic,
                partition,
                Offset::Offset(offset),
                Duration::from_secs(10),
            ) {
                tracing::error!(
                    partition,
                    offset,
                    "{topic}/{partition}: cannot go back to offset {offset} ({error})"
                );
            }
            self.paused.insert(partition, Instant::now() + REWIND_PAUSE);
        }
        let now = Instant::now();
        let due: Vec<i32> = self
            .paused
            .iter()
            .filter(|(_, until)| **until <= now)
            .map(|(partition, _)| *partition)
            .collect();
        for partition in due {
            self.paused.remove(&partition);
            let mut list = TopicPartitionList::new();
            list.add_partition(topic, partition);
            let _ = self.consumer.resume(&list);
        }
    }

    /// Maps one input message and hands its output (or its dead letter) to the producer.
    fn handle_message(&mut self, message: &BorrowedMessage<'_>) {
        if message.topic() != self.shared.input_topic {
            return;
        }
        let (partition, offset) = (message.partition(), message.offset());
        let Some(ticket) = self.shared.offsets().read(partition, offset, 0) else {
            return;
        };
        self.shared.metrics.consumed.inc();
        let source = DeadLetterSource::of(message);
        let payload = message.payload().unwrap_or_default();
        let too_large = {
            // Almost always empty: no hashing then.
            let mut marked = lock(&self.shared.too_large);
            if marked.is_empty() {
                None
            } else {
                marked.remove(&(partition, offset))
            }
        };
        if let Some(truncated) = too_large {
            let reason = "the output or its dead letter is larger than the broker takes (its \
                          message.max.bytes)";
            if truncated {
                self.fail(
                    &source,
                    reason,
                    "its dead letter cut to fit was refused too",
                    ticket,
                );
            } else {
                self.dead_letter_cut_to_fit(&source, payload, reason, ticket);
            }
            return;
        }
        let handed_out = if self.sender.is_some() {
            self.send_message(message, ticket)
        } else {
            match self.map_message(message) {
                Ok(invalid) => {
                    let (output, outputs) = (
                        std::mem::take(&mut self.output),
                        std::mem::take(&mut self.outputs),
                    );
                    let topic = self.args.output_topic.as_deref().unwrap_or_default();
                    for range in outputs.iter().cloned() {
                        let produced =
                            self.produce(topic, message.key(), &output[range], None, ticket);
                        if let Err(error) = produced {
                            let reason = error.to_string();
                            self.dead_letter(&source, payload, &reason, ticket);
                            // The output never went: its place is given up.
                            self.shared.offsets().acknowledged(ticket);
                            break;
                        }
                    }
                    (self.output, self.outputs) = (output, outputs);
                    for (value, reason) in invalid {
                        self.dead_letter(&source, &value, &reason, ticket);
                    }
                    Ok(())
                }
                Err(reason) => Err(reason),
            }
        };
        match handed_out {
            Ok(()) => self.shared.metrics.mapped.inc(),
            Err(reason) => {
                self.shared.metrics.invalid.inc();
                self.dead_letter(&source, payload, &reason, ticket);
            }
        }
    }
}

/// A message's value as text: UTF-8 without a byte-order mark, not blank.
fn text<'m>(message: &'m BorrowedMessage<'_>) -> Result<&'m str, Reason> {
    let bytes = message
        .payload()
        .ok_or_else(|| "the message has no value".to_owned())?;
    Line::new(0, bytes)
        .text()
        .map_err(|error| error.to_string())?
        .ok_or_else(|| "the message is blank".to_owned())
}
