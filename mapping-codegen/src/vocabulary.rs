//! The closed vocabularies of the table: Pinterest's event codes and documented fields, the
//! Conversions API identity fields, the section names, and the page arms. Parsing, checking,
//! suggestions and code generation all read these lists, so a name exists in exactly one place
//! here (the runtime's enums in `mapping_core` hold the same names, and its tests check that
//! the two agree).

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

/// Each standard event code's name in the Conversions API (`event_name`).
pub const EVENT_API_NAMES: &[(&str, &str)] = &[
    ("Checkout", "checkout"),
    ("AddToCart", "add_to_cart"),
    ("PageVisit", "page_visit"),
    ("Signup", "signup"),
    ("WatchVideo", "watch_video"),
    ("Lead", "lead"),
    ("Search", "search"),
    ("ViewCategory", "view_category"),
    ("Custom", "custom"),
];

/// The Conversions API name of a standard event code.
pub fn event_api_name(code: &str) -> Option<&'static str> {
    EVENT_API_NAMES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, api)| *api)
}

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

/// Where each documented event-data field reaches the Conversions API, as a `custom_data`
/// field; fields not listed reach the Tag only (the API's strict schema has no place for them).
pub const EVENT_DATA_CONVERSIONS: &[(&str, &str)] = &[
    ("value", "value"),
    ("order_quantity", "num_items"),
    ("currency", "currency"),
    ("order_id", "order_id"),
    ("search_query", "search_string"),
];

/// Where each documented line-item field reaches the Conversions API, as a field of
/// `custom_data.contents[]`; fields not listed reach the Tag only.
pub const LINE_ITEM_CONVERSIONS: &[(&str, &str)] = &[
    ("product_id", "id"),
    ("product_price", "item_price"),
    ("product_quantity", "quantity"),
    ("product_name", "item_name"),
    ("product_category", "item_category"),
    ("product_brand", "item_brand"),
];

/// The Conversions API's identity fields (`user_data`), which a `user_data` row may target.
pub const USER_DATA_FIELDS: &[&str] = &[
    "em",
    "ph",
    "fn",
    "ln",
    "ge",
    "db",
    "ct",
    "st",
    "zp",
    "country",
    "external_id",
    "hashed_maids",
    "client_ip_address",
    "client_user_agent",
    "click_id",
];

/// Names users reach for, and the identity field each means: suggested when no field is close
/// by spelling (`email` is three edits from `em`).
pub const USER_DATA_ALIASES: &[(&str, &str)] = &[
    ("email", "em"),
    ("phone", "ph"),
    ("phone_number", "ph"),
    ("first_name", "fn"),
    ("firstname", "fn"),
    ("last_name", "ln"),
    ("lastname", "ln"),
    ("gender", "ge"),
    ("birthday", "db"),
    ("date_of_birth", "db"),
    ("dob", "db"),
    ("city", "ct"),
    ("state", "st"),
    ("zip", "zp"),
    ("postal_code", "zp"),
    ("postalcode", "zp"),
    ("zipcode", "zp"),
    ("user_id", "external_id"),
    ("userid", "external_id"),
    ("advertising_id", "hashed_maids"),
    ("advertisingid", "hashed_maids"),
    ("maid", "hashed_maids"),
    ("ip", "client_ip_address"),
    ("client_ip", "client_ip_address"),
    ("ip_address", "client_ip_address"),
    ("user_agent", "client_user_agent"),
    ("useragent", "client_user_agent"),
    ("ua", "client_user_agent"),
    ("epik", "click_id"),
];

/// The identity field an alias means (`email` → `em`), ignoring case.
pub fn user_data_alias(name: &str) -> Option<&'static str> {
    let folded = name.to_ascii_lowercase();
    USER_DATA_ALIASES
        .iter()
        .find(|(alias, _)| *alias == folded)
        .map(|(_, field)| *field)
}

/// The sections a table may contain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SectionKind {
    Events,
    Page,
    Properties,
    Products,
    UserData,
}

/// Named sections (`events { … }`), by keyword. The products section is written
/// `<array property> => line_items { … }` and has no keyword.
pub const NAMED_SECTIONS: &[(&str, SectionKind)] = &[
    ("events", SectionKind::Events),
    ("page", SectionKind::Page),
    ("properties", SectionKind::Properties),
    ("user_data", SectionKind::UserData),
];

impl SectionKind {
    /// How the section is written, for messages.
    pub fn display(self) -> &'static str {
        match self {
            SectionKind::Events => "events",
            SectionKind::Page => "page",
            SectionKind::Properties => "properties",
            SectionKind::Products => "products => line_items",
            SectionKind::UserData => "user_data",
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

    /// Where a documented field of this scope reaches the Conversions API, if it does.
    pub fn conversions_field(self, key: &str) -> Option<&'static str> {
        let table = match self {
            FieldScope::EventData => EVENT_DATA_CONVERSIONS,
            FieldScope::LineItem => LINE_ITEM_CONVERSIONS,
        };
        table
            .iter()
            .find(|(field, _)| *field == key)
            .map(|(_, api)| *api)
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
