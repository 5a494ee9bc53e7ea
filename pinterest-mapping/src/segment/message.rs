//! Segment messages, read from the standard Segment JSON shape. Only the fields the destination
//! reads are kept, borrowed from the input and left as raw JSON until read; the rest
//! (`context`, `timestamp`, …) is skipped without being stored.

use std::borrow::Cow;

use thiserror::Error;

use super::dates;
use crate::json::walk::{Lazy, RawObject};
use crate::json::{Json, Scanner, SyntaxError};

/// A Segment message, as the destination sees it.
///
/// ```
/// use pinterest_mapping::Message;
///
/// let message = Message::parse(r#"{"type":"track","event":"Order Completed","properties":{"value":5},"context":{"ip":"203.0.113.9"}}"#)?;
/// let Message::Track(track) = &message else { panic!("a track message") };
/// assert_eq!(track.event(), "Order Completed");
/// assert_eq!(track.properties().map(|properties| properties.text()), Some(r#"{"value":5}"#));
/// assert!(Message::parse(r#"{"type":"alias","userId":"u"}"#)?.is_ignored());
/// # Ok::<(), pinterest_mapping::MessageError>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Message<'a> {
    /// `track`.
    Track(Track<'a>),
    /// `page`.
    Page(Page<'a>),
    /// `identify`.
    Identify(Identify<'a>),
    /// Any other type (`alias`, `group`, `screen`, …): accepted, and produces no call.
    Other(Cow<'a, str>),
}

/// A `track` message.
#[derive(Clone, Debug, PartialEq)]
pub struct Track<'a> {
    pub(crate) event: Cow<'a, str>,
    pub(crate) properties: Option<RawObject<'a>>,
    pub(crate) message_id: Option<Json<'a>>,
    pub(crate) envelope: Envelope<'a>,
}

/// A `page` message.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<'a> {
    pub(crate) name: Option<Json<'a>>,
    pub(crate) category: Option<Json<'a>>,
    pub(crate) properties: Option<RawObject<'a>>,
    pub(crate) message_id: Option<Json<'a>>,
    pub(crate) envelope: Envelope<'a>,
}

/// An `identify` message.
#[derive(Clone, Debug, PartialEq)]
pub struct Identify<'a> {
    pub(crate) user_id: Option<Json<'a>>,
    pub(crate) traits: Option<RawObject<'a>>,
    pub(crate) message_id: Option<Json<'a>>,
    pub(crate) envelope: Envelope<'a>,
}

/// The rest of what a message carries that the Conversions API reads: the message's text,
/// its user, context and times, as sent. (Identify keeps its user and traits itself.)
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Envelope<'a> {
    pub(crate) text: Json<'a>,
    pub(crate) user_id: Option<Json<'a>>,
    pub(crate) anonymous_id: Option<Json<'a>>,
    pub(crate) traits: Option<RawObject<'a>>,
    pub(crate) context: Option<Json<'a>>,
    /// `timestamp`, `originalTimestamp`, `sentAt`, `receivedAt`.
    pub(crate) times: [Option<Json<'a>>; 4],
}

/// A top-level field of a message, as [`Message::field`] finds it.
pub(crate) enum Field<'m> {
    /// A field the message keeps: its value, if present.
    Kept(Option<Lazy<'m>>),
    /// A field the message does not keep: it is found in the message's text.
    NotKept,
}

impl<'a> Track<'a> {
    /// `event`: the Segment event name.
    pub fn event(&self) -> &str {
        &self.event
    }

    /// `properties`, when it is an object.
    pub fn properties(&self) -> Option<Json<'a>> {
        self.properties.as_ref().map(RawObject::json)
    }

    /// `messageId`, as sent.
    pub fn message_id(&self) -> Option<Json<'a>> {
        self.message_id
    }
}

impl<'a> Page<'a> {
    /// The top-level `name`, as sent.
    pub fn name(&self) -> Option<Json<'a>> {
        self.name
    }

    /// The top-level `category`, as sent.
    pub fn category(&self) -> Option<Json<'a>> {
        self.category
    }

    /// `properties`, when it is an object.
    pub fn properties(&self) -> Option<Json<'a>> {
        self.properties.as_ref().map(RawObject::json)
    }

    /// `messageId`, as sent.
    pub fn message_id(&self) -> Option<Json<'a>> {
        self.message_id
    }
}

impl<'a> Identify<'a> {
    /// `userId`, as sent.
    pub fn user_id(&self) -> Option<Json<'a>> {
        self.user_id
    }

    /// `traits`, when it is an object.
    pub fn traits(&self) -> Option<Json<'a>> {
        self.traits.as_ref().map(RawObject::json)
    }

    /// `messageId`, as sent.
    pub fn message_id(&self) -> Option<Json<'a>> {
        self.message_id
    }
}

/// Why a line is not a Segment message. Messages name the field, never a value.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum MessageError {
    /// Not JSON.
    #[error("invalid JSON: {0}")]
    Json(#[from] SyntaxError),
    /// JSON, but not an object.
    #[error("a message must be a JSON object, found {found}")]
    NotAnObject {
        /// The JSON type found.
        found: &'static str,
    },
    /// A required field is absent or `null`.
    #[error("{context}has no `{field}`")]
    Missing {
        /// What lacks the field: `"message "` or `"track message "`.
        context: &'static str,
        /// The field.
        field: &'static str,
    },
    /// A field has the wrong JSON type.
    #[error("`{field}` must be {expected}, found {found}")]
    WrongType {
        /// The field.
        field: &'static str,
        /// What it takes.
        expected: &'static str,
        /// The JSON type found.
        found: &'static str,
    },
}

impl MessageError {
    /// Whether the text was refused for having no `type`: it may be a batch envelope, whose
    /// messages [`batch_messages`](super::batch_messages) gives.
    pub fn lacks_type(&self) -> bool {
        matches!(self, MessageError::Missing { field: "type", .. })
    }
}

impl<'a> Message<'a> {
    /// Reads one message from JSON text, borrowing from it. The whole text is validated;
    /// only the fields the destination reads are kept.
    ///
    /// # Errors
    ///
    /// The text is not JSON, not an object, or lacks a field the message's type requires
    /// (`type`; `event` for a track call), or has one of the wrong type: the error names the
    /// field, never a value.
    pub fn parse(text: &'a str) -> Result<Message<'a>, MessageError> {
        let mut scanner = Scanner::new(text);
        if !scanner.at_object() {
            let value = scanner.value()?;
            scanner.end()?;
            return Err(MessageError::NotAnObject {
                found: value.type_name(),
            });
        }
        let start = scanner.position();
        let mut fields = Fields::default();
        // A repeated field keeps its last value, as in `JSON.parse`.
        scanner.object(|key, scanner| {
            match key.to_str_lossy().as_ref() {
                "type" => fields.kind = Some(scanner.value()?),
                "event" => fields.event = Some(scanner.value()?),
                "name" => fields.name = Some(scanner.value()?),
                "category" => fields.category = Some(scanner.value()?),
                "userId" => fields.user_id = Some(scanner.value()?),
                "anonymousId" => fields.anonymous_id = Some(scanner.value()?),
                "messageId" => fields.message_id = Some(scanner.value()?),
                "context" => fields.context = Some(scanner.value()?),
                "timestamp" => fields.times[0] = Some(scanner.value()?),
                "originalTimestamp" => fields.times[1] = Some(scanner.value()?),
                "sentAt" => fields.times[2] = Some(scanner.value()?),
                "receivedAt" => fields.times[3] = Some(scanner.value()?),
                "properties" => fields.properties = object_or_skip(scanner)?,
                "traits" => fields.traits = object_or_skip(scanner)?,
                _ => {
                    scanner.value()?;
                }
            }
            Ok(())
        })?;
        let text = scanner.raw_since(start);
        scanner.end()?;
        fields.into_message(text)
    }

    /// The whole message, as JSON text; `None` for a type the destination ignores.
    pub fn json(&self) -> Option<Json<'a>> {
        self.envelope().map(|envelope| envelope.text)
    }

    pub(crate) fn envelope(&self) -> Option<&Envelope<'a>> {
        match self {
            Message::Track(track) => Some(&track.envelope),
            Message::Page(page) => Some(&page.envelope),
            Message::Identify(identify) => Some(&identify.envelope),
            Message::Other(_) => None,
        }
    }

    /// A top-level field, as the message was read (a repeated key holding its last value):
    /// objects the parse walked are visited without scanning their text again.
    pub(crate) fn field(&self, key: &str) -> Field<'_> {
        let Some(envelope) = self.envelope() else {
            return Field::Kept(None);
        };
        let (message_id, properties, user_id, traits) = match self {
            Message::Track(track) => (
                track.message_id,
                track.properties.as_ref(),
                envelope.user_id,
                envelope.traits.as_ref(),
            ),
            Message::Page(page) => (
                page.message_id,
                page.properties.as_ref(),
                envelope.user_id,
                envelope.traits.as_ref(),
            ),
            Message::Identify(identify) => (
                identify.message_id,
                None,
                identify.user_id,
                identify.traits.as_ref(),
            ),
            Message::Other(_) => return Field::Kept(None),
        };
        match key {
            "userId" => raw(user_id),
            "anonymousId" => raw(envelope.anonymous_id),
            "messageId" => raw(message_id),
            "context" => raw(envelope.context),
            "timestamp" => raw(envelope.times[0]),
            "originalTimestamp" => raw(envelope.times[1]),
            "sentAt" => raw(envelope.times[2]),
            "receivedAt" => raw(envelope.times[3]),
            "traits" => walked(traits),
            // An identify message does not keep its properties: they are found in its text.
            "properties" if !matches!(self, Message::Identify(_)) => walked(properties),
            _ => Field::NotKept,
        }
    }

    /// Whether the destination ignores this message type.
    pub fn is_ignored(&self) -> bool {
        matches!(self, Message::Other(_))
    }

    /// Whether a field the destination reads may hold an ISO 8601 date string, which
    /// analytics.js would have turned into a date.
    pub(crate) fn may_hold_dates(&self) -> bool {
        let text = |json: Option<Json<'_>>| json.is_some_and(dates::may_be_date);
        let object = |object: &Option<RawObject<'_>>| {
            object
                .as_ref()
                .is_some_and(|object| object.leaves().any(dates::may_be_date))
        };
        match self {
            Message::Track(track) => {
                dates::iso_string(&track.event).is_some()
                    || object(&track.properties)
                    || text(track.message_id)
            }
            Message::Page(page) => {
                text(page.name)
                    || text(page.category)
                    || object(&page.properties)
                    || text(page.message_id)
            }
            Message::Identify(identify) => object(&identify.traits),
            Message::Other(_) => false,
        }
    }
}

/// An object, read one level deep; anything else is skipped and reads as absent.
fn object_or_skip<'a>(scanner: &mut Scanner<'a>) -> Result<Option<RawObject<'a>>, SyntaxError> {
    if scanner.at_object() {
        RawObject::read(scanner).map(Some)
    } else {
        scanner.value().map(|_| None)
    }
}

/// The top-level fields the destination reads, whatever the message type.
#[derive(Default)]
struct Fields<'a> {
    kind: Option<Json<'a>>,
    event: Option<Json<'a>>,
    name: Option<Json<'a>>,
    category: Option<Json<'a>>,
    properties: Option<RawObject<'a>>,
    traits: Option<RawObject<'a>>,
    user_id: Option<Json<'a>>,
    message_id: Option<Json<'a>>,
    anonymous_id: Option<Json<'a>>,
    context: Option<Json<'a>>,
    times: [Option<Json<'a>>; 4],
}

impl<'a> Fields<'a> {
    fn into_message(self, text: Json<'a>) -> Result<Message<'a>, MessageError> {
        let kind = required_string(self.kind, "message ", "type")?;
        let mut envelope = Envelope {
            text,
            user_id: self.user_id,
            anonymous_id: self.anonymous_id,
            traits: None,
            context: self.context,
            times: self.times,
        };
        Ok(match kind.as_ref() {
            "track" => Message::Track(Track {
                event: required_string(self.event, "track message ", "event")?,
                properties: self.properties,
                message_id: self.message_id,
                envelope: Envelope {
                    traits: self.traits,
                    ..envelope
                },
            }),
            "page" => Message::Page(Page {
                name: self.name,
                category: self.category,
                properties: self.properties,
                message_id: self.message_id,
                envelope: Envelope {
                    traits: self.traits,
                    ..envelope
                },
            }),
            "identify" => {
                // Kept by the message itself.
                envelope.user_id = None;
                Message::Identify(Identify {
                    user_id: self.user_id,
                    traits: self.traits,
                    message_id: self.message_id,
                    envelope,
                })
            }
            _ => Message::Other(kind),
        })
    }
}

fn required_string<'a>(
    value: Option<Json<'a>>,
    context: &'static str,
    field: &'static str,
) -> Result<Cow<'a, str>, MessageError> {
    match value {
        None => Err(MessageError::Missing { context, field }),
        Some(value) if value.is_null() => Err(MessageError::Missing { context, field }),
        Some(value) => value.to_str().ok_or(MessageError::WrongType {
            field,
            expected: "a string",
            found: value.type_name(),
        }),
    }
}

/// A field of the message, as its text.
fn raw(json: Option<Json<'_>>) -> Field<'_> {
    Field::Kept(json.map(Lazy::from_raw))
}

/// A field of the message that was walked when the message was read.
fn walked<'m>(object: Option<&'m RawObject<'_>>) -> Field<'m> {
    Field::Kept(object.map(RawObject::as_lazy))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(text: &str) -> String {
        Message::parse(text).unwrap_err().to_string()
    }

    #[test]
    fn reads_each_message_type() {
        let track = Message::parse(
            r#"{"type":"track","event":"E","properties":{"a":1},"messageId":"m","context":{"deep":[{"x":1}]}}"#,
        )
        .unwrap();
        let Message::Track(track) = track else {
            panic!("a track message");
        };
        assert_eq!(track.event, "E");
        let properties = track.properties.expect("properties");
        assert_eq!(
            properties.get("a").map(|value| value.raw().text()),
            Some("1")
        );
        assert_eq!(track.message_id.map(Json::text), Some("\"m\""));
        let text = r#" {"category":"C","type":"page","name":"N"} "#;
        let page = Message::parse(text).unwrap();
        assert_eq!(page.json().map(Json::text), Some(text.trim()));
        assert!(matches!(
            page,
            Message::Page(Page {
                name: Some(_),
                category: Some(_),
                properties: None,
                message_id: None,
                ..
            })
        ));
        let identify =
            Message::parse(r#"{"type":"identify","userId":"u","traits":{"email":"e"}}"#).unwrap();
        assert!(matches!(
            identify,
            Message::Identify(Identify {
                user_id: Some(_),
                traits: Some(_),
                ..
            })
        ));
        for kind in ["alias", "group", "screen", "Track"] {
            let text = format!(r#"{{"type":"{kind}"}}"#);
            assert!(
                matches!(Message::parse(&text).unwrap(), Message::Other(Cow::Borrowed(other)) if other == kind)
            );
        }
    }

    #[test]
    fn properties_that_are_not_objects_are_absent() {
        for properties in ["null", "\"text\"", "[1, 2]", "7"] {
            let text = format!(r#"{{"type":"track","event":"E","properties":{properties}}}"#);
            let Ok(Message::Track(track)) = Message::parse(&text) else {
                panic!("{text} is a track message");
            };
            assert!(track.properties.is_none(), "{properties}");
        }
    }

    #[test]
    fn a_repeated_field_keeps_its_last_value() {
        let message =
            Message::parse(r#"{"type":"page","type":"track","event":"A","event":"B"}"#).unwrap();
        assert!(matches!(message, Message::Track(Track { event, .. }) if event == "B"));
    }

    #[test]
    fn rejects_what_is_not_a_message() {
        assert_eq!(
            error("[1,{}]"),
            "a message must be a JSON object, found an array"
        );
        assert_eq!(
            error(r#""track""#),
            "a message must be a JSON object, found a string"
        );
        assert_eq!(error("null"), "a message must be a JSON object, found null");
        assert_eq!(
            error("42"),
            "a message must be a JSON object, found a number"
        );
        assert_eq!(error("{}"), "message has no `type`");
        assert_eq!(error(r#"{"type":null}"#), "message has no `type`");
        assert_eq!(
            error(r#"{"type":7}"#),
            "`type` must be a string, found a number"
        );
        assert_eq!(error(r#"{"type":"track"}"#), "track message has no `event`");
        assert_eq!(
            error(r#"{"type":"track","event":42}"#),
            "`event` must be a string, found a number"
        );
        assert_eq!(
            error(r#"{"type":"track""#),
            "invalid JSON: expected `,` or `}` at column 16, found the end of the text"
        );
        assert_eq!(
            error(r#"{"type":"track"} {}"#),
            "invalid JSON: expected the end of the text at column 18, found `{`"
        );
        assert_eq!(
            error("[1,"),
            "invalid JSON: expected a value at column 4, found the end of the text"
        );
    }

    #[test]
    fn errors_never_quote_values() {
        let secret = "jane@example.com";
        for text in [
            format!(r#"{{"type":"track","event":{{"email":"{secret}"}}}}"#),
            format!(r#"{{"type":"{secret}x","event":1}}"#).replace(
                r#""type":"jane@example.comx","#,
                r#""type":["jane@example.com"],"#,
            ),
            format!(r#"{{"type":"identify","traits":{{"email":"{secret}"}}"#),
        ] {
            let message = error(&text);
            assert!(!message.contains(secret), "{message}");
        }
    }
}
