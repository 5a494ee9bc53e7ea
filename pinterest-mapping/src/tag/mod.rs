//! The Pinterest Tag output: the `pintrk` calls a Segment message makes with any table
//! ([`PintrkCall`]), written as JSON or as script-safe JavaScript.

mod call;
mod map;
mod settings;

pub use call::{CallData, CallLineItem, CallLineItems, DataValue, PintrkCall};
pub(crate) use map::TagMapper;
pub use settings::TagSettings;
