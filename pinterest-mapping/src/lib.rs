//! Segment → Pinterest Tag mappings, checked by the compiler.
//!
//! A mapping table binds Segment events to Pinterest event types and Segment properties to
//! Pinterest event data. [`pinterest_mapping!`] turns a table into a module of typed code at
//! compile time, and rejects a wrong table with errors that point at the offending token:
//! a misspelt Pinterest event, a duplicate binding, an unknown field.
//!
//! A table is a type implementing [`Mapping`], and that is all the rest of the crate needs:
//! a [`Destination`] with any table does what Segment's Pinterest Tag destination does
//! (settings, page rule, identify, `event_id`, custom properties, line items) and produces
//! [`PintrkCall`]s, as JSON argument lists or as script-safe JavaScript, and the Pinterest
//! Conversions API events of the same messages ([`capi`]: hashed identity, the Tag call's
//! `event_id` for deduplication), which [`capi::send`] sends (feature `send`). The [`spec`]
//! module is Segment's own table, the one the `pinterest-map` tool and the `pinterest-kafka`
//! worker (their own crates, each turning any table into a tool of its own) run.
//!
//! # Features
//!
//! None is on by default: a program that maps compiles neither an HTTP client nor a command
//! line. `send` adds the Conversions API's sender ([`capi::send`]: ureq with rustls).
//!
//! # Layers
//!
//! From the bottom up; each module uses only those above it in this table, and the two
//! outputs know nothing of the destination that composes them.
//!
//! | module | what it is |
//! |---|---|
//! | [`json`] | JSON read without decoding it, and written back as it was sent: [`Json`], [`JsonValue`] |
//! | [`table`] | what a table is ([`Mapping`]), the Pinterest vocabulary, Segment's matching rules, the [`spec`] table |
//! | [`segment`] | Segment's input: [`Message`] |
//! | [`tag`] | the Pinterest Tag output: [`PintrkCall`] |
//! | [`capi`] | the Conversions API output, built from the Tag call: [`capi::ConversionEvent`], and [`capi::send`] (its HTTP client with the feature `send`) |
//! | [`destination`] | the product's core, above its outputs: Segment's [`Settings`], and the [`Destination`] that composes the outputs |
//! | [`ndjson`] | newline-delimited streams: [`ndjson::map_stream`], [`ndjson::LineReader`], the tool's per-line path |
//!
//! The main items of each are also at the crate root.
//!
//! # A table, and the destination it drives
//!
//! ```
//! pinterest_mapping::pinterest_mapping! {
//!     /// How our shop's events reach the Pinterest Tag.
//!     pub mod shop {
//!         events {
//!             "Basket Checked Out" => Checkout,
//!             "Item Added"         => AddToCart,
//!             "Newsletter Joined"  => "NewsletterJoined", // a partner-defined event
//!         }
//!         page {
//!             category => ViewCategory,
//!             _        => PageVisit,
//!         }
//!         properties {
//!             "total"    => value,
//!             "currency" => currency,
//!             "basket"   => order_id,
//!             "voucher"  => "voucher",    // a string literal is a free-form (custom) event-data key
//!         }
//!         items => line_items {
//!             "sku"   => product_id,
//!             "price" => product_price,
//!             "qty"   => product_quantity,
//!         }
//!     }
//! }
//!
//! use pinterest_mapping::{Destination, Json, Message, PinterestEvent, Settings};
//!
//! // The generated functions: Segment's alias rule, the page rule, the conversion.
//! assert_eq!(shop::event("basket_checked_out"), Some(PinterestEvent::Checkout));
//! assert_eq!(shop::event("Added Item"), Some(PinterestEvent::AddToCart));
//! assert_eq!(shop::event("Order Completed"), None);
//! let properties = Json::parse(r#"{"Total": 30.50, "items": [{"sku": "s-1", "qty": 2}]}"#)?;
//! assert_eq!(
//!     serde_json::to_string(&shop::event_data(properties))?,
//!     r#"{"value":30.50,"line_items":[{"product_id":"s-1","product_quantity":2}]}"#
//! );
//!
//! // The whole destination, with the table.
//! let settings = Settings::from_json(r#"{"tid": "2620795819800", "pinterestCustomProperties": ["plan"]}"#)?;
//! let destination = Destination::with_table(shop::Table, settings);
//! let message = Message::parse(
//!     r#"{"type":"track","event":"Basket Checked Out","properties":{"total":30,"plan":"pro","voucher":"</script>"}}"#,
//! )?;
//! let call = destination.map(&message).expect("track calls always produce a call");
//! assert_eq!(call.to_json(), r#"["track","Checkout",{"value":30,"voucher":"</script>","plan":"pro"}]"#);
//! assert_eq!(
//!     call.to_js(),
//!     r#"pintrk("track", "Checkout", {"value":30,"voucher":"\u003c/script\u003e","plan":"pro"});"#
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Grammar
//!
//! ```text
//! table    := option* attribute* visibility "mod" NAME "{" section* "}"
//! option   := "#" "[" "mapping" "(" "crate" "=" PATH ")" "]"
//! section  := "events"     "{" (STRING "=>" event ",")* "}"
//!           | "page"       "{" (("category" | "_") "=>" event ",")* "}"
//!           | "properties" "{" (STRING "=>" field ",")* "}"
//!           | ARRAY "=>" "line_items" "{" (STRING "=>" field ",")* "}"
//!           | "user_data"  "{" (PATH "=>" IDENTITY_FIELD ",")* "}"
//! event    := STANDARD_CODE | STRING        a string is a partner-defined event, sent verbatim
//! field    := DOCUMENTED_FIELD | STRING     a string is a custom key, sent verbatim
//! ARRAY    := NAME | STRING                 the Segment array holding the products
//! PATH     := STRING                        "context.traits.email", "context.page.search?epik"
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
//!   ([`DataField`]: `value`, `order_quantity`, `currency`, `order_id`, `promo_code`,
//!   `property`, `search_query`, `video_title`, `lead_type`, `page_name`, `event_id`) or custom
//!   keys.
//! - **`products => line_items`** binds the fields of each product of a Segment array to
//!   documented line-item fields ([`LineItemField`]: `product_name`, `product_id`,
//!   `product_category`, `product_variant`, `product_variant_id`, `product_price`,
//!   `product_quantity`, `product_brand`) or custom keys.
//! - **`user_data`** binds paths in the Segment message (exact keys separated by dots;
//!   `path?name` reads the query parameter `name` of the URL or query string there) to the
//!   Conversions API's identity fields ([`UserDataField`]: `em`, `ph`, `fn`, `ln`, `ge`, `db`,
//!   `ct`, `st`, `zp`, `country`, `external_id`, `hashed_maids`, `client_ip_address`,
//!   `client_user_agent`, `click_id`), in priority order: for each field, the first path
//!   holding a value wins. A table without it takes Segment's standard sources, the [`spec`]
//!   table's.
//! - **`#[mapping(crate = path)]`** names this crate for a program that depends on it under
//!   another name (`pins = { package = "pinterest-mapping", … }`: `#[mapping(crate = pins)]`), as
//!   serde's `#[serde(crate = "…")]` does.
//! - **`#[mapping(plan = "tracking-plan.json")]`** checks the Segment side of the table against
//!   the team's tracking plan (a path relative to the crate's `Cargo.toml`, in Segment's Public
//!   API format, Typewriter's `plan.json` of versions 7 and 8, or a map of event names to JSON
//!   Schemas); **`plan = segment_spec`** against Segment's own E-commerce v2, Video and Page
//!   spec, built in. An event row that no planned event reaches (under the alias rule), a
//!   property or product field no planned event defines, and a binding whose planned type can
//!   never fill its field (`value` and `product_price` take numbers, the quantities integers,
//!   `currency` a string) are errors; planned events no row maps are a warning (a deprecated
//!   item the table uses), an error with **`#[mapping(plan = "…", strict)]`**. Editing the
//!   plan rebuilds the table.
//!
//! ## What the compiler rejects
//!
//! Every mistake is reported in one compile, in source order, at the offending token: unknown
//! Pinterest events and fields (with a suggestion when one is close: `Chekout` → `Checkout`,
//! `serach_query` → `search_query`); a field bound in the wrong section; a custom key that
//! spells a documented field; a Segment event bound twice, including under the alias rule
//! (`"Order Completed"` and `"completed_order"`); a property bound twice in a section,
//! including under the loose key rule (`"orderId"` and `"order_id"`); empty names; unknown,
//! misspelt or repeated sections; an empty table; unknown identity fields (`email` → `em`),
//! identity fields outside `user_data` and event-data fields in it, a path bound twice,
//! malformed paths; and malformed syntax, each row on its own, so that one missing comma
//! hides none of the other mistakes.
//!
//! ## What it generates
//!
//! Inside the named module:
//!
//! - `struct Table`, implementing [`Mapping`]: the table as a value, for [`Destination`] and
//!   the front ends (`pinterest_map::main`, `pinterest_kafka::main`);
//! - `fn event(name: &str) -> Option<PinterestEvent<'static>>`: the event lookup, a `match` on
//!   a hash of the normalised name, with Segment's alias rule;
//! - `fn page_event(category: impl PageCategory) -> Option<PinterestEvent<'static>>`: the page
//!   rule ([`PageCategory`]: `None`, an `Option<Json>`, a `Json`, a `&serde_json::Value`);
//! - `struct EventData<V>` and, with a products section, `struct LineItem<V>`: one `Option<V>`
//!   field per bound target, serializing with serde to the event data the Pinterest Tag
//!   expects (absent fields omitted), and implementing [`EventFields`];
//! - `fn event_data(properties: V) -> EventData<V>`, and `EventDataBuilder` for properties
//!   that come one at a time: the conversion;
//! - with a `user_data` section, `const USER_DATA: &[UserDataSource]`, its rows.
//!
//! The documentation of `Table` and of each field says which bindings reach the Conversions
//! API, and where, and which reach the Tag only.
//!
//! `V` is any [`JsonValue`]: [`Json`] for JSON text, `&serde_json::Value` for a document
//! `serde_json` has parsed. The generated code is free of warnings under Clippy's `pedantic` and
//! `nursery` groups.
//!
//! The behaviour of these functions reproduces Segment's Pinterest Tag destination; the
//! [`spec`] module is Segment's own table.

// Clippy's pedantic lints this crate does not follow, beyond the workspace's, and why.
#![allow(
    // The scanner's per-byte functions, measured (BENCHMARKS.md, section 1): the compiler
    // does not inline them across its loops by itself.
    clippy::inline_always,
    // `Settings` holds Segment's flags as Segment names them.
    clippy::struct_excessive_bools,
)]

// The macro names paths as `::pinterest_mapping::…`, which must also resolve inside this crate.
extern crate self as pinterest_mapping;

pub mod capi;
pub mod destination;
pub mod json;
pub mod ndjson;
pub mod segment;
pub mod table;
pub mod tag;

pub use capi::ConversionToken;
pub use destination::{Destination, Settings, SettingsBuilder, SettingsError, SettingsWarning};
pub use json::{Json, JsonValue, SyntaxError};
pub use pinterest_mapping_macros::pinterest_mapping;
pub use segment::{Identify, Message, MessageError, Page, Track};
/// `serde_json`, which the public API takes (`&serde_json::Value` is a [`JsonValue`]) and whose
/// serializer writes calls and events: a program needs no dependency of its own on it.
pub use serde_json;
pub use table::{
    DataField, EventFields, LineItemField, Mapping, PageCategory, PinterestEvent, UserDataField,
    UserDataSource, spec,
};
pub use tag::{CallData, CallLineItem, CallLineItems, DataValue, PintrkCall};

/// What generated code uses. Not a public API: it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use std::borrow::Cow;

    pub use serde;

    pub use crate::json::{JsonValue, Key};
    pub use crate::table::keys::{
        AliasTable, KeyName, LongKeyName, Matched, lookup_event, lookup_long_event, table_hash,
        trim_trailing_holes, truthy,
    };
    pub use crate::table::{
        DataField, EventFields, LineItemField, Mapping, PageCategory, PinterestEvent,
        UserDataField, UserDataSource,
    };
}
