//! The closed vocabularies of the table: Pinterest's event codes and documented fields and the
//! Conversions API identity fields (from `pinterest_mapping_vocabulary`, where the runtime's enums are
//! built from the same rows), and the grammar's own: the section names and the page arms.
//! Parsing, checking, suggestions and code generation all read these lists.

pub use pinterest_mapping_vocabulary::vocabulary::{
    EVENT_CODES, EVENT_DATA_CONVERSIONS, EVENT_DATA_FIELDS, LINE_ITEM_CONVERSIONS,
    LINE_ITEM_FIELDS, LINE_ITEMS, USER_DATA_FIELDS, event_api_name, user_data_alias,
};

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
    joined(&quoted)
}

/// Joins items for a message: `a, b and c`.
pub fn joined(items: &[String]) -> String {
    match items.split_last() {
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
