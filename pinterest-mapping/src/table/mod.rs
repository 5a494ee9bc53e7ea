//! The table runtime: what a `pinterest_mapping!` table is to the rest of the product (a type
//! implementing [`Mapping`]), the Pinterest vocabulary its rows bind to, and the matching rules
//! its generated code calls.

mod event;
pub(crate) mod keys;
mod spec_table;
mod user_data;

use std::fmt;

use serde::Serialize;

pub use event::PinterestEvent;
pub use spec_table::spec;
pub use user_data::{UserDataField, UserDataSource};

use crate::json::{Json, JsonValue};

/// A mapping table: what the outputs need from one. `pinterest_mapping!` implements it on the
/// `Table` type of the module it generates, so that any table drives the whole destination
/// ([`Destination::with_table`](crate::Destination::with_table)) and its own front ends
/// (`pinterest_map::main` for a command-line tool, `pinterest_kafka::main` for a stream
/// worker).
///
/// Each method is the module's function of the same name; see the module for its rows.
///
/// ```
/// use pinterest_mapping::{Json, Mapping, PinterestEvent, spec};
///
/// pinterest_mapping::pinterest_mapping! {
///     mod shop {
///         events { "Basket Checked Out" => Checkout }
///         properties { "total" => value }
///     }
/// }
///
/// /// Any table: the event a name gets, falling back to a partner-defined event.
/// fn pinterest_event<M: Mapping>(table: &M, name: &str) -> String {
///     table.event(name).map_or_else(|| name.to_owned(), |event| event.to_string())
/// }
///
/// assert_eq!(pinterest_event(&shop::Table, "basket_checked_out"), "Checkout");
/// assert_eq!(pinterest_event(&spec::Table, "basket_checked_out"), "basket_checked_out");
/// assert_eq!(shop::Table::NAME, "shop");
///
/// let properties = Json::parse(r#"{"total": 30, "value": 5}"#)?;
/// assert_eq!(serde_json::to_string(&shop::Table.event_data(properties))?, r#"{"value":30}"#);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait Mapping: Clone + fmt::Debug + Send + Sync + 'static {
    /// The table's name: the name of its module.
    const NAME: &'static str;

    /// The table's event data, holding values of type `V`: its module's `EventData<V>`,
    /// which serializes to the event data the Pinterest Tag receives.
    type EventData<V: Copy + Serialize>: EventFields<V> + Serialize;

    /// The Pinterest event the table binds to a Segment event name, if any: Segment's alias
    /// rule, the first matching row winning.
    fn event(&self, name: &str) -> Option<PinterestEvent<'static>>;

    /// The Pinterest event of a `page` call, given the call's top-level `category`.
    fn page_event<'a, V: JsonValue<'a>>(
        &self,
        category: Option<V>,
    ) -> Option<PinterestEvent<'static>>;

    /// Segment `properties` converted to the table's event data, in one pass over them.
    fn event_data<'a, V: JsonValue<'a>>(&self, properties: V) -> Self::EventData<V>;

    /// Where the Conversions API's identity fields come from in a message, in priority order:
    /// the table's `user_data` rows, or, for a table without that section, Segment's standard
    /// sources (the [`spec`] table's).
    fn user_data(&self) -> &'static [UserDataSource] {
        spec::USER_DATA
    }
}

/// A page call's `category`, as a table's generated `page_event` takes it: an `Option<Json>`
/// (`None` when there is none, or what [`Page::category`](crate::Page::category) gives), a
/// [`Json`], or a `&serde_json::Value` (`Null` when there is none). The page rule asks only
/// whether it is truthy, as JavaScript counts it.
///
/// ```
/// use pinterest_mapping::{Json, PinterestEvent, spec};
///
/// assert_eq!(spec::page_event(None), Some(PinterestEvent::PageVisit));
/// assert_eq!(spec::page_event(Json::parse(r#""Shoes""#)?), Some(PinterestEvent::ViewCategory));
/// let page: serde_json::Value = serde_json::from_str(r#"{"category": ""}"#)?;
/// assert_eq!(spec::page_event(&page["category"]), Some(PinterestEvent::PageVisit));
/// assert_eq!(spec::page_event(&page["missing"]), Some(PinterestEvent::PageVisit));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait PageCategory {
    /// Whether the category is present and truthy.
    fn is_truthy(&self) -> bool;
}

impl PageCategory for Option<Json<'_>> {
    fn is_truthy(&self) -> bool {
        self.is_some_and(JsonValue::is_truthy)
    }
}

impl PageCategory for Json<'_> {
    fn is_truthy(&self) -> bool {
        JsonValue::is_truthy(*self)
    }
}

impl PageCategory for &serde_json::Value {
    fn is_truthy(&self) -> bool {
        JsonValue::is_truthy(*self)
    }
}

/// What an output reads from a table's event data: the fields it holds, and its line items.
/// Implemented by every generated `EventData<V>`.
///
/// ```
/// use pinterest_mapping::{DataField, EventFields, Json, LineItemField, spec};
///
/// let properties = Json::parse(r#"{"query": "shoes", "coupon": "MAY", "products": [{"sku": "s-1"}, {}]}"#)?;
/// let data = spec::event_data(properties);
/// let fields: Vec<(DataField, &str)> = data.fields().map(|(field, value)| (field, value.text())).collect();
/// assert_eq!(fields, [(DataField::SearchQuery, r#""shoes""#), (DataField::Custom("coupon"), r#""MAY""#)]);
///
/// let items: Vec<Option<Vec<(LineItemField, &str)>>> = EventFields::line_items(&data)
///     .map(|item| item.map(|fields| fields.map(|(field, value)| (field, value.text())).collect()))
///     .collect();
/// assert_eq!(items, [Some(vec![(LineItemField::ProductId, r#""s-1""#)])]);
/// # Ok::<(), pinterest_mapping::SyntaxError>(())
/// ```
pub trait EventFields<V: Copy> {
    /// The fields present, other than `line_items`, in the table's order.
    fn fields(&self) -> impl Iterator<Item = (DataField, V)>;

    /// The line items in order: each one's fields present, or `None` for a product that filled
    /// none of them (sent as `null`).
    fn line_items(&self) -> impl Iterator<Item = Option<impl Iterator<Item = (LineItemField, V)>>>;
}

/// Defines a vocabulary enum from the rows of `pinterest_mapping_vocabulary`: the documented names (each
/// with the field it becomes in the Conversions API, if any), and `Custom` for any other key.
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $name:ident { $($(#[$doc:meta])* $variant:ident => $key:literal $(as $api:literal)?,)* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$doc])* $variant,)*
            /// A custom key, sent verbatim.
            Custom(&'static str),
        }

        impl $name {
            /// The documented fields, in Pinterest's documentation order.
            pub const DOCUMENTED: &'static [$name] = &[$($name::$variant),*];

            /// The key exactly as Pinterest receives it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $key,)*
                    $name::Custom(key) => key,
                }
            }

            /// Whether this is a documented field rather than a custom key.
            pub fn is_documented(self) -> bool {
                !matches!(self, $name::Custom(_))
            }

            /// The documented field with this key, if it is one.
            pub fn documented(key: &str) -> Option<$name> {
                match key {
                    $($key => Some($name::$variant),)*
                    _ => None,
                }
            }

            /// The field this one becomes in the Conversions API's `custom_data`, if the API
            /// has a place for it; `None` for fields that reach the Tag only, custom keys
            /// among them.
            pub fn conversions_field(self) -> Option<&'static str> {
                match self {
                    $($($name::$variant => Some($api),)?)*
                    _ => None,
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pinterest_mapping_vocabulary::with_event_data_fields!(vocabulary {
    /// A key of Pinterest event data that a table's `properties` section fills: a documented
    /// field, or a custom key.
    ///
    /// ```
    /// use pinterest_mapping::DataField;
    ///
    /// assert_eq!(DataField::SearchQuery.as_str(), "search_query");
    /// assert!(!DataField::Custom("coupon").is_documented());
    /// ```
    DataField
});

pinterest_mapping_vocabulary::with_line_item_fields!(vocabulary {
    /// A key of a Pinterest line item that a table's products section fills: a documented
    /// field, or a custom key.
    ///
    /// ```
    /// use pinterest_mapping::LineItemField;
    ///
    /// assert_eq!(LineItemField::ProductPrice.as_str(), "product_price");
    /// assert_eq!(LineItemField::DOCUMENTED.len(), 8);
    /// ```
    LineItemField
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;

    crate::pinterest_mapping! {
        /// Every documented field, in documentation order, and one custom key of each kind.
        mod everything {
            properties {
                "a" => value, "b" => order_quantity, "c" => currency, "d" => order_id,
                "e" => promo_code, "f" => property, "g" => search_query, "h" => video_title,
                "i" => lead_type, "j" => page_name, "k" => event_id, "l" => "extra",
            }
            products => line_items {
                "a" => product_name, "b" => product_id, "c" => product_category,
                "d" => product_variant, "e" => product_variant_id, "f" => product_price,
                "g" => product_quantity, "h" => product_brand, "i" => "colour",
            }
        }
    }

    /// The macro's vocabulary (in `pinterest_mapping_codegen`) and this one agree, name for name.
    #[test]
    fn the_vocabularies_agree_with_the_macros() {
        let properties = Json::parse(
            r#"{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1,"j":1,"k":1,"l":1,
                "products":[{"a":1,"b":1,"c":1,"d":1,"e":1,"f":1,"g":1,"h":1,"i":1}]}"#,
        )
        .unwrap();
        let data = everything::Table.event_data(properties);
        let fields: Vec<DataField> = data.fields().map(|(field, _)| field).collect();
        let mut expected = DataField::DOCUMENTED.to_vec();
        expected.push(DataField::Custom("extra"));
        assert_eq!(fields, expected);
        let items: Vec<Vec<LineItemField>> = EventFields::line_items(&data)
            .map(|item| item.unwrap().map(|(field, _)| field).collect())
            .collect();
        let mut expected = LineItemField::DOCUMENTED.to_vec();
        expected.push(LineItemField::Custom("colour"));
        assert_eq!(items, [expected]);
        for field in DataField::DOCUMENTED {
            assert_eq!(field.to_string(), field.as_str());
            assert!(field.is_documented());
            assert_eq!(DataField::documented(field.as_str()), Some(*field));
        }
        for field in LineItemField::DOCUMENTED {
            assert_eq!(LineItemField::documented(field.as_str()), Some(*field));
        }
        assert_eq!(DataField::documented("coupon"), None);
    }
}
