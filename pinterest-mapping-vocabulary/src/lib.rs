//! What the `pinterest_mapping!` macro (at compile time) and its runtime, `pinterest-mapping` (at
//! run time), must agree on, written once: the Pinterest vocabulary, Segment's matching rules,
//! the hash the generated `match`es dispatch on, and the rule for "did you mean".
//!
//! - [`vocabulary`]: the Pinterest Tag's event codes (with their Conversions API names), the
//!   documented event-data and line-item fields (with the Conversions API fields they become),
//!   and the Conversions API's identity fields. Each list is one `macro_rules!` table
//!   ([`with_events!`], [`with_event_data_fields!`], [`with_line_item_fields!`],
//!   [`with_user_data_fields!`]): the macro's checks read the constants made from it, and the
//!   runtime builds its enums from it.
//! - [`keys`]: the normal forms of the two matching rules (Segment's alias rule for event
//!   names, the loose key rule for properties) and [`keys::table_hash`].
//! - [`suggest`]: the closest name to a misspelt one.
//!
//! Not for programs: the two crates pin it exactly (`=` version), as serde pins `serde_core`.

pub mod keys;
pub mod suggest;
pub mod vocabulary;
