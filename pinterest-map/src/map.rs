//! What a run does with one line when it writes its output (Tag calls or Conversions API
//! events): the output bytes, and what became of the line. The same on the run's thread and on
//! a mapping thread; the run then accounts for it in input order.

use std::borrow::Cow;

use pinterest_mapping::Destination;
use pinterest_mapping::ndjson::{self, Converted, Line, OutputFormat};
use pinterest_mapping::segment::{MessageError, batch_messages};
use pinterest_mapping::table::Mapping;

use pinterest_cli::{Clock, Output};

use super::setup::Setup;

/// Maps lines to the output a run writes; a copy goes to each mapping thread.
#[derive(Clone)]
pub(super) struct Mapper<M: Mapping> {
    destination: Destination<M>,
    written: Written,
    clock: Clock,
    /// `--aligned`: `null` for each blank or invalid line.
    aligned: bool,
}

/// The output written for each message.
#[derive(Clone, Copy)]
enum Written {
    Tag(OutputFormat),
    Conversions,
}

/// What became of one line.
pub(super) enum LineOutcome {
    /// A blank line.
    Blank,
    /// Not a valid message: why.
    Invalid(String),
    /// A message, and the number of its calls.
    Calls(usize),
    /// A message, and what became of its Conversions API event.
    Conversion(Converted),
    /// A Segment batch envelope: what became of each of its messages.
    LineBatch(Vec<LineOutcome>),
}

impl<M: Mapping> Mapper<M> {
    /// The mapper of `setup`'s run; `None` when the run sends its events rather than writing
    /// them (sending takes each event in input order, on the run's thread).
    pub(super) fn new(setup: &Setup<M>) -> Option<Mapper<M>> {
        let written = match setup.output {
            Output::Tag(format) => Written::Tag(format),
            Output::Conversions => Written::Conversions,
            Output::Send => return None,
        };
        Some(Mapper {
            destination: setup.destination.clone(),
            written,
            clock: setup.clock,
            aligned: setup.aligned,
        })
    }

    /// Appends `line`'s output to `out`, and says what became of it.
    pub(super) fn map(&self, line: &Line<'_>, out: &mut Vec<u8>) -> LineOutcome {
        let outcome = match line.text() {
            Ok(Some(text)) => self.message(text, out),
            Ok(None) => LineOutcome::Blank,
            Err(error) => LineOutcome::Invalid(error.to_string()),
        };
        if self.aligned && matches!(outcome, LineOutcome::Blank | LineOutcome::Invalid(_)) {
            out.extend_from_slice(b"null\n");
        }
        outcome
    }

    fn message(&self, text: &str, out: &mut Vec<u8>) -> LineOutcome {
        match self.one_message(text, out) {
            Err(error) if error.lacks_type() => match batch_messages(text) {
                Some(messages) => self.batch(&messages, out),
                None => LineOutcome::Invalid(error.to_string()),
            },
            Err(error) => LineOutcome::Invalid(error.to_string()),
            Ok(outcome) => outcome,
        }
    }

    fn one_message(&self, text: &str, out: &mut Vec<u8>) -> Result<LineOutcome, MessageError> {
        let destination = &self.destination;
        match self.written {
            Written::Tag(format) => {
                ndjson::map_line(destination, format, text, out).map(LineOutcome::Calls)
            }
            Written::Conversions => ndjson::convert_line(destination, text, self.clock.now(), out)
                .map(LineOutcome::Conversion),
        }
    }

    /// The messages of a batch envelope, each written as a line would be; with `--aligned`,
    /// their arrays joined into the one line of the envelope's.
    fn batch(
        &self,
        messages: &[Result<Cow<'_, str>, MessageError>],
        out: &mut Vec<u8>,
    ) -> LineOutcome {
        let mut outcomes = Vec::with_capacity(messages.len());
        let mut each = Vec::new();
        let start = out.len();
        for message in messages {
            let written = if self.aligned { &mut each } else { &mut *out };
            outcomes.push(match message {
                Ok(text) => self
                    .one_message(text, written)
                    .unwrap_or_else(|error| LineOutcome::Invalid(error.to_string())),
                Err(error) => LineOutcome::Invalid(error.to_string()),
            });
        }
        if self.aligned {
            // `[a]\n[]\n[b,c]\n` → `[a,b,c]\n`.
            out.push(b'[');
            for line in each.split(|byte| *byte == b'\n') {
                let inner = line
                    .strip_prefix(b"[")
                    .and_then(|line| line.strip_suffix(b"]"))
                    .unwrap_or_default();
                if !inner.is_empty() {
                    if out.len() > start + 1 {
                        out.push(b',');
                    }
                    out.extend_from_slice(inner);
                }
            }
            out.extend_from_slice(b"]\n");
        }
        LineOutcome::LineBatch(outcomes)
    }
}

impl LineOutcome {
    /// Whether the line counts as an error: it is not a valid message, or not one message of
    /// its batch envelope is.
    pub(super) fn is_error(&self) -> bool {
        match self {
            LineOutcome::Invalid(_) => true,
            LineOutcome::LineBatch(outcomes) => outcomes.iter().any(LineOutcome::is_error),
            _ => false,
        }
    }
}
