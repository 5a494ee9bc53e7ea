//! The texts of what a run reports about one message or event, the same in every front end.
//! Each is written after the place it concerns (`INPUT:LINE: `, `TOPIC/PARTITION@OFFSET: `).

use std::fmt;

use pinterest_mapping::capi::send::Rejection;
use pinterest_mapping::ndjson::Converted;

/// `1 noun`, or `N nouns`.
#[must_use]
pub fn counted(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// What is reported about a message's Conversions API event: a warning for each field left out
/// of it, or why the message cannot become one. Nothing for a message that is no conversion.
pub fn conversion_notes(converted: &Converted) -> impl Iterator<Item = ConversionNote<'_>> {
    let (warnings, unsendable) = match converted {
        Converted::Event { warnings } => (warnings.as_slice(), None),
        Converted::Unsendable(unsendable) => (&[][..], Some(unsendable)),
        _ => (&[][..], None),
    };
    warnings
        .iter()
        .map(ConversionNote::LeftOut)
        .chain(unsendable.map(ConversionNote::Unsendable))
}

/// One thing reported about a message's Conversions API event.
#[derive(Clone, Copy, Debug)]
pub enum ConversionNote<'c> {
    /// A field left out of the event for its shape.
    LeftOut(&'c pinterest_mapping::capi::FieldWarning),
    /// The message cannot become an event.
    Unsendable(&'c pinterest_mapping::capi::Unsendable),
}

impl fmt::Display for ConversionNote<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConversionNote::LeftOut(warning) => write!(formatter, "warning: {warning}"),
            ConversionNote::Unsendable(unsendable) => {
                write!(formatter, "not sent to the Conversions API: {unsendable}")
            }
        }
    }
}

/// Why an event was not accepted: `rejected by Pinterest (HTTP 400): MESSAGE` for one
/// Pinterest refused, the reason for one that was not sent.
#[derive(Clone, Copy, Debug)]
pub struct RejectionText<'r, T>(pub &'r Rejection<T>);

impl<T> fmt::Display for RejectionText<'_, T> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rejection = self.0;
        if let (true, Some(status)) = (rejection.received, rejection.status) {
            write!(formatter, "rejected by Pinterest (HTTP {status}): ")?;
        }
        formatter.write_str(&rejection.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rejection(received: bool, status: Option<u16>) -> Rejection<()> {
        Rejection {
            origin: (),
            event_id: "e-1".to_owned(),
            event: "{}".to_owned(),
            status,
            message: "Invalid event".to_owned(),
            received,
            sendable: false,
        }
    }

    #[test]
    fn a_refused_event_names_pinterest_and_the_status() {
        assert_eq!(
            RejectionText(&rejection(true, Some(422))).to_string(),
            "rejected by Pinterest (HTTP 422): Invalid event"
        );
        assert_eq!(
            RejectionText(&rejection(false, Some(503))).to_string(),
            "Invalid event"
        );
    }

    #[test]
    fn counts_agree_with_their_noun() {
        assert_eq!(counted(0, "line"), "0 lines");
        assert_eq!(counted(1, "line"), "1 line");
        assert_eq!(counted(2, "line"), "2 lines");
    }
}
