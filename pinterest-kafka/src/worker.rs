//! The worker: consume, map, produce, commit what is done; rewind on a failed delivery;
//! commit a revoked partition's offsets before it goes; stop cleanly on a signal.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use mapping_core::ndjson::{self, Converted, Line};
use mapping_core::segment::{MessageError, batch_messages};
use mapping_core::{Destination, Mapping};
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Header, Headers, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::{ClientContext, Message, Offset, TopicPartitionList};

use mapping_core::capi::send::{Outcome, Sender, Stopped};

use pinterest_cli::report::{RejectionText, conversion_notes};
use pinterest_cli::send::is_configuration;
use pinterest_cli::{Clock, Interrupt, Output};

use crate::Status;
use crate::args::Args;
use crate::offsets::{Offsets, Ticket};
use crate::send::{self, Origin};

/// How long one poll of the consumer waits for a message.
const POLL: Duration = Duration::from_millis(100);
/// How often done offsets are committed while running.
const COMMIT_EVERY: Duration = Duration::from_secs(1);
/// How long a partition rests after a failed delivery before it is read again.
const REWIND_PAUSE: Duration = Duration::from_secs(1);
/// How long the outputs in flight may take to be delivered when the worker stops or a
/// partition is revoked.
const FLUSH: Duration = Duration::from_secs(30);

/// The headers of a dead letter.
pub(crate) const HEADER_TOPIC: &str = "pinterest-kafka-topic";
pub(crate) const HEADER_PARTITION: &str = "pinterest-kafka-partition";
pub(crate) const HEADER_OFFSET: &str = "pinterest-kafka-offset";
pub(crate) const HEADER_REASON: &str = "pinterest-kafka-reason";
/// On a dead letter cut to fit: the byte lengths of the whole value and key
/// (`value=3145728,key=12`).
pub(crate) const HEADER_TRUNCATED: &str = "pinterest-kafka-truncated";

/// The most of a value, and of a key, a dead letter keeps when the whole message is larger than
/// the producer or the broker takes (`message.max.bytes`).
const TRUNCATED_VALUE: usize = 64 * 1024;
const TRUNCATED_KEY: usize = 1024;

/// What the worker's callbacks and its loop share (the callbacks run on the loop's thread,
/// inside its polls).
struct Shared {
    program: String,
    input_topic: String,
    offsets: Mutex<Offsets>,
    /// Partitions to read again from an offset, after a failed delivery.
    rewinds: Mutex<Vec<(i32, i64)>>,
    consumed: AtomicU64,
    produced: AtomicU64,
    acknowledged: AtomicU64,
    dead_letters: AtomicU64,
    failed_deliveries: AtomicU64,
    /// With `--send`: events Pinterest accepted.
    accepted: AtomicU64,
    /// A delivery failed since the producer was last looked at.
    delivery_failed: AtomicBool,
    /// A delivery failed in a way that leaves the producer unable to deliver again.
    producer_broken: AtomicBool,
    /// Input messages whose output or dead letter the broker refused as too large, and
    /// whether that dead letter was cut to fit already: read again, each goes to the dead
    /// letters cut to fit.
    too_large: Mutex<HashMap<(i32, i64), bool>>,
}

impl Shared {
    fn offsets(&self) -> MutexGuard<'_, Offsets> {
        // A callback that panicked cannot leave the offsets half-updated: each update is one
        // call.
        self.offsets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// librdkafka's log and errors, on standard error.
fn log_line(program: &str, level: RDKafkaLogLevel, facility: &str, message: &str) {
    if matches!(
        level,
        RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error
            | RDKafkaLogLevel::Warning
    ) {
        say!("{program}: kafka: {facility}: {message}");
    }
}

/// The producer's callbacks: deliveries update the offsets.
struct Delivery {
    shared: Arc<Shared>,
}

impl ClientContext for Delivery {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        log_line(&self.shared.program, level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        say!("{}: kafka: {error}: {reason}", self.shared.program);
    }
}

impl ProducerContext for Delivery {
    type DeliveryOpaque = Box<Ticket>;

    fn delivery(&self, result: &DeliveryResult<'_>, ticket: Box<Ticket>) {
        match result {
            Ok(_) => {
                self.shared.acknowledged.fetch_add(1, Ordering::Relaxed);
                self.shared.offsets().acknowledged(*ticket);
            }
            Err((error, _)) => {
                self.shared
                    .failed_deliveries
                    .fetch_add(1, Ordering::Relaxed);
                self.shared.delivery_failed.store(true, Ordering::Relaxed);
                if breaks_the_producer(error) {
                    self.shared.producer_broken.store(true, Ordering::Relaxed);
                }
                if error.rdkafka_error_code() == Some(RDKafkaErrorCode::MessageSizeTooLarge) {
                    let truncated = record_is_truncated(result);
                    lock(&self.shared.too_large)
                        .entry((ticket.partition, ticket.offset))
                        .and_modify(|already| *already |= truncated)
                        .or_insert(truncated);
                }
                if let Some(offset) = self.shared.offsets().failed(*ticket) {
                    say!(
                        "{}: {}/{}@{offset}: output not delivered ({error}): the partition is \
                         read again from there",
                        self.shared.program,
                        self.shared.input_topic,
                        ticket.partition
                    );
                    lock(&self.shared.rewinds).push((ticket.partition, offset));
                }
            }
        }
    }
}

/// Whether a delivered record is a dead letter cut to fit.
fn record_is_truncated(result: &DeliveryResult<'_>) -> bool {
    let message = match result {
        Ok(message) | Err((_, message)) => message,
    };
    message
        .headers()
        .is_some_and(|headers| headers.iter().any(|header| header.key == HEADER_TRUNCATED))
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Whether a delivery error leaves an idempotent producer unable to deliver again: its
/// producer id or epoch is no longer the broker's (after deliveries timed out, a broker may
/// fence it rather than let it bump its epoch).
fn breaks_the_producer(error: &KafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::ProducerFenced
                | RDKafkaErrorCode::InvalidProducerEpoch
                | RDKafkaErrorCode::UnknownProducerId
                | RDKafkaErrorCode::OutOfOrderSequenceNumber
                | RDKafkaErrorCode::InvalidProducerIdMapping
        )
    )
}

/// The producer in use: replaced when it fails for good.
type ProducerSlot = Arc<Mutex<Arc<BaseProducer<Delivery>>>>;

/// The consumer's callbacks: assignments and revocations.
struct Group {
    shared: Arc<Shared>,
    producer: ProducerSlot,
}

impl ClientContext for Group {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        log_line(&self.shared.program, level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        say!("{}: kafka: {error}: {reason}", self.shared.program);
    }
}

impl ConsumerContext for Group {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(partitions) = rebalance else {
            return;
        };
        // What is in flight for the partitions that go is delivered first, then their done
        // offsets committed: never after they are gone.
        let producer = Arc::clone(&lock(&self.producer));
        let _ = producer.flush(FLUSH);
        let mut commit = TopicPartitionList::new();
        {
            let mut offsets = self.shared.offsets();
            for element in partitions.elements() {
                if element.topic() != self.shared.input_topic {
                    continue;
                }
                if let Some(offset) = offsets.revoke(element.partition()) {
                    let _ = commit.add_partition_offset(
                        &self.shared.input_topic,
                        element.partition(),
                        Offset::Offset(offset),
                    );
                }
            }
        }
        if commit.count() > 0
            && let Err(error) = consumer.commit(&commit, CommitMode::Sync)
        {
            say!(
                "{}: cannot commit the revoked partitions' offsets ({error}): their messages \
                 since the last commit will be read again",
                self.shared.program
            );
        }
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(partitions) => {
                let mut offsets = self.shared.offsets();
                for element in partitions.elements() {
                    if element.topic() == self.shared.input_topic {
                        offsets.assign(element.partition());
                    }
                }
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => {
                say!("{}: kafka: rebalance: {error}", self.shared.program);
            }
        }
    }
}

/// A producer whose deliveries update `shared`'s offsets.
fn new_producer(
    config: &ClientConfig,
    shared: &Arc<Shared>,
) -> Result<BaseProducer<Delivery>, KafkaError> {
    config.create_with_context(Delivery {
        shared: Arc::clone(shared),
    })
}

/// The client configuration both clients start from, with `--kafka` over it.
fn config(args: &Args) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &args.brokers);
    config.set_log_level(RDKafkaLogLevel::Warning);
    config
}

/// Runs the worker until a signal; returns the exit status.
pub(crate) fn run<M: Mapping>(table: M, program: &str, args: &Args) -> Status {
    let output = Output::of(args.format, args.sending.send);
    if let Err(message) = output.check_now(args.now) {
        say!("{program}: {message}");
        return Status::Unusable;
    }
    let settings = match args.settings.load(
        output.is_tag(),
        program,
        args.quiet,
        (&mut io::stdin().lock(), &mut io::stderr()),
    ) {
        Ok(settings) => settings,
        Err(error) => {
            say!("{program}: {error}");
            return Status::Unusable;
        }
    };
    let sender = if args.sending.send {
        match send::start(args, &settings) {
            Ok(sender) => Some(sender),
            Err(error) => {
                say!("{program}: {error}");
                return Status::Unusable;
            }
        }
    } else {
        None
    };
    let destination = Destination::with_table(table, settings);
    let shared = Arc::new(Shared {
        program: program.to_owned(),
        input_topic: args.input_topic.clone(),
        offsets: Mutex::new(Offsets::default()),
        rewinds: Mutex::new(Vec::new()),
        consumed: AtomicU64::new(0),
        produced: AtomicU64::new(0),
        acknowledged: AtomicU64::new(0),
        dead_letters: AtomicU64::new(0),
        failed_deliveries: AtomicU64::new(0),
        accepted: AtomicU64::new(0),
        delivery_failed: AtomicBool::new(false),
        producer_broken: AtomicBool::new(false),
        too_large: Mutex::new(HashMap::new()),
    });

    let mut producer_config = config(args);
    producer_config
        .set("acks", "all")
        .set("enable.idempotence", "true");
    let mut consumer_config = config(args);
    consumer_config
        .set("group.id", &args.group)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("partition.assignment.strategy", "range,roundrobin");
    for (key, value) in &args.kafka {
        producer_config.set(key, value);
        consumer_config.set(key, value);
    }
    let producer = match new_producer(&producer_config, &shared) {
        Ok(producer) => producer,
        Err(error) => {
            say!("{program}: cannot start the producer: {error}");
            return Status::Unusable;
        }
    };
    let producer: ProducerSlot = Arc::new(Mutex::new(Arc::new(producer)));
    let consumer: BaseConsumer<Group> = match consumer_config.create_with_context(Group {
        shared: Arc::clone(&shared),
        producer: Arc::clone(&producer),
    }) {
        Ok(consumer) => consumer,
        Err(error) => {
            say!("{program}: cannot start the consumer: {error}");
            return Status::Unusable;
        }
    };
    if let Err(error) = consumer.subscribe(&[&args.input_topic]) {
        say!(
            "{program}: cannot subscribe to {}: {error}",
            args.input_topic
        );
        return Status::Unusable;
    }

    let stop = Arc::new(AtomicBool::new(false));
    // The first signal stops the loop; a second ends the process at once.
    let interrupt = Interrupt::install(program);
    if let Some(interrupt) = &interrupt {
        let stop = Arc::clone(&stop);
        interrupt.on_signal(move || {
            if stop.swap(true, Ordering::AcqRel) {
                pinterest_cli::signals::end_at_once(Status::Undelivered.code());
            }
        });
    }

    let mut worker = Worker {
        args,
        destination,
        shared: &shared,
        producer_config: &producer_config,
        producer,
        consumer: &consumer,
        output: Vec::with_capacity(4096),
        outputs: Vec::new(),
        paused: HashMap::new(),
        sender,
        stopped: None,
        failed: None,
        reading: None,
    };
    let started = Instant::now();
    worker.run(&stop);
    worker.stop(started)
}

struct Worker<'w, M: Mapping> {
    args: &'w Args,
    destination: Destination<M>,
    shared: &'w Arc<Shared>,
    producer_config: &'w ClientConfig,
    producer: ProducerSlot,
    consumer: &'w BaseConsumer<Group>,
    /// The current message's outputs, one after another.
    output: Vec<u8>,
    /// Where each of the current message's outputs is in `output`.
    outputs: Vec<std::ops::Range<usize>>,
    /// Partitions resting after a failed delivery, until when.
    paused: HashMap<i32, Instant>,
    /// With `--send`: the sender.
    sender: Option<Sender<Origin>>,
    /// With `--send`: why the sender stopped, which stops the worker.
    stopped: Option<Stopped>,
    /// Why a message can end nowhere (its dead letter cannot be produced), which stops the
    /// worker with the message not committed.
    failed: Option<String>,
    /// When the first and the last message were read.
    reading: Option<(Instant, Instant)>,
}

/// Where a dead letter's message came from.
struct Source<'m> {
    topic: &'m str,
    partition: i32,
    offset: i64,
    key: Option<&'m [u8]>,
}

impl Source<'_> {
    fn of<'m>(message: &'m BorrowedMessage<'_>) -> Source<'m> {
        Source {
            topic: message.topic(),
            partition: message.partition(),
            offset: message.offset(),
            key: message.key(),
        }
    }
}

impl std::fmt::Display for Source<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{}/{}@{}",
            self.topic, self.partition, self.offset
        )
    }
}

/// Why a message is a dead letter.
type Reason = String;

impl<M: Mapping> Worker<'_, M> {
    fn run(&mut self, stop: &AtomicBool) {
        let mut last_commit = Instant::now();
        let mut last_progress = Instant::now();
        // Since when no message has come while partitions were assigned.
        let mut idle_since: Option<Instant> = None;
        while !stop.load(Ordering::Relaxed) && self.stopped.is_none() && self.failed.is_none() {
            self.take_outcomes();
            self.rewind();
            if let (Some(limit), Some(since)) = (self.args.stop_when_idle, idle_since)
                && since.elapsed() >= limit
            {
                break;
            }
            match self.consumer.poll(POLL) {
                None => {
                    if idle_since.is_none() && !self.shared.offsets().partitions().is_empty() {
                        idle_since = Some(Instant::now());
                    }
                }
                Some(Ok(message)) => {
                    idle_since = None;
                    let now = Instant::now();
                    self.reading = Some(self.reading.map_or((now, now), |(first, _)| (first, now)));
                    self.message(&message);
                }
                Some(Err(error)) => {
                    say!("{}: kafka: {error}", self.shared.program);
                }
            }
            self.producer().poll(Duration::ZERO);
            self.replace_failed_producer();
            if last_commit.elapsed() >= COMMIT_EVERY {
                self.commit(CommitMode::Async);
                last_commit = Instant::now();
            }
            let progress = self.args.progress;
            if progress > 0
                && !self.args.quiet
                && last_progress.elapsed() >= Duration::from_secs(progress)
            {
                say!("{}: {}{}", self.shared.program, self.counts(), self.lag());
                last_progress = Instant::now();
            }
        }
    }

    /// Stops: everything in flight delivered (or given up after [`FLUSH`]), what is done
    /// committed, the group left; returns the exit status.
    fn stop(&mut self, started: Instant) -> Status {
        if let Some(sender) = self.sender.take() {
            let finished = sender.finish();
            for outcome in finished.outcomes {
                self.outcome(outcome);
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
        let consumed = self.shared.consumed.load(Ordering::Relaxed);
        let rate = match reading {
            Some(reading) if reading >= Duration::from_millis(1) => format!(
                "; {:.0} messages/s over the {:.3} s from the first message read to the last",
                consumed as f64 / reading.as_secs_f64(),
                reading.as_secs_f64()
            ),
            _ => String::new(),
        };
        if !self.args.quiet {
            say!(
                "{}: stopped after {:.1} s: {}{rate}",
                self.shared.program,
                started.elapsed().as_secs_f64(),
                self.counts()
            );
        }
        if let Some(failed) = &self.failed {
            say!(
                "{}: stopped: {failed}; that message is not committed and will be read again",
                self.shared.program
            );
            return Status::Undelivered;
        }
        if let Some(stopped) = &self.stopped {
            say!(
                "{}: stopped sending: {stopped}; the messages whose events were not accepted \
                 are not committed and will be read again",
                self.shared.program
            );
            return if is_configuration(stopped) {
                Status::Unusable
            } else {
                Status::ApiUnavailable
            };
        }
        if in_flight > 0 {
            say!(
                "{}: {in_flight} outputs not delivered: their messages are not committed and \
                 will be read again",
                self.shared.program
            );
            return Status::Undelivered;
        }
        Status::Success
    }

    fn producer(&self) -> Arc<BaseProducer<Delivery>> {
        Arc::clone(&lock(&self.producer))
    }

    /// A producer in a fatal state (an idempotent producer fenced or out of sequence after
    /// failed deliveries) takes no more outputs: it is replaced, and every partition is read
    /// again from its first message not done.
    fn replace_failed_producer(&mut self) {
        // Only a failed delivery can mean that the producer failed.
        if !self.shared.delivery_failed.swap(false, Ordering::Relaxed) {
            return;
        }
        let producer = self.producer();
        let reason = match producer.client().fatal_error() {
            Some((code, reason)) => format!("{code}: {reason}"),
            None if self.shared.producer_broken.swap(false, Ordering::Relaxed) => {
                "the broker no longer knows its producer id".to_owned()
            }
            None => return,
        };
        say!(
            "{}: the producer failed for good ({reason}): starting a new one",
            self.shared.program
        );
        let replacement = match new_producer(self.producer_config, self.shared) {
            Ok(replacement) => replacement,
            Err(error) => {
                say!(
                    "{}: cannot start a new producer: {error}",
                    self.shared.program
                );
                return;
            }
        };
        *lock(&self.producer) = Arc::new(replacement);
        // The old producer's outputs are given up: their messages are read again.
        drop(producer);
        let rewinds = self.shared.offsets().rewind_all();
        lock(&self.shared.rewinds).extend(rewinds);
    }

    fn counts(&self) -> String {
        let load = |counter: &AtomicU64| counter.load(Ordering::Relaxed);
        let shared = self.shared;
        let mut text = format!(
            "{} consumed, {} produced, {} acknowledged, {} dead letters",
            load(&shared.consumed),
            load(&shared.produced),
            load(&shared.acknowledged),
            load(&shared.dead_letters),
        );
        if self.args.sending.send {
            let _ = write!(text, ", {} events accepted", load(&shared.accepted));
        }
        let failed = load(&shared.failed_deliveries);
        if failed > 0 {
            let _ = write!(text, ", {failed} failed deliveries");
        }
        let partitions = shared.offsets().partitions();
        let _ = write!(text, "; partitions {partitions:?}");
        text
    }

    /// `, lag N`: the messages left to read in the assigned partitions, from the broker's high
    /// watermarks; a note instead when a watermark cannot be had or is behind what was read.
    fn lag(&self) -> String {
        let topic = &self.shared.input_topic;
        let positions: Vec<(i32, Option<i64>)> = {
            let offsets = self.shared.offsets();
            offsets
                .partitions()
                .into_iter()
                .map(|partition| (partition, offsets.position(partition)))
                .collect()
        };
        let mut partitions = Vec::with_capacity(positions.len());
        for (partition, position) in positions {
            match self
                .consumer
                .fetch_watermarks(topic, partition, Duration::from_secs(1))
            {
                Ok((_, high)) => partitions.push((high, position)),
                Err(_) => return ", lag unknown (no high watermark from the broker)".to_owned(),
            }
        }
        match crate::offsets::lag(&partitions) {
            Some(lag) => format!(", lag {lag}"),
            None => {
                ", lag unknown (the broker's high watermarks are behind what was read)".to_owned()
            }
        }
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
                }
            }
            Err(error) => say!("{}: cannot commit offsets: {error}", self.shared.program),
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
                say!(
                    "{}: {topic}/{partition}: cannot go back to offset {offset} ({error})",
                    self.shared.program
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
    fn message(&mut self, message: &BorrowedMessage<'_>) {
        if message.topic() != self.shared.input_topic {
            return;
        }
        let (partition, offset) = (message.partition(), message.offset());
        let Some(ticket) = self.shared.offsets().read(partition, offset, 0) else {
            return;
        };
        self.shared.consumed.fetch_add(1, Ordering::Relaxed);
        let source = Source::of(message);
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
            self.send(message, ticket)
        } else {
            match self.map(message) {
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
        if let Err(reason) = handed_out {
            self.dead_letter(&source, payload, &reason, ticket);
        }
    }

    /// With `--send`: gives a message's Conversions API event to the sender, counted against
    /// the message until Pinterest accepts or refuses it.
    fn send(&mut self, message: &BorrowedMessage<'_>, ticket: Ticket) -> Result<(), Reason> {
        let text = text(message)?;
        match self.send_one(message, ticket, text) {
            Err(error) if error.lacks_type() => {
                let Some(messages) = batch_messages(text) else {
                    return Err(error.to_string());
                };
                // Each message of a batch envelope on its own; one that is not valid is a dead
                // letter of its own.
                let source = Source::of(message);
                for (index, item) in messages.iter().enumerate() {
                    let result = match item {
                        Ok(text) => self.send_one(message, ticket, text),
                        Err(error) => Err(error.clone()),
                    };
                    if let Err(error) = result {
                        let value = item.as_deref().unwrap_or_default().as_bytes();
                        let reason = format!("batch[{index}]: {error}");
                        self.dead_letter(&source, value, &reason, ticket);
                    }
                }
                Ok(())
            }
            result => result.map_err(|error| error.to_string()),
        }
    }

    /// Gives one message's Conversions API event to the sender.
    fn send_one(
        &mut self,
        message: &BorrowedMessage<'_>,
        ticket: Ticket,
        text: &str,
    ) -> Result<(), MessageError> {
        let now = Clock::new(self.args.now).now();
        let Some(sender) = &self.sender else {
            return Ok(());
        };
        let shared = self.shared;
        let origin = Origin {
            ticket,
            key: message.key().map(<[u8]>::to_vec),
        };
        let (converted, sent) = self.destination.conversion_text(text, now, |conversion| {
            let (converted, event) = Converted::split(conversion);
            let sent = event.map(|event| {
                shared.offsets().add_output(ticket);
                sender.send(origin, &event)
            });
            (converted, sent)
        })?;
        self.report(message, &converted);
        if let Some(Err(stopped)) = sent {
            self.stopped = Some(stopped);
        }
        Ok(())
    }

    /// With `--send`: what became of the events sent so far.
    fn take_outcomes(&mut self) {
        let Some(sender) = &self.sender else {
            return;
        };
        let outcomes: Vec<Outcome<Origin>> = sender.outcomes().collect();
        if let Some(stopped) = sender.stopped() {
            self.stopped = Some(stopped);
        }
        for outcome in outcomes {
            self.outcome(outcome);
        }
    }

    /// An accepted event completes its message; a refused one goes to the dead letters with
    /// Pinterest's answer; one not sent (the sender stopped) leaves its message uncommitted.
    fn outcome(&mut self, outcome: Outcome<Origin>) {
        match outcome {
            Outcome::Accepted(origin) => {
                self.shared.accepted.fetch_add(1, Ordering::Relaxed);
                self.shared.offsets().acknowledged(origin.ticket);
            }
            // Refused, or never sendable (too large for any request): a dead letter.
            Outcome::Rejected(rejection) if !rejection.sendable => {
                let input_topic = self.shared.input_topic.clone();
                let origin = &rejection.origin;
                let source = Source {
                    topic: &input_topic,
                    partition: origin.ticket.partition,
                    offset: origin.ticket.offset,
                    key: origin.key.as_deref(),
                };
                let reason = RejectionText(&rejection).to_string();
                self.dead_letter(&source, rejection.event.as_bytes(), &reason, origin.ticket);
                self.shared.offsets().acknowledged(origin.ticket);
            }
            Outcome::Rejected(_) => {}
        }
    }

    /// Maps a message's value into `self.output`, the place of each of its outputs into
    /// `self.outputs` (each without its last line end; none for `--format js` without calls);
    /// returns the messages of a batch envelope that are not valid, each with its text and
    /// why. A value that is a batch envelope gives an output for each of its messages.
    fn map(&mut self, message: &BorrowedMessage<'_>) -> Result<Vec<(Vec<u8>, Reason)>, Reason> {
        self.output.clear();
        self.outputs.clear();
        let text = text(message)?;
        let mut invalid = Vec::new();
        match self.map_one(message, text) {
            Ok(()) => self.close_output(0),
            Err(error) if error.lacks_type() => {
                let Some(messages) = batch_messages(text) else {
                    return Err(error.to_string());
                };
                for (index, item) in messages.into_iter().enumerate() {
                    let start = self.output.len();
                    let result = match &item {
                        Ok(text) => self.map_one(message, text),
                        Err(error) => Err(error.clone()),
                    };
                    match result {
                        Ok(()) => self.close_output(start),
                        Err(error) => {
                            self.output.truncate(start);
                            let value = match item {
                                Ok(text) => text.into_owned().into_bytes(),
                                Err(_) => Vec::new(),
                            };
                            invalid.push((value, format!("batch[{index}]: {error}")));
                        }
                    }
                }
            }
            Err(error) => return Err(error.to_string()),
        }
        Ok(invalid)
    }

    /// The output written from `start` on, without its last line end, as one of the current
    /// message's (none when it is empty).
    fn close_output(&mut self, start: usize) {
        if self.output.last() == Some(&b'\n') && self.output.len() > start {
            self.output.pop();
        }
        if self.output.len() > start {
            self.outputs.push(start..self.output.len());
        }
    }

    /// Maps one message's text, appending its output to `self.output`.
    fn map_one(&mut self, message: &BorrowedMessage<'_>, text: &str) -> Result<(), MessageError> {
        let destination = &self.destination;
        match Output::of(self.args.format, false) {
            Output::Tag(format) => {
                ndjson::map_line(destination, format, text, &mut self.output)?;
            }
            Output::Conversions | Output::Send => {
                let now = Clock::new(self.args.now).now();
                let converted = ndjson::convert_line(destination, text, now, &mut self.output)?;
                self.report(message, &converted);
            }
        }
        Ok(())
    }

    /// Reports a message that cannot become a Conversions API event, or fields left out of
    /// one, as `pinterest-map` does.
    fn report(&self, message: &BorrowedMessage<'_>, converted: &Converted) {
        let at = format!(
            "{}/{}@{}",
            message.topic(),
            message.partition(),
            message.offset()
        );
        for note in conversion_notes(converted) {
            say!("{}: {at}: {note}", self.shared.program);
        }
    }

    /// Hands an output to the producer, counted against its input message; waits while the
    /// producer's queue is full. `Err` when the producer can never take it; the output still
    /// counts against its message, until the caller gives its place up.
    fn produce(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        payload: &[u8],
        headers: Option<OwnedHeaders>,
        ticket: Ticket,
    ) -> Result<(), ProduceError> {
        let mut record = BaseRecord::with_opaque_to(topic, Box::new(ticket)).payload(payload);
        if let Some(key) = key {
            record = record.key(key);
        }
        if let Some(headers) = headers {
            record = record.headers(headers);
        }
        self.shared.offsets().add_output(ticket);
        loop {
            let producer = self.producer();
            match producer.send(record) {
                Ok(()) => {
                    self.shared.produced.fetch_add(1, Ordering::Relaxed);
                    return Ok(());
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                    record = back;
                    producer.poll(POLL);
                }
                Err((error, _)) => {
                    return Err(ProduceError {
                        topic: topic.to_owned(),
                        too_large: error.rdkafka_error_code()
                            == Some(RDKafkaErrorCode::MessageSizeTooLarge),
                        error,
                    });
                }
            }
        }
    }

    /// Sends a message that cannot be mapped (or an event Pinterest refused) to the
    /// dead-letter topic, as it came, with its origin and reason in headers (cut to fit when
    /// it is larger than the producer takes); reports it on standard error (never its value).
    /// A dead letter that cannot be produced stops the worker, its message not committed.
    fn dead_letter(&mut self, source: &Source<'_>, payload: &[u8], reason: &str, ticket: Ticket) {
        let program = &self.shared.program;
        let Some(topic) = &self.args.dead_letter_topic else {
            say!("{program}: {source}: {reason} (skipped: no --dead-letter-topic)");
            return;
        };
        let headers = dead_letter_headers(source, reason);
        match self.produce(topic, source.key, payload, Some(headers), ticket) {
            Ok(()) => {
                self.shared.dead_letters.fetch_add(1, Ordering::Relaxed);
                say!("{program}: {source}: {reason} (sent to {topic})");
            }
            Err(error) if error.too_large => {
                self.dead_letter_cut_to_fit(source, payload, reason, ticket);
                // The whole dead letter never went: its place is given up.
                self.shared.offsets().acknowledged(ticket);
            }
            Err(error) => self.fail(source, reason, &error.to_string(), ticket),
        }
    }

    /// A dead letter of the first [`TRUNCATED_VALUE`] bytes of the value and
    /// [`TRUNCATED_KEY`] of the key, with the whole lengths in a header.
    fn dead_letter_cut_to_fit(
        &mut self,
        source: &Source<'_>,
        payload: &[u8],
        reason: &str,
        ticket: Ticket,
    ) {
        let program = &self.shared.program;
        let Some(topic) = &self.args.dead_letter_topic else {
            say!("{program}: {source}: {reason} (skipped: no --dead-letter-topic)");
            return;
        };
        let key = source.key.map(|key| &key[..key.len().min(TRUNCATED_KEY)]);
        let lengths = format!(
            "value={},key={}",
            payload.len(),
            source.key.map_or(0, <[u8]>::len)
        );
        let headers = dead_letter_headers(source, reason).insert(Header {
            key: HEADER_TRUNCATED,
            value: Some(&lengths),
        });
        let value = &payload[..payload.len().min(TRUNCATED_VALUE)];
        match self.produce(topic, key, value, Some(headers), ticket) {
            Ok(()) => {
                self.shared.dead_letters.fetch_add(1, Ordering::Relaxed);
                say!(
                    "{program}: {source}: {reason} (sent to {topic}, cut to fit: {} of {} bytes)",
                    value.len(),
                    payload.len()
                );
            }
            Err(error) => self.fail(source, reason, &error.to_string(), ticket),
        }
    }

    /// Stops the worker: a message can end nowhere. It stays uncommitted (it holds an output
    /// that is never acknowledged), so that it is read again once the cause is mended.
    fn fail(&mut self, source: &Source<'_>, reason: &str, why: &str, ticket: Ticket) {
        self.shared.offsets().add_output(ticket);
        self.failed = Some(format!(
            "{source}: {reason}, and its dead letter cannot be produced: {why}"
        ));
    }
}

/// A record the producer refused outright.
struct ProduceError {
    topic: String,
    /// Larger than the producer takes (`message.max.bytes`).
    too_large: bool,
    error: KafkaError,
}

impl std::fmt::Display for ProduceError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "the output cannot be produced to {}: {}",
            self.topic, self.error
        )
    }
}

/// A dead letter's headers: where its message came from, and why it is one.
fn dead_letter_headers(source: &Source<'_>, reason: &str) -> OwnedHeaders {
    let partition = source.partition.to_string();
    let offset = source.offset.to_string();
    OwnedHeaders::new()
        .insert(Header {
            key: HEADER_TOPIC,
            value: Some(source.topic),
        })
        .insert(Header {
            key: HEADER_PARTITION,
            value: Some(&partition),
        })
        .insert(Header {
            key: HEADER_OFFSET,
            value: Some(&offset),
        })
        .insert(Header {
            key: HEADER_REASON,
            value: Some(reason),
        })
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
