//! Segment's batch envelope, `{"batch": [...], "context": {...}, "sentAt": "..."}`: what
//! Segment's HTTP API takes at `/v1/batch` and its server libraries (analytics-node,
//! analytics-python…) send, found in the files of those who log what they send.

use std::borrow::Cow;

use super::MessageError;
use crate::json::write::json_string;
use crate::json::{Json, Key};

/// The messages of a batch envelope, each as a message of its own: the envelope's `context`
/// and `integrations` merged into each message's (the message's keys win, as Segment's API
/// merges them), and its `sentAt` given to each message that has none. `None` when `text` is
/// not a batch envelope: a JSON object without a `type` whose `batch` is an array.
///
/// An element that is not an object is an error of its own, as a line would be.
///
/// ```
/// use pinterest_mapping::segment::batch_messages;
///
/// let envelope = r#"{"batch":[{"type":"page","name":"Home"},{"type":"track","event":"Signed Up","context":{"ip":"203.0.113.9"}},7],
///                    "context":{"ip":"198.51.100.1","locale":"en-US"},"sentAt":"2026-11-28T12:00:00Z"}"#;
/// let messages = batch_messages(envelope).expect("a batch envelope");
/// assert_eq!(messages.len(), 3);
/// assert_eq!(
///     messages[0].as_deref().unwrap(),
///     r#"{"type":"page","name":"Home","context":{"ip":"198.51.100.1","locale":"en-US"},"sentAt":"2026-11-28T12:00:00Z"}"#
/// );
/// assert_eq!(
///     messages[1].as_deref().unwrap(),
///     r#"{"type":"track","event":"Signed Up","context":{"locale":"en-US","ip":"203.0.113.9"},"sentAt":"2026-11-28T12:00:00Z"}"#
/// );
/// assert_eq!(
///     messages[2].as_ref().unwrap_err().to_string(),
///     "a message must be a JSON object, found a number"
/// );
/// assert!(batch_messages(r#"{"type":"page"}"#).is_none());
/// ```
pub fn batch_messages(text: &str) -> Option<Vec<Result<Cow<'_, str>, MessageError>>> {
    let envelope = Json::parse(text).ok()?;
    if envelope.get("type").is_some_and(|kind| !kind.is_null()) {
        return None;
    }
    let batch = envelope.get("batch").filter(|batch| batch.is_array())?;
    let shared = EnvelopeFields {
        context: envelope
            .get("context")
            .filter(|context| context.is_object()),
        integrations: envelope
            .get("integrations")
            .filter(|integrations| integrations.is_object()),
        sent_at: envelope.get("sentAt").filter(|sent_at| !sent_at.is_null()),
    };
    let mut messages = Vec::new();
    batch.elements(|element| {
        messages.push(if element.is_object() {
            Ok(shared.apply(element))
        } else {
            Err(MessageError::NotAnObject {
                found: element.type_name(),
            })
        });
    });
    Some(messages)
}

/// What an envelope gives each of its messages.
struct EnvelopeFields<'a> {
    context: Option<Json<'a>>,
    integrations: Option<Json<'a>>,
    sent_at: Option<Json<'a>>,
}

impl EnvelopeFields<'_> {
    /// The message with the envelope's fields: its own text when the envelope gives none.
    fn apply<'m>(&self, message: Json<'m>) -> Cow<'m, str> {
        if self.context.is_none() && self.integrations.is_none() && self.sent_at.is_none() {
            return Cow::Borrowed(message.text());
        }
        let mut out = String::with_capacity(message.text().len() + 128);
        out.push('{');
        let (mut context, mut integrations, mut sent_at) = (false, false, false);
        message.entries(|key, value| {
            let merged = match key.to_str_lossy().as_ref() {
                "context" => {
                    context = true;
                    self.context.filter(|_| value.is_object())
                }
                "integrations" => {
                    integrations = true;
                    self.integrations.filter(|_| value.is_object())
                }
                "sentAt" => {
                    sent_at = !value.is_null();
                    None
                }
                _ => None,
            };
            member(&mut out, key);
            match merged {
                Some(shared) => merge(&mut out, shared, value),
                None => out.push_str(value.text()),
            }
        });
        for (present, name, shared) in [
            (context, "context", self.context),
            (integrations, "integrations", self.integrations),
            (sent_at, "sentAt", self.sent_at),
        ] {
            if let (false, Some(shared)) = (present, shared) {
                member(&mut out, Key::new(name));
                out.push_str(shared.text());
            }
        }
        out.push('}');
        Cow::Owned(out)
    }
}

/// Writes `"key":`, after a comma unless it is the object's first member.
fn member(out: &mut String, key: Key<'_>) {
    if !out.ends_with('{') {
        out.push(',');
    }
    out.push_str(&json_string(&key.to_str_lossy()));
    out.push(':');
}

/// The envelope's object merged with the message's: the envelope's keys the message lacks,
/// then the message's.
fn merge(out: &mut String, shared: Json<'_>, own: Json<'_>) {
    out.push('{');
    shared.entries(|key, value| {
        if own.get(&key.to_str_lossy()).is_none() {
            member(out, key);
            out.push_str(value.text());
        }
    });
    own.entries(|key, value| {
        member(out, key);
        out.push_str(value.text());
    });
    out.push('}');
}
