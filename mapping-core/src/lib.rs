//! Segment → Pinterest Tag mappings, checked by the compiler.
//!
//! A mapping table binds Segment events to Pinterest event types and Segment properties to
//! Pinterest event data. [`pinterest_mapping!`] turns a table into a module of typed code at
//! compile time, and rejects a wrong table with errors that point at the offending token:
//! a misspelt Pinterest event, a duplicate binding, an unknown field.
//!
//! On top of the macro, this crate implements Segment's Pinterest Tag destination: read the
//! [`Settings`], parse each [`Message`], and let a [`Destination`] produce the [`PintrkCall`]s,
//! as JSON argument lists or as script-safe JavaScript. The [`spec`] module is Segment's own
//! table, compiled by the macro; the `pinterest-map` binary (feature `cli`, on by default)
//! runs the destination over newline-delimited JSON.
//!
//! # The table
//!
//! ```
//! mapping_core::pinterest_mapping! {
//!     /// Segment's e-commerce spec, bound to the Pinterest Tag.
//!     pub mod spec {
//!         events {
//!             "Products Searched"      => Search,
//!             "Product List Filtered"  => Search,
//!             "Product Added"          => AddToCart,
//!             "Order Completed"        => Checkout,
//!             "Video Playback Started" => WatchVideo,
//!         }
//!         page {
//!             category => ViewCategory,
//!             _        => PageVisit,
//!         }
//!         properties {
//!             "query"    => search_query,
//!             "order_id" => order_id,
//!             "coupon"   => "coupon",      // a string literal is a free-form (custom) event-data key
//!             "value"    => value,
//!             "currency" => currency,
//!         }
//!         products => line_items {
//!             "name"       => product_name,
//!             "product_id" => product_id,
//!             "sku"        => product_id,  // several sources may feed one field: the later row wins
//!             "category"   => product_category,
//!             "variant"    => product_variant,
//!             "price"      => product_price,
//!             "quantity"   => product_quantity,
//!             "brand"      => product_brand,
//!         }
//!     }
//! }
//!
//! use mapping_core::{Json, PinterestEvent};
//!
//! // Segment's alias rule: case, separators and the older action-first order.
//! assert_eq!(spec::event("order_completed"), Some(PinterestEvent::Checkout));
//! assert_eq!(spec::event("Added Product"), Some(PinterestEvent::AddToCart));
//! assert_eq!(spec::event("Newsletter Opened"), None);
//!
//! // The page rule.
//! let category = Json::parse(r#""Shoes""#)?;
//! assert_eq!(spec::page_event(Some(&category)), Some(PinterestEvent::ViewCategory));
//! assert_eq!(spec::page_event::<&Json>(None), Some(PinterestEvent::PageVisit));
//!
//! // Event data: one pass over the properties, serialized as the Pinterest Tag expects it.
//! let properties = Json::parse(
//!     r#"{"orderId": "o-1", "value": 0, "coupon": "MAY",
//!         "products": [{"sku": "G-32", "product_id": "p-1", "price": 18.99}]}"#,
//! )?;
//! let data = spec::event_data(&properties);
//! assert_eq!(
//!     serde_json::to_string(&data)?,
//!     r#"{"order_id":"o-1","coupon":"MAY","line_items":[{"product_id":"G-32","product_price":18.99}]}"#
//! );
//! # Ok::<(), serde_json::Error>(())
//! ```
//!
//! ## Grammar
//!
//! ```text
//! table    := attribute* visibility "mod" NAME "{" section* "}"
//! section  := "events"     "{" (STRING "=>" event ",")* "}"
//!           | "page"       "{" (("category" | "_") "=>" event ",")* "}"
//!           | "properties" "{" (STRING "=>" field ",")* "}"
//!           | ARRAY "=>" "line_items" "{" (STRING "=>" field ",")* "}"
//! event    := STANDARD_CODE | STRING        a string is a partner-defined event, sent verbatim
//! field    := DOCUMENTED_FIELD | STRING     a string is a custom key, sent verbatim
//! ARRAY    := NAME | STRING                 the Segment array holding the products
//! ```
//!
//! - **Sections** are optional and may come in any order, each at most once; a table must bind
//!   something. The trailing comma of a section is optional.
//! - **`events`** binds Segment event names (string literals) to a standard Pinterest event
//!   code ([`PinterestEvent`]) or, as a string literal, a partner-defined name. Rows are
//!   tried in order; names match with Segment's alias rule (see the generated `event`).
//! - **`page`** chooses the event of a `page` call: `category` when the call's category is
//!   truthy, `_` otherwise.
//! - **`properties`** binds top-level Segment properties to documented event-data fields
//!   (`value`, `order_quantity`, `currency`, `order_id`, `promo_code`, `property`,
//!   `search_query`, `video_title`, `lead_type`, `page_name`, `event_id`) or custom keys.
//! - **`products => line_items`** binds the fields of each product of a Segment array to
//!   documented line-item fields (`product_name`, `product_id`, `product_category`,
//!   `product_variant`, `product_variant_id`, `product_price`, `product_quantity`,
//!   `product_brand`) or custom keys.
//!
//! ## What the compiler rejects
//!
//! Every mistake is reported in one compile, in source order, at the offending token: unknown
//! Pinterest events and fields (with a suggestion when one is close: `Chekout` → `Checkout`,
//! `serach_query` → `search_query`); a field bound in the wrong section; a custom key that
//! spells a documented field; a Segment event bound twice, including under the alias rule
//! (`"Order Completed"` and `"completed_order"`); a property bound twice in a section,
//! including under the loose key rule (`"orderId"` and `"order_id"`); empty names; unknown,
//! misspelt or repeated sections; an empty table; and malformed syntax.
//!
//! ## What it generates
//!
//! Inside the named module:
//!
//! - `fn event(name: &str) -> Option<PinterestEvent<'static>>`: the event lookup, a `match` on
//!   a hash of the normalised name, with Segment's alias rule;
//! - `fn page_event(category: Option<V>) -> Option<PinterestEvent<'static>>`: the page rule;
//! - `struct EventData<V>` and, with a products section, `struct LineItem<V>`: one `Option<V>`
//!   field per bound target, serializing with serde to the event data the Pinterest Tag
//!   expects (absent fields omitted);
//! - `fn event_data(properties: V) -> EventData<V>`, and `EventDataBuilder` for properties
//!   that come one at a time: the conversion.
//!
//! `V` is any [`JsonValue`] handle: `&Json` for a parsed document, [`Lazy`] or [`Raw`] for
//! JSON read lazily.
//!
//! The behaviour of these functions reproduces Segment's Pinterest Tag destination; the
//! [`spec`] module is Segment's own table.

// The macro names paths as `::mapping_core::…`, which must also resolve inside this crate.
extern crate self as mapping_core;

mod call;
#[cfg(feature = "cli")]
pub mod cli;
mod destination;
mod event;
mod json;
mod keys;
mod lookup;
mod message;
pub mod ndjson;
mod raw;
mod scan;
mod settings;
mod spec_table;
mod write;

pub use call::{DataValue, EventData, PintrkCall};
pub use destination::Destination;
pub use event::PinterestEvent;
pub use json::{Json, JsonValue, Number};
pub use lookup::LoosePath;
pub use mapping_macros::pinterest_mapping;
pub use message::{Identify, Message, MessageError, Page, Track};
pub use raw::{Lazy, RawObject};
pub use scan::{Raw, SyntaxError};
pub use settings::{Settings, SettingsError};
pub use spec_table::spec;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;

/// What generated code uses. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use std::borrow::Cow;

    pub use serde;

    pub use crate::event::PinterestEvent;
    pub use crate::json::{Json, JsonValue};
    pub use crate::keys::{
        AliasTable, KeyName, Matched, lookup_event, table_hash, trim_trailing_holes, truthy,
    };
}
