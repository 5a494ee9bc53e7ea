//! The worker's state that its clients' callbacks share with its loop, and the callbacks
//! themselves: one client context for the producer and the consumer.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{BaseProducer, DeliveryResult, Producer, ProducerContext};
use rdkafka::statistics::Statistics;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use super::FLUSH;
use super::dead_letter::HEADER_TRUNCATED;
use super::metrics::Metrics;
use super::repeats::{Repeats, with_held};
use crate::args::Args;
use crate::offsets::{Offsets, Ticket};

/// What the worker's callbacks and its loop share (the callbacks run on the loop's thread,
/// inside its polls).
pub(super) struct WorkerState {
    pub(super) input_topic: String,
    pub(super) offsets: Mutex<Offsets>,
    /// Partitions to read again from an offset, after a failed delivery.
    pub(super) rewinds: Mutex<Vec<(i32, i64)>>,
    /// The counts, the committed offsets and the lag, as `--metrics` serves them.
    pub(super) metrics: Metrics,
    /// A delivery failed since the producer was last looked at.
    pub(super) delivery_failed: AtomicBool,
    /// A delivery failed in a way that leaves the producer unable to deliver again.
    pub(super) producer_broken: AtomicBool,
    /// Input messages whose output or dead letter the broker refused as too large, and
    /// whether that dead letter was cut to fit already: read again, each goes to the dead
    /// letters cut to fit.
    pub(super) too_large: Mutex<HashMap<(i32, i64), bool>>,
    /// Each partition's high watermark, from the consumer's latest statistics.
    pub(super) high_watermarks: Mutex<HashMap<i32, i64>>,
    /// The group gave the consumer its partitions (none, when it has more workers than the
    /// topic has partitions) at least once.
    pub(super) joined: AtomicBool,
    /// The brokers said that the input topic does not exist.
    pub(super) topic_missing: AtomicBool,
    /// The kinds of client error said lately.
    pub(super) repeats: Repeats,
}

impl WorkerState {
    pub(super) fn offsets(&self) -> MutexGuard<'_, Offsets> {
        // A callback that panicked cannot leave the offsets half-updated: each update is one
        // call.
        self.offsets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl WorkerState {
    /// A partition's offset committed: its gauge set.
    pub(super) fn committed(&self, partition: i32, offset: i64) {
        self.metrics
            .committed
            .with_label_values(&[self.input_topic.as_str(), &partition.to_string()])
            .set(offset);
    }

    /// The partitions held, counted again after a change.
    fn count_partitions(&self) {
        let held = self.offsets().partitions().len();
        self.metrics
            .assigned
            .set(i64::try_from(held).unwrap_or(i64::MAX));
    }

    /// librdkafka's log, at its level: warnings and worse (the clients log nothing finer),
    /// each kind (its facility) at most once a minute.
    fn log_line(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        let error = match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => true,
            RDKafkaLogLevel::Warning => false,
            _ => return,
        };
        let Some(held) = self.repeats.admit(&format!("log {facility}")) else {
            return;
        };
        let line = with_held(&format!("kafka: {facility}: {message}"), held);
        if error {
            tracing::error!(facility, "{line}");
        } else {
            tracing::warn!(facility, "{line}");
        }
    }

    /// A client's error, each kind (its code) at most once a minute.
    pub(super) fn client_error(&self, error: &KafkaError, reason: Option<&str>) {
        if error.rdkafka_error_code() == Some(RDKafkaErrorCode::UnknownTopicOrPartition) {
            self.topic_missing.store(true, Ordering::Relaxed);
        }
        let kind = format!("error {:?}", error.rdkafka_error_code());
        let Some(held) = self.repeats.admit(&kind) else {
            return;
        };
        let line = match reason {
            Some(reason) => format!("kafka: {error}: {reason}"),
            None => format!("kafka: {error}"),
        };
        tracing::error!("{}", with_held(&line, held));
    }
}

/// The clients' callbacks, one type for both: librdkafka's log and errors; the producer's
/// deliveries, which update the offsets; the consumer's assignments and revocations, which
/// deliver and commit what the revoked partitions hold (the consumer's holds the producer).
pub(super) struct Context {
    pub(super) shared: Arc<WorkerState>,
    /// The consumer's: the producer in use.
    producer: Option<ProducerSlot>,
}

impl ClientContext for Context {
    fn log(&self, level: RDKafkaLogLevel, facility: &str, message: &str) {
        self.shared.log_line(level, facility, message);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.shared.client_error(&error, Some(reason));
    }

    /// The consumer's statistics: each partition's high watermark and lag.
    fn stats(&self, statistics: Statistics) {
        if self.producer.is_none() {
            return;
        }
        let topic = &self.shared.input_topic;
        let Some(found) = statistics.topics.get(topic) else {
            return;
        };
        let held = self.shared.offsets().partitions();
        {
            let mut highs = lock(&self.shared.high_watermarks);
            highs.clear();
            for (partition, stats) in &found.partitions {
                if held.contains(partition) && stats.hi_offset >= 0 {
                    highs.insert(*partition, stats.hi_offset);
                }
            }
        }
        for (partition, stats) in &found.partitions {
            // librdkafka's internal partition is -1; -1 lag is "not known yet".
            if held.contains(partition) && stats.consumer_lag >= 0 {
                self.shared
                    .metrics
                    .lag
                    .with_label_values(&[topic.as_str(), &partition.to_string()])
                    .set(stats.consumer_lag);
            }
        }
    }
}

impl ProducerContext for Context {
    type DeliveryOpaque = Box<Ticket>;

    fn delivery(&self, result: &DeliveryResult<'_>, ticket: Box<Ticket>) {
        match result {
            Ok(_) => {
                self.shared.metrics.acknowledged.inc();
                self.shared.offsets().acknowledged(*ticket);
            }
            Err((error, _)) => {
                self.shared.metrics.failed_deliveries.inc();
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
                    tracing::warn!(
                        partition = ticket.partition,
                        offset,
                        "{}/{}@{offset}: output not delivered ({error}): the partition is read \
                         again from there",
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

pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
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
pub(super) type ProducerSlot = Arc<Mutex<Arc<BaseProducer<Context>>>>;

impl ConsumerContext for Context {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Revoke(partitions) = rebalance else {
            return;
        };
        // What is in flight for the partitions that go is delivered first, then their done
        // offsets committed: never after they are gone.
        if let Some(producer) = &self.producer {
            let producer = Arc::clone(&lock(producer));
            let _ = producer.flush(FLUSH);
        }
        let mut commit = TopicPartitionList::new();
        {
            let mut offsets = self.shared.offsets();
            for element in partitions.elements() {
                if element.topic() != self.shared.input_topic {
                    continue;
                }
                // A partition that goes has no lag of this worker's.
                let _ = self.shared.metrics.lag.remove_label_values(&[
                    self.shared.input_topic.as_str(),
                    &element.partition().to_string(),
                ]);
                if let Some(offset) = offsets.revoke(element.partition()) {
                    let _ = commit.add_partition_offset(
                        &self.shared.input_topic,
                        element.partition(),
                        Offset::Offset(offset),
                    );
                }
            }
        }
        if commit.count() > 0 {
            match consumer.commit(&commit, CommitMode::Sync) {
                Ok(()) => {
                    for element in commit.elements() {
                        if let Offset::Offset(offset) = element.offset() {
                            self.shared.committed(element.partition(), offset);
                        }
                    }
                }
                Err(error) => tracing::warn!(
                    "cannot commit the revoked partitions' offsets ({error}): their messages \
                     since the last commit will be read again"
                ),
            }
        }
        self.shared.count_partitions();
    }

    fn post_rebalance(&self, _consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(partitions) => {
                self.shared.joined.store(true, Ordering::Relaxed);
                let mut offsets = self.shared.offsets();
                for element in partitions.elements() {
                    if element.topic() == self.shared.input_topic {
                        offsets.assign(element.partition());
                    }
                }
                drop(offsets);
                self.shared.count_partitions();
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(error) => {
                tracing::error!("kafka: rebalance: {error}");
            }
        }
    }
}

/// A producer whose deliveries update `shared`'s offsets.
pub(super) fn new_producer(
    config: &ClientConfig,
    shared: &Arc<WorkerState>,
) -> Result<BaseProducer<Context>, KafkaError> {
    config.create_with_context(Context {
        shared: Arc::clone(shared),
        producer: None,
    })
}

/// A consumer whose rebalances deliver and commit with `producer`.
pub(super) fn new_consumer(
    config: &ClientConfig,
    shared: &Arc<WorkerState>,
    producer: &ProducerSlot,
) -> Result<BaseConsumer<Context>, KafkaError> {
    config.create_with_context(Context {
        shared: Arc::clone(shared),
        producer: Some(Arc::clone(producer)),
    })
}

/// The client configuration both clients start from.
pub(super) fn config(args: &Args) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", &args.brokers);
    config.set_log_level(RDKafkaLogLevel::Warning);
    config
}
