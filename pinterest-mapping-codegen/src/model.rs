//! The checked table: every name validated and normalised, every binding resolved to the
//! struct field it fills, with the span to blame kept for code generation. Only `check` builds
//! it, so code generation may trust it.

use proc_macro2::{Ident, Span};
use syn::Visibility;

pub struct Mapping {
    /// The table's attributes, passed on to the module as written.
    pub attrs: Vec<proc_macro2::TokenStream>,
    /// The path of the runtime crate: `::pinterest_mapping`, or the table's `crate` option.
    pub krate: syn::Path,
    pub vis: Visibility,
    pub ident: Ident,
    /// Segment events in table order: the first that matches a name wins.
    pub events: Vec<Event>,
    pub page: Page,
    /// The `properties` section: top-level properties → event data.
    pub event_data: Record,
    /// The products section, when the table has one.
    pub line_items: Option<LineItems>,
    /// The `user_data` section, when the table has one: where the Conversions API's identity
    /// fields come from, in priority order. Without it, the table takes Segment's standard
    /// sources (the spec table's).
    pub user_data: Option<Vec<UserDataRow>>,
    /// The absolute path of the table's tracking plan, when it names one: the generated code
    /// includes the file, so that editing it rebuilds the table.
    pub plan_path: Option<String>,
    /// The planned events no row maps, and where the table names its plan: they reach
    /// Pinterest as partner-defined events, which the generated code warns of there.
    pub unmapped: Vec<String>,
    pub plan_span: Option<Span>,
}

pub struct Event {
    /// The Segment event name as written.
    pub name: String,
    pub span: Span,
    /// Its words, lowercased.
    pub words: Vec<String>,
    /// The planned events whose messages this row is the first to match.
    pub planned: Vec<String>,
    pub target: EventTarget,
}

#[derive(Clone)]
pub enum EventTarget {
    /// A standard event code, spanned where the user wrote it.
    Standard(Ident),
    /// A partner-defined event name, sent verbatim.
    Partner(String, Span),
}

/// The page rule; `None` sends no event.
#[derive(Default)]
pub struct Page {
    /// For a page call whose `category` is truthy.
    pub with_category: Option<EventTarget>,
    /// For every other page call.
    pub without_category: Option<EventTarget>,
}

/// The bindings of one section, and the struct they fill.
#[derive(Default)]
pub struct Record {
    /// Distinct targets in order of first appearance: the generated struct's fields.
    pub fields: Vec<Field>,
    /// Bindings in table order: when several feed one field, the later truthy value wins.
    pub rows: Vec<Row>,
}

pub struct Field {
    /// The event-data key, exactly as Pinterest receives it.
    pub key: String,
    /// The Rust field name: the key itself for documented fields, a sanitised form for custom
    /// keys.
    pub ident: Ident,
    pub documented: bool,
}

pub struct Row {
    /// The Segment property name as written.
    pub source: String,
    pub span: Span,
    /// Index into the record's `fields`.
    pub field: usize,
}

/// `products => line_items { … }`.
pub struct LineItems {
    /// The Segment property holding the products array.
    pub source: String,
    pub span: Span,
    pub record: Record,
}

/// `"context.traits.email" => em`: a path in the Segment message, read for an identity field.
pub struct UserDataRow {
    /// The path's keys, as written between the dots.
    pub path: String,
    /// With `path?name`, the query parameter `name` of the URL or query string found there.
    pub parameter: Option<String>,
    /// The identity field, spelled as the API spells it, spanned where the user wrote it.
    pub field: Ident,
    /// The row's source literal.
    pub span: Span,
}
