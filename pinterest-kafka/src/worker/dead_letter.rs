//! Dead letters: a message that cannot be mapped (or an event Pinterest refused) goes to the
//! dead-letter topic as it came, with its origin and reason in headers, cut to fit when it is
//! larger than the broker takes; one that cannot be produced even so stops the worker.

use pinterest_mapping::Mapping;
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Header, Message, OwnedHeaders};

use super::Worker;
use crate::offsets::Ticket;

/// The headers of a dead letter.
pub(crate) const HEADER_TOPIC: &str = "pinterest-kafka-topic";
pub(crate) const HEADER_PARTITION: &str = "pinterest-kafka-partition";
pub(crate) const HEADER_OFFSET: &str = "pinterest-kafka-offset";
pub(crate) const HEADER_REASON: &str = "pinterest-kafka-reason";
/// What the dead letter's value is: `segment-message` (the input message, or one message of a
/// batch envelope) or `conversions-api-event` (the event Pinterest refused).
pub(crate) const HEADER_PAYLOAD: &str = "pinterest-kafka-payload";
/// On a dead letter cut to fit: the byte lengths of the whole value and key
/// (`value=3145728,key=12`).
pub(crate) const HEADER_TRUNCATED: &str = "pinterest-kafka-truncated";

/// The most of a value, and of a key, a dead letter keeps when the whole message is larger than
/// the producer or the broker takes (`message.max.bytes`).
const TRUNCATED_VALUE: usize = 64 * 1024;
const TRUNCATED_KEY: usize = 1024;

/// Where a dead letter's message came from, and what its value is.
pub(super) struct DeadLetterSource<'m> {
    pub(super) topic: &'m str,
    pub(super) partition: i32,
    pub(super) offset: i64,
    pub(super) key: Option<&'m [u8]>,
    pub(super) payload: Payload,
}

/// What a dead letter's value is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Payload {
    /// A Segment message: the input message, or one message of its batch envelope.
    SegmentMessage,
    /// The Conversions API event Pinterest refused.
    ConversionEvent,
}

impl Payload {
    fn header(self) -> &'static str {
        match self {
            Payload::SegmentMessage => "segment-message",
            Payload::ConversionEvent => "conversions-api-event",
        }
    }
}

impl DeadLetterSource<'_> {
    /// An input message, whose dead letter is the message.
    pub(super) fn of<'m>(message: &'m BorrowedMessage<'_>) -> DeadLetterSource<'m> {
        DeadLetterSource {
            topic: message.topic(),
            partition: message.partition(),
            offset: message.offset(),
            key: message.key(),
            payload: Payload::SegmentMessage,
        }
    }
}

impl std::fmt::Display for DeadLetterSource<'_> {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "{}/{}@{}",
            self.topic, self.partition, self.offset
        )
    }
}

impl<'w, M: Mapping> Worker<'w, M> {
    /// The dead-letter topic; without one, the message is reported and skipped.
    fn dead_letter_topic(&self, source: &DeadLetterSource<'_>, reason: &str) -> Option<&'w str> {
        let topic = self.args.dead_letter_topic.as_deref();
        if topic.is_none() {
            tracing::warn!(
                partition = source.partition,
                offset = source.offset,
                "{source}: {reason} (skipped: no --dead-letter-topic)"
            );
        }
        topic
    }

    /// Sends a message that cannot be mapped (or an event Pinterest refused) to the
    /// dead-letter topic, as it came, with its origin and reason in headers (cut to fit when
    /// it is larger than the producer takes); reports it on standard error (never its value).
    /// A dead letter that cannot be produced stops the worker, its message not committed.
    pub(super) fn dead_letter(
        &mut self,
        source: &DeadLetterSource<'_>,
        payload: &[u8],
        reason: &str,
        ticket: Ticket,
    ) {
        let Some(topic) = self.dead_letter_topic(source, reason) else {
            return;
        };
        let headers = dead_letter_headers(source, reason);
        match self.produce(topic, source.key, payload, Some(headers), ticket) {
            Ok(()) => {
                self.shared.metrics.dead_letters.inc();
                tracing::warn!(
                    partition = source.partition,
                    offset = source.offset,
                    "{source}: {reason} (sent to {topic})"
                );
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
    pub(super) fn dead_letter_cut_to_fit(
        &mut self,
        source: &DeadLetterSource<'_>,
        payload: &[u8],
        reason: &str,
        ticket: Ticket,
    ) {
        let Some(topic) = self.dead_letter_topic(source, reason) else {
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
                self.shared.metrics.dead_letters.inc();
                tracing::warn!(
                    partition = source.partition,
                    offset = source.offset,
                    "{source}: {reason} (sent to {topic}, cut to fit: {} of {} bytes)",
                    value.len(),
                    payload.len()
                );
            }
            Err(error) => self.fail(source, reason, &error.to_string(), ticket),
        }
    }

    /// Stops the worker: a message can end nowhere. It stays uncommitted (it holds an output
    /// that is never acknowledged), so that it is read again once the cause is mended.
    pub(super) fn fail(
        &mut self,
        source: &DeadLetterSource<'_>,
        reason: &str,
        why: &str,
        ticket: Ticket,
    ) {
        self.shared.offsets().add_output(ticket);
        self.failed = Some(format!(
            "{source}: {reason}, and its dead letter cannot be produced: {why}"
        ));
    }
}

/// A record the producer refused outright.
pub(super) struct ProduceError {
    pub(super) topic: String,
    /// Larger than the producer takes (`message.max.bytes`).
    pub(super) too_large: bool,
    pub(super) error: KafkaError,
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
fn dead_letter_headers(source: &DeadLetterSource<'_>, reason: &str) -> OwnedHeaders {
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
        .insert(Header {
            key: HEADER_PAYLOAD,
            value: Some(source.payload.header()),
        })
}
