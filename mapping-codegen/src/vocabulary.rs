//! The closed vocabularies of the table: Pinterest's event codes and documented fields, the
//! section names, and the page arms. Parsing, checking, suggestions and code generation all
//! read these lists, so a name exists in exactly one place.

/// Pinterest Tag standard event codes, in the order Pinterest documents them. Each is also a
/// variant of `mapping_core::PinterestEvent` with the same name.
pub const EVENT_CODES: &[&str] = &[
    "Checkout",
    "AddToCart",
    "PageVisit",
    "Signup",
    "WatchVideo",
    "Lead",
    "Search",
    "ViewCategory",
    "Custom",
];

/// Documented Pinterest event-data fields that a `properties` row may target. `line_items` is
/// documented too, but only the products section fills it.
pub const EVENT_DATA_FIELDS: &[&str] = &[
    "value",
    "order_quantity",
    "currency",
    "order_id",
    "promo_code",
    "property",
    "search_query",
    "video_title",
    "lead_type",
    "page_name",
    "event_id",
];

/// The event-data field holding the line items.
pub const LINE_ITEMS: &str = "line_items";

/// Documented Pinterest line-item fields that a products row may target.
pub const LINE_ITEM_FIELDS: &[&str] = &[
    "product_name",
    "product_id",
    "product_category",
    "product_variant",
    "product_variant_id",
    "product_price",
    "product_quantity",
    "product_brand",
];

/// The sections a table may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    Events,
    Page,
    Properties,
    Products,
}

/// Named sections (`events { … }`), by keyword. The products section is written
/// `<array property> => line_items { … }` and has no keyword.
pub const NAMED_SECTIONS: &[(&str, SectionKind)] = &[
    ("events", SectionKind::Events),
    ("page", SectionKind::Page),
    ("properties", SectionKind::Properties),
];

impl SectionKind {
    /// How the section is written, for messages.
    pub fn display(self) -> &'static str {
        match self {
            SectionKind::Events => "events",
            SectionKind::Page => "page",
            SectionKind::Properties => "properties",
            SectionKind::Products => "products => line_items",
        }
    }
}

/// The arms of the `page` section.
pub const PAGE_CATEGORY_ARM: &str = "category";

/// Which documented fields a section's identifiers may name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldScope {
    EventData,
    LineItem,
}

impl FieldScope {
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            FieldScope::EventData => EVENT_DATA_FIELDS,
            FieldScope::LineItem => LINE_ITEM_FIELDS,
        }
    }

    pub fn other(self) -> FieldScope {
        match self {
            FieldScope::EventData => FieldScope::LineItem,
            FieldScope::LineItem => FieldScope::EventData,
        }
    }

    /// What the field is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            FieldScope::EventData => "event-data field",
            FieldScope::LineItem => "line-item field",
        }
    }

    /// The indefinite article for [`Self::noun`].
    pub fn article(self) -> &'static str {
        match self {
            FieldScope::EventData => "an",
            FieldScope::LineItem => "a",
        }
    }

    /// The section where fields of this scope are bound.
    pub fn section(self) -> SectionKind {
        match self {
            FieldScope::EventData => SectionKind::Properties,
            FieldScope::LineItem => SectionKind::Products,
        }
    }
}

/// Formats names as a list for messages: `` `a`, `b` and `c` ``.
pub fn list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|name| format!("`{name}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_joins_with_commas_and_and() {
        assert_eq!(list(&[]), "");
        assert_eq!(list(&["a"]), "`a`");
        assert_eq!(list(&["a", "b"]), "`a` and `b`");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` and `c`");
    }
}
