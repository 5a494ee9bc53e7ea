//! `--send --resend`: the lines of rejects files read back, each an event with the input and
//! line it first came from, to be sent again as it is.

use std::borrow::Cow;
use std::collections::HashMap;

use serde::Deserialize;

use pinterest_mapping::capi::ConversionEvent;

/// One line of a rejects file: what `--resend` needs of it (the other fields, the event's id,
/// status and message of the rejection, are the rejection's, not the event's).
#[derive(Debug, Deserialize)]
pub(super) struct RejectedEvent<'a> {
    #[serde(borrow)]
    pub(super) input: Cow<'a, str>,
    pub(super) line: u64,
    #[serde(borrow)]
    pub(super) event: ConversionEvent<'a>,
}

/// Reads one line of a rejects file. The error says where the line is wrong, never what it
/// holds.
pub(super) fn parse(text: &str) -> Result<RejectedEvent<'_>, String> {
    serde_json::from_str(text).map_err(|error| {
        let column = error.column();
        match error.classify() {
            serde_json::error::Category::Data => format!(
                "not a line of a rejects file (an object with `input`, `line` and `event`, a \
                 Conversions API event): a missing, unknown or mistyped field, at column \
                 {column}"
            ),
            _ => format!("not a line of a rejects file: invalid JSON at column {column}"),
        }
    })
}

/// The original inputs of the events sent again, each named once: an event's origin refers to
/// its input by index.
#[derive(Debug, Default)]
pub(super) struct Names {
    indices: HashMap<String, usize>,
    names: Vec<String>,
}

impl Names {
    /// The index of the input `name`.
    pub(super) fn index(&mut self, name: &str) -> usize {
        if let Some(index) = self.indices.get(name) {
            return *index;
        }
        self.names.push(name.to_owned());
        self.indices.insert(name.to_owned(), self.names.len() - 1);
        self.names.len() - 1
    }

    /// The name of the input of index `index`.
    pub(super) fn name(&self, index: usize) -> &str {
        self.names.get(index).map_or("", String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rejects_line_gives_its_event_and_origin() {
        let line = r#"{"input":"events.ndjson","line":7,"event_id":"m-7","received":true,"status":422,"message":"Invalid event","event":{"event_name":"checkout","action_source":"web","event_time":1795867200,"event_id":"m-7","user_data":{"client_ip_address":"203.0.113.9","client_user_agent":"Mozilla/5.0"}}}"#;
        let rejected = parse(line).unwrap();
        assert_eq!(
            (rejected.input.as_ref(), rejected.line),
            ("events.ndjson", 7)
        );
        assert_eq!(rejected.event.event_id, "m-7");
    }

    #[test]
    fn errors_say_where_never_what() {
        let secret = "jane@example.com";
        for line in [
            format!(r#"{{"input":"a","line":"{secret}","event":{{}}}}"#),
            format!(r#"{{"input":"a","line":1,"event":{{"secret":"{secret}"}}}}"#),
            secret.to_owned(),
        ] {
            let error = parse(&line).unwrap_err();
            assert!(!error.contains(secret), "{error}");
            assert!(error.contains("column"), "{error}");
        }
    }

    #[test]
    fn names_are_kept_once() {
        let mut names = Names::default();
        assert_eq!(names.index("a"), 0);
        assert_eq!(names.index("b"), 1);
        assert_eq!(names.index("a"), 0);
        assert_eq!(names.name(1), "b");
    }
}
