//! The Pinterest Conversions API output: the same conversions the Tag reports, sent server-side,
//! built from the same table and deduplicated with the Tag by `event_id`.
//!
//! [`Destination::conversion`](crate::Destination::conversion) turns a Segment message into a
//! [`ConversionEvent`]: the Pinterest event of its Tag call in the API's spelling, the same
//! `event_id`, `custom_data` translated from the call's event data, and `user_data` from the
//! table's `user_data` rows, normalised and hashed. The types mirror Pinterest's schema, so
//! nothing can serialize a key the API would refuse.

mod conversion;
mod custom_data;
mod event;
mod identity;
mod response;
pub mod send;
mod settings;
mod time;
mod token;
mod write;

use std::borrow::Cow;

use thiserror::Error;

pub(crate) use conversion::{Sources, convert};
pub use event::{
    ActionSource, Content, ConversionEvent, ConversionEvents, CustomData, Decimal, EventName,
    Sha256Hex, UserData,
};
pub use identity::normalise;
pub use response::{ApiError, ConversionApiResponse, EventResponse, EventStatus};
pub use settings::ConversionSettings;
pub use token::ConversionToken;

/// What the Conversions API makes of one message.
#[derive(Clone, Debug, PartialEq, Eq)]
// The event is the common case: boxing it would cost an allocation for each.
#[allow(clippy::large_enum_variant)]
#[non_exhaustive]
pub enum Conversion<'a> {
    /// The event to send, and the fields left out of it for their shape.
    Event {
        /// The event.
        event: ConversionEvent<'a>,
        /// Fields left out (the event is still sent).
        warnings: Vec<FieldWarning>,
    },
    /// The message is not a conversion.
    Skipped(Skip),
    /// The message is a conversion that cannot be sent: it is reported, not sent.
    Unsendable(Unsendable),
}

/// Why a message produces no event, by design.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Skip {
    /// Not an event: `identify`, types the destination ignores, a page the table sends no
    /// event for.
    NotAnEvent,
    /// A partner-defined event, which has no counterpart in the API; the setting
    /// `sendPartnerEventsAsCustom` sends such events as `custom` instead.
    PartnerEvent,
}

/// Why a message that is a conversion cannot become a valid event. Messages name fields and
/// limits, never values.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Unsendable {
    /// No time the event happened.
    #[error(
        "no event time: none of `timestamp`, `originalTimestamp`, `sentAt` and `receivedAt` is an ISO 8601 time with an offset"
    )]
    NoEventTime,
    /// The event is older than the API takes.
    #[error(
        "event time too old: {age_days} days before the reference time, beyond the limit of {limit_days} (`maxEventAgeDays`)"
    )]
    TooOld {
        /// Whole days between the event and the reference time.
        age_days: u64,
        /// The limit.
        limit_days: u32,
    },
    /// The event is more than an hour ahead of the reference time.
    #[error("event time in the future: more than an hour after the reference time")]
    InTheFuture,
    /// Nothing identifies the user.
    #[error(
        "no user identity: the Conversions API needs an email (`em`), a mobile advertising id (`hashed_maids`), or both an IP address and a user agent"
    )]
    NoIdentity,
    /// Nothing to deduplicate the event by.
    #[error("no event id: the Tag call carries no `event_id` and the message has no `messageId`")]
    NoEventId,
}

impl Unsendable {
    /// A short name of the reason, for counts: `no event time`, `too old`, `in the future`,
    /// `no user identity`, `no event id`.
    pub fn reason(&self) -> &'static str {
        match self {
            Unsendable::NoEventTime => "no event time",
            Unsendable::TooOld { .. } => "too old",
            Unsendable::InTheFuture => "in the future",
            Unsendable::NoIdentity => "no user identity",
            Unsendable::NoEventId => "no event id",
        }
    }
}

/// A field left out of an event because its value has the wrong shape. Names the field, never
/// the value.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error("`{field}` left out: {problem}")]
pub struct FieldWarning {
    /// The field of the event: `custom_data.value`, `custom_data.contents[2].quantity`.
    pub field: String,
    /// What is wrong with its value.
    pub problem: Cow<'static, str>,
}

impl FieldWarning {
    pub(crate) fn new(field: String, problem: impl Into<Cow<'static, str>>) -> FieldWarning {
        FieldWarning {
            field,
            problem: problem.into(),
        }
    }
}
