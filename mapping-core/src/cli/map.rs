//! What a run does with one line when it writes its output (Tag calls or Conversions API
//! events): the output bytes, and what became of the line. The same on the run's thread and on
//! a mapping thread; the run then accounts for it in input order.

use crate::ndjson::{self, Converted, Line, OutputFormat};
use crate::table::Mapping;
use crate::tag::Destination;

use super::setup::{Clock, Output, Setup};

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
pub(super) enum Outcome {
    /// A blank line.
    Blank,
    /// Not a valid message: why.
    Invalid(String),
    /// A message, and the number of its calls.
    Calls(usize),
    /// A message, and what became of its Conversions API event.
    Conversion(Converted),
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
    pub(super) fn map(&self, line: &Line<'_>, out: &mut Vec<u8>) -> Outcome {
        let outcome = match line.text() {
            Ok(Some(text)) => self.message(text, out),
            Ok(None) => Outcome::Blank,
            Err(error) => Outcome::Invalid(error.to_string()),
        };
        if self.aligned && matches!(outcome, Outcome::Blank | Outcome::Invalid(_)) {
            out.extend_from_slice(b"null\n");
        }
        outcome
    }

    fn message(&self, text: &str, out: &mut Vec<u8>) -> Outcome {
        let destination = &self.destination;
        let result = match self.written {
            Written::Tag(format) => {
                ndjson::map_line(destination, format, text, out).map(Outcome::Calls)
            }
            Written::Conversions => ndjson::convert_line(destination, text, self.clock.now(), out)
                .map(Outcome::Conversion),
        };
        result.unwrap_or_else(|error| Outcome::Invalid(error.to_string()))
    }
}

impl Outcome {
    /// Whether the line counts as an error.
    pub(super) fn is_error(&self) -> bool {
        matches!(self, Outcome::Invalid(_))
    }
}
