//! The destination: a table and Segment's settings, composing the two outputs. Segment
//! messages in; Pinterest Tag calls ([`crate::tag`]) and Conversions API events
//! ([`crate::capi`], built from the same call) out.
//!
//! The outputs know nothing of the destination: each owns the settings keys it reads
//! ([`TagSettings`](crate::tag::TagSettings), [`ConversionSettings`](crate::capi::ConversionSettings)),
//! and is compiled here from them; a new output is a new module plus its place in
//! [`Destination`] and its field in [`Settings`].

mod settings;

use std::borrow::Cow;
use std::time::SystemTime;

pub use settings::{Settings, SettingsBuilder, SettingsError, SettingsWarning};

use crate::capi::{Conversion, Sources};
use crate::json::{Json, JsonValue};
use crate::segment::dates;
use crate::segment::{Message, MessageError};
use crate::table::{Mapping, PinterestEvent, spec};
use crate::tag::{PintrkCall, TagMapper};

/// The Pinterest Tag destination: a table and the destination's settings.
///
/// [`Destination::new`] uses Segment's own table, [`spec`]; [`Destination::with_table`] any
/// table a `pinterest_mapping!` declares. Either way the destination does what Segment's does:
/// the settings' event mapping first, then the table, then the Segment name as a
/// partner-defined event; the table's page rule; identify; `event_id`; custom properties.
///
/// ```
/// use pinterest_mapping::{Destination, Message, Settings};
///
/// let destination = Destination::new(Settings::example());
/// let message = Message::parse(r#"{"type":"track","event":"order_completed","properties":{"orderId":"o-1","value":0}}"#)?;
/// let call = destination.map(&message).expect("a track call");
/// assert_eq!(call.to_json(), r#"["track","Checkout",{"order_id":"o-1"}]"#);
///
/// let calls = destination.initialize(None);
/// assert_eq!(serde_json::to_string(&calls)?, r#"[["load","2620795819800"],["page"]]"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Destination<M: Mapping = spec::Table> {
    table: M,
    settings: Settings,
    /// The Tag's mapping, compiled from its settings.
    tag: TagMapper,
    /// What the Conversions API reads from a message, compiled from the table's `user_data`.
    conversions: Sources,
}

impl Destination {
    /// A destination with Segment's spec table and these settings.
    pub fn new(settings: Settings) -> Destination {
        Destination::with_table(spec::Table, settings)
    }
}

impl<M: Mapping> Destination<M> {
    /// A destination with this table and these settings.
    ///
    /// ```
    /// use pinterest_mapping::{Destination, Message, Settings};
    ///
    /// pinterest_mapping::pinterest_mapping! {
    ///     pub mod shop {
    ///         events { "Basket Checked Out" => Checkout }
    ///         properties { "total" => value }
    ///     }
    /// }
    ///
    /// let destination = Destination::with_table(shop::Table, Settings::example());
    /// let message = Message::parse(r#"{"type":"track","event":"Basket Checked Out","properties":{"total":30}}"#)?;
    /// let call = destination.map(&message).expect("a track call");
    /// assert_eq!(call.to_json(), r#"["track","Checkout",{"value":30}]"#);
    /// # Ok::<(), pinterest_mapping::MessageError>(())
    /// ```
    pub fn with_table(table: M, settings: Settings) -> Destination<M> {
        Destination {
            tag: TagMapper::new(&settings.tag),
            conversions: Sources::new(table.user_data()),
            table,
            settings,
        }
    }

    /// The table.
    pub fn table(&self) -> &M {
        &self.table
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Whether the destination does anything: it does nothing without a Tag ID.
    pub fn is_enabled(&self) -> bool {
        !self.settings.tag.tid.is_empty()
    }

    /// The calls of the destination's start-up on a page, given the user's stored traits (an
    /// object; anything else holds none): `load` (with the stored email when enhanced match is
    /// on), then `page`.
    pub fn initialize<'a>(&'a self, stored_traits: Option<Json<'a>>) -> Vec<PintrkCall<'a>> {
        if !self.is_enabled() {
            return Vec::new();
        }
        let email = stored_traits
            .filter(|_| self.settings.tag.use_enhanced_match_load)
            .and_then(|traits| traits.get("email"))
            .filter(|email| email.is_truthy());
        vec![
            PintrkCall::Load {
                tid: &self.settings.tag.tid,
                email,
            },
            PintrkCall::Page,
        ]
    }

    /// The call a message produces, if any: a message produces at most one. The message is
    /// taken as it is; [`Destination::prepare`] first does what analytics.js does to every
    /// message, date strings becoming dates.
    pub fn map<'a>(&'a self, message: &'a Message<'a>) -> Option<PintrkCall<'a>> {
        if !self.is_enabled() {
            return None;
        }
        self.call(message)
    }

    /// The call a message produces, whether or not the destination has a Tag ID: what the
    /// Conversions API's event is built from, so that the two carry the same data.
    fn call<'a>(&'a self, message: &'a Message<'a>) -> Option<PintrkCall<'a>> {
        self.tag.call(&self.table, message)
    }

    /// The Pinterest event for a Segment event name: the settings' event mapping, then the
    /// table, then the name itself as a partner-defined event.
    pub fn event_for<'a>(&'a self, name: &'a str) -> PinterestEvent<'a> {
        self.tag.event_for(&self.table, name)
    }

    /// Reads a message from JSON text as Segment's analytics.js delivers it to a destination:
    /// unless [`Settings::disable_auto_iso_conversion`], every string value that looks like an
    /// ISO 8601 date (`"2024-01-02"`) becomes a date, sent as its `toISOString()`. The message
    /// borrows from `text`, or from `converted`, which then holds the text with its dates
    /// converted (one buffer can serve message after message). [`Destination::map`] and
    /// [`Destination::conversion`] take the message as it is: this is what the tool does
    /// before them.
    ///
    /// ```
    /// use pinterest_mapping::{Destination, Settings};
    ///
    /// let destination = Destination::new(Settings::example());
    /// let line = r#"{"type":"track","event":"Order Completed","properties":{"order_id":"2024-01-02"}}"#;
    /// let mut converted = String::new();
    /// let message = destination.prepare(line, &mut converted)?;
    /// let call = destination.map(&message).map(|call| call.to_json());
    /// assert_eq!(
    ///     call.as_deref(),
    ///     Some(r#"["track","Checkout",{"order_id":"2024-01-02T00:00:00.000Z"}]"#)
    /// );
    /// # Ok::<(), pinterest_mapping::MessageError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// The text is not a valid Segment message, as [`Message::parse`] says.
    pub fn prepare<'t>(
        &self,
        text: &'t str,
        converted: &'t mut String,
    ) -> Result<Message<'t>, MessageError> {
        let message = Message::parse(text)?;
        if self.settings.disable_auto_iso_conversion || !message.may_hold_dates() {
            return Ok(message);
        }
        match dates::convert(text) {
            Cow::Borrowed(_) => Ok(message),
            Cow::Owned(text) => {
                *converted = text;
                reparse(converted)
            }
        }
    }

    /// The Conversions API event of a message, judged at `now` (the reference time for the
    /// age limit; the system clock's time in production).
    ///
    /// The event is built from the message's Tag call, whether or not the settings have a Tag
    /// ID: the same Pinterest event in the API's spelling, the same `event_id` whenever the
    /// call carries one (otherwise the `messageId`), and `custom_data` translated from the
    /// call's event data. Its strings borrow from the message. The message is taken as it is,
    /// as for [`Destination::map`].
    ///
    /// ```
    /// use std::time::{Duration, UNIX_EPOCH};
    ///
    /// use pinterest_mapping::capi::Conversion;
    /// use pinterest_mapping::{Destination, Message, Settings};
    ///
    /// let destination = Destination::new(Settings::example());
    /// let message = Message::parse(r#"{"type":"track","event":"Order Completed","messageId":"m-1",
    ///     "timestamp":"2026-11-28T12:00:00.000Z","userId":"u-1",
    ///     "context":{"ip":"203.0.113.9","userAgent":"Mozilla/5.0"},
    ///     "properties":{"order_id":"o-1","value":30.5,"currency":"USD","coupon":"MAY"}}"#)?;
    /// let now = UNIX_EPOCH + Duration::from_secs(1_795_867_200 + 60);
    /// let Conversion::Event { event, warnings } = destination.conversion(&message, now) else {
    ///     panic!("an event");
    /// };
    /// assert!(warnings.is_empty());
    /// assert_eq!(
    ///     serde_json::to_string(&event)?,
    ///     r#"{"event_name":"checkout","action_source":"web","event_time":1795867200,"event_id":"m-1","user_data":{"external_id":["a24a7f55f278dd49fb1f99c5507800cb198a5bfe10fe2126cd0b25672152b0da"],"client_ip_address":"203.0.113.9","client_user_agent":"Mozilla/5.0"},"custom_data":{"currency":"USD","value":"30.5","order_id":"o-1"}}"#
    /// );
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn conversion<'m>(&'m self, message: &'m Message<'m>, now: SystemTime) -> Conversion<'m> {
        let call = match message {
            Message::Track(_) | Message::Page(_) => self.call(message),
            _ => None,
        };
        crate::capi::convert(
            &self.conversions,
            &self.settings.conversions,
            message,
            call,
            now,
        )
    }
}

/// Reads a message again after its dates were converted: rare, and kept out of the way of
/// the common path.
#[cold]
#[inline(never)]
fn reparse(converted: &str) -> Result<Message<'_>, MessageError> {
    // Replacing strings with strings keeps the text valid: it reads as before.
    Message::parse(converted)
}
