//! The Pinterest Tag output: the destination's settings, the [`Destination`] that turns Segment
//! messages into `pintrk` calls with any table, and the calls themselves, written as JSON or as
//! script-safe JavaScript.

mod call;
mod destination;
mod settings;

pub use call::{DataValue, EventData, LineItem, LineItems, PintrkCall};
pub use destination::Destination;
pub use settings::{ConversionToken, Settings, SettingsBuilder, SettingsError, SettingsWarning};
