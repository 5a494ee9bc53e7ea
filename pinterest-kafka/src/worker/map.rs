//! Mapping in the loop: a message's value mapped to its outputs (a batch envelope to one for
//! each of its messages), and each output handed to the producer.

use pinterest_cli::report::conversion_notes;
use pinterest_cli::{Clock, Output};
use pinterest_mapping::Mapping;
use pinterest_mapping::ndjson::{self, Converted};
use pinterest_mapping::segment::{MessageError, batch_messages};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Message, OwnedHeaders};
use rdkafka::producer::BaseRecord;

use super::dead_letter::ProduceError;
use super::{POLL, Reason, Worker, text};
use crate::offsets::Ticket;

impl<M: Mapping> Worker<'_, M> {
    /// Maps a message's value into `self.output`, the place of each of its outputs into
    /// `self.outputs` (each without its last line end; none for `--format js` without calls);
    /// returns the messages of a batch envelope that are not valid, each with its text and
    /// why. A value that is a batch envelope gives an output for each of its messages.
    pub(super) fn map_message(
        &mut self,
        message: &BorrowedMessage<'_>,
    ) -> Result<Vec<(Vec<u8>, Reason)>, Reason> {
        self.output.clear();
        self.outputs.clear();
        let text = text(message)?;
        let mut invalid = Vec::new();
        match self.map_one_message(message, text) {
            Ok(unsendable) => {
                self.close_output(0);
                invalid.extend(unsendable.map(|reason| (text.as_bytes().to_vec(), reason)));
            }
            Err(error) if error.lacks_type() => {
                let Some(messages) = batch_messages(text) else {
                    return Err(error.to_string());
                };
                for (index, item) in messages.into_iter().enumerate() {
                    let start = self.output.len();
                    let result = match &item {
                        Ok(text) => self.map_one_message(message, text),
                        Err(error) => Err(error.clone()),
                    };
                    match result {
                        Ok(unsendable) => {
                            self.close_output(start);
                            if let (Some(reason), Ok(text)) = (unsendable, &item) {
                                let reason = format!("batch[{index}]: {reason}");
                                invalid.push((text.as_bytes().to_vec(), reason));
                            }
                        }
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
    pub(super) fn close_output(&mut self, start: usize) {
        if self.output.last() == Some(&b'\n') && self.output.len() > start {
            self.output.pop();
        }
        if self.output.len() > start {
            self.outputs.push(start..self.output.len());
        }
    }

    /// Maps one message's text, appending its output to `self.output`; with
    /// `--dead-letter-unsendable`, returns why the message is a dead letter when it cannot
    /// become a Conversions API event.
    pub(super) fn map_one_message(
        &mut self,
        message: &BorrowedMessage<'_>,
        text: &str,
    ) -> Result<Option<Reason>, MessageError> {
        let destination = &self.destination;
        match Output::of(self.args.format, false) {
            Output::Tag(format) => {
                ndjson::map_line(destination, format, text, &mut self.output)?;
                Ok(None)
            }
            Output::Conversions | Output::Send => {
                let now = Clock::new(self.args.now).now();
                let converted = ndjson::convert_line(destination, text, now, &mut self.output)?;
                self.report_conversion(message, &converted);
                Ok(self.unsendable_dead_letter(&converted))
            }
        }
    }

    /// With `--dead-letter-unsendable`, the reason of the dead letter of a message that
    /// cannot become a Conversions API event.
    pub(super) fn unsendable_dead_letter(&self, converted: &Converted) -> Option<Reason> {
        match converted {
            Converted::Unsendable(unsendable) if self.args.dead_letter_unsendable => Some(format!(
                "cannot be sent to the Conversions API: {unsendable}"
            )),
            _ => None,
        }
    }

    /// Reports a message that cannot become a Conversions API event, or fields left out of
    /// one, as `pinterest-map` does.
    pub(super) fn report_conversion(&self, message: &BorrowedMessage<'_>, converted: &Converted) {
        if let Converted::Unsendable(unsendable) = converted {
            self.shared
                .metrics
                .unsendable
                .with_label_values(&[unsendable.reason()])
                .inc();
        }
        let at = format!(
            "{}/{}@{}",
            message.topic(),
            message.partition(),
            message.offset()
        );
        for note in conversion_notes(converted) {
            tracing::warn!(
                partition = message.partition(),
                offset = message.offset(),
                "{at}: {note}"
            );
        }
    }

    /// Hands an output to the producer, counted against its input message; waits while the
    /// producer's queue is full. `Err` when the producer can never take it; the output still
    /// counts against its message, until the caller gives its place up.
    pub(super) fn produce(
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
                    self.shared.metrics.produced.inc();
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
}
