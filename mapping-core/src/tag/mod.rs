//! The Pinterest Tag output: the `pintrk` calls a Segment message makes with any table
//! ([`PintrkCall`]), written as JSON or as script-safe JavaScript.

mod call;
mod map;

pub use call::{DataValue, EventData, LineItem, LineItems, PintrkCall};
pub(crate) use map::TagMapper;
