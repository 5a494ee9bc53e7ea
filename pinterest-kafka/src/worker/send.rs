//! `--send` in the loop: each message's Conversions API event given to the sender, counted
//! against the message until Pinterest accepts it (committed) or refuses it (a dead letter).

use pinterest_cli::Clock;
use pinterest_cli::report::RejectionText;
use pinterest_mapping::Mapping;
use pinterest_mapping::capi::send::Outcome;
use pinterest_mapping::ndjson::Converted;
use pinterest_mapping::segment::{MessageError, batch_messages};
use rdkafka::message::{BorrowedMessage, Message};

use super::dead_letter::{DeadLetterSource, Payload};
use super::{Reason, Worker, text};
use crate::offsets::Ticket;
use crate::send::MessageOrigin;

impl<M: Mapping> Worker<'_, M> {
    /// With `--send`: gives a message's Conversions API event to the sender, counted against
    /// the message until Pinterest accepts or refuses it.
    pub(super) fn send_message(
        &mut self,
        message: &BorrowedMessage<'_>,
        ticket: Ticket,
    ) -> Result<(), Reason> {
        let text = text(message)?;
        match self.send_one_message(message, ticket, text) {
            Err(error) if error.lacks_type() => {
                let Some(messages) = batch_messages(text) else {
                    return Err(error.to_string());
                };
                // Each message of a batch envelope on its own; one that is not valid is a dead
                // letter of its own.
                let source = DeadLetterSource::of(message);
                for (index, item) in messages.iter().enumerate() {
                    let result = match item {
                        Ok(text) => self.send_one_message(message, ticket, text),
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
    pub(super) fn send_one_message(
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
        let origin = MessageOrigin {
            ticket,
            key: message.key().map(<[u8]>::to_vec),
        };
        let mut dates = String::new();
        let prepared = self.destination.prepare(text, &mut dates)?;
        let (converted, event) = Converted::split(self.destination.conversion(&prepared, now));
        let sent = event.map(|event| {
            shared.offsets().add_output(ticket);
            sender.send(origin, &event)
        });
        self.report_conversion(message, &converted);
        if let Some(Err(stopped)) = sent {
            self.stopped = Some(stopped);
        }
        if let Some(reason) = self.unsendable_dead_letter(&converted) {
            let source = DeadLetterSource::of(message);
            self.dead_letter(&source, text.as_bytes(), &reason, ticket);
        }
        Ok(())
    }

    /// With `--send`: what became of the events sent so far.
    pub(super) fn take_outcomes(&mut self) {
        let Some(sender) = &self.sender else {
            return;
        };
        let outcomes: Vec<Outcome<MessageOrigin>> = sender.outcomes().collect();
        if let Some(stopped) = sender.stopped() {
            self.stopped = Some(stopped);
        }
        for outcome in outcomes {
            self.record_outcome(outcome);
        }
    }

    /// An accepted event completes its message; a refused one goes to the dead letters with
    /// Pinterest's answer; one not sent (the sender stopped) leaves its message uncommitted.
    pub(super) fn record_outcome(&mut self, outcome: Outcome<MessageOrigin>) {
        match outcome {
            Outcome::Accepted(origin) => {
                self.shared.metrics.accepted.inc();
                self.shared.offsets().acknowledged(origin.ticket);
            }
            // Refused, or never sendable (too large for any request): a dead letter.
            Outcome::Rejected(rejection) if !rejection.sendable => {
                let input_topic = self.shared.input_topic.clone();
                let origin = &rejection.origin;
                let source = DeadLetterSource {
                    topic: &input_topic,
                    partition: origin.ticket.partition,
                    offset: origin.ticket.offset,
                    key: origin.key.as_deref(),
                    payload: Payload::ConversionEvent,
                };
                self.shared.metrics.rejected.inc();
                let reason = RejectionText(&rejection).to_string();
                self.dead_letter(&source, rejection.event.as_bytes(), &reason, origin.ticket);
                self.shared.offsets().acknowledged(origin.ticket);
            }
            // Not sent (the sender stopped): the message stays uncommitted, read again.
            _ => {}
        }
    }
}
