//! Segment's side: messages as Segment sends them, and Segment's loose lookup of property
//! paths. What every output reads.

pub mod dates;
mod envelope;
pub(crate) mod fields;
mod message;
pub(crate) mod path;

pub use envelope::batch_messages;
pub use message::{Identify, Message, MessageError, Page, Track};
