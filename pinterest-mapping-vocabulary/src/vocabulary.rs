//! The closed vocabularies, each written once as a `macro_rules!` table that calls back a
//! macro of the caller with the rows (`$(#[doc])* Variant => "name" ...,`), so that each crate
//! builds what it needs from the same rows. The constants below are built that way.

/// Calls `$callback! { $($prefix)* { rows } }` with the Pinterest Tag's standard event codes,
/// in the order Pinterest documents them: `Variant => "Code" as "api_name",`.
#[macro_export]
macro_rules! with_events {
    ($callback:ident { $($prefix:tt)* }) => {
        $callback! { $($prefix)* {
            /// `Checkout`: a completed purchase.
            Checkout => "Checkout" as "checkout",
            /// `AddToCart`.
            AddToCart => "AddToCart" as "add_to_cart",
            /// `PageVisit`: a page view.
            PageVisit => "PageVisit" as "page_visit",
            /// `Signup`.
            Signup => "Signup" as "signup",
            /// `WatchVideo`.
            WatchVideo => "WatchVideo" as "watch_video",
            /// `Lead`.
            Lead => "Lead" as "lead",
            /// `Search`.
            Search => "Search" as "search",
            /// `ViewCategory`: a category page view.
            ViewCategory => "ViewCategory" as "view_category",
            /// `Custom`.
            Custom => "Custom" as "custom",
        } }
    };
}

/// Calls `$callback! { $($prefix)* { rows } }` with the documented Pinterest event-data fields
/// that a `properties` row may target, in Pinterest's documentation order: `Variant =>
/// "field"`, followed by `as "custom_data_field"` where the field reaches the Conversions API
/// (the others reach the Tag only: the API's strict schema has no place for them).
/// `line_items` is documented too, but only the products section fills it.
#[macro_export]
macro_rules! with_event_data_fields {
    ($callback:ident { $($prefix:tt)* }) => {
        $callback! { $($prefix)* {
            /// `value`: the total value of the event.
            Value => "value" as "value",
            /// `order_quantity`: the number of items.
            OrderQuantity => "order_quantity" as "num_items",
            /// `currency`: ISO 4217 code.
            Currency => "currency" as "currency",
            /// `order_id`.
            OrderId => "order_id" as "order_id",
            /// `promo_code`.
            PromoCode => "promo_code",
            /// `property`.
            Property => "property",
            /// `search_query`.
            SearchQuery => "search_query" as "search_string",
            /// `video_title`.
            VideoTitle => "video_title",
            /// `lead_type`.
            LeadType => "lead_type",
            /// `page_name`.
            PageName => "page_name",
            /// `event_id`: the key Pinterest deduplicates events by.
            EventId => "event_id",
        } }
    };
}

/// Calls `$callback! { $($prefix)* { rows } }` with the documented Pinterest line-item fields
/// that a products row may target: `Variant => "field"`, followed by `as "contents_field"`
/// where the field reaches the Conversions API's `custom_data.contents[]`.
#[macro_export]
macro_rules! with_line_item_fields {
    ($callback:ident { $($prefix:tt)* }) => {
        $callback! { $($prefix)* {
            /// `product_name`.
            ProductName => "product_name" as "item_name",
            /// `product_id`.
            ProductId => "product_id" as "id",
            /// `product_category`.
            ProductCategory => "product_category" as "item_category",
            /// `product_variant`.
            ProductVariant => "product_variant",
            /// `product_variant_id`.
            ProductVariantId => "product_variant_id",
            /// `product_price`.
            ProductPrice => "product_price" as "item_price",
            /// `product_quantity`.
            ProductQuantity => "product_quantity" as "quantity",
            /// `product_brand`.
            ProductBrand => "product_brand" as "item_brand",
        } }
    };
}

/// Calls `$callback! { $($prefix)* { rows } }` with the Conversions API's identity fields
/// (`user_data`), which a `user_data` row may target, in the order the API documents them:
/// `Variant => "field" hashed` for the fields sent as SHA-256 digests, `Variant => "field"
/// plain` for those sent as they are.
#[macro_export]
macro_rules! with_user_data_fields {
    ($callback:ident { $($prefix:tt)* }) => {
        $callback! { $($prefix)* {
            /// `em`: email addresses, hashed.
            Em => "em" hashed,
            /// `ph`: phone numbers, hashed.
            Ph => "ph" hashed,
            /// `fn`: first names, hashed.
            Fn => "fn" hashed,
            /// `ln`: last names, hashed.
            Ln => "ln" hashed,
            /// `ge`: genders (`f`, `m`, `n`), hashed.
            Ge => "ge" hashed,
            /// `db`: dates of birth (`YYYYMMDD`), hashed.
            Db => "db" hashed,
            /// `ct`: cities, hashed.
            Ct => "ct" hashed,
            /// `st`: states, hashed.
            St => "st" hashed,
            /// `zp`: postal codes, hashed.
            Zp => "zp" hashed,
            /// `country`: country codes, hashed.
            Country => "country" hashed,
            /// `external_id`: the advertiser's user ids, hashed.
            ExternalId => "external_id" hashed,
            /// `hashed_maids`: mobile advertising ids, hashed.
            HashedMaids => "hashed_maids" hashed,
            /// `client_ip_address`: the user's IP address, sent as it is.
            ClientIpAddress => "client_ip_address" plain,
            /// `client_user_agent`: the browser's user agent, sent as it is.
            ClientUserAgent => "client_user_agent" plain,
            /// `click_id`: Pinterest's click id (the `_epik` cookie or `epik` parameter), sent
            /// as it is.
            ClickId => "click_id" plain,
        } }
    };
}

/// Builds the constants of event codes from [`with_events!`].
macro_rules! event_constants {
    ({ $($(#[$doc:meta])* $variant:ident => $code:literal as $api:literal,)* }) => {
        /// Pinterest Tag standard event codes, in the order Pinterest documents them.
        pub const EVENT_CODES: &[&str] = &[$($code),*];

        /// Each standard event code's name in the Conversions API (`event_name`).
        pub const EVENT_API_NAMES: &[(&str, &str)] = &[$(($code, $api)),*];
    };
}
with_events!(event_constants {});

/// Builds the constants of one kind of documented field.
macro_rules! field_constants {
    (
        $(#[$names_doc:meta])* $names:ident,
        $(#[$conversions_doc:meta])* $conversions:ident
        { $($(#[$doc:meta])* $variant:ident => $key:literal $(as $api:literal)?,)* }
    ) => {
        $(#[$names_doc])*
        pub const $names: &[&str] = &[$($key),*];

        $(#[$conversions_doc])*
        pub const $conversions: &[(&str, &str)] = &[$($(($key, $api),)?)*];
    };
}
with_event_data_fields!(field_constants {
    /// Documented Pinterest event-data fields that a `properties` row may target.
    EVENT_DATA_FIELDS,
    /// Where each documented event-data field reaches the Conversions API, as a `custom_data`
    /// field; fields not listed reach the Tag only.
    EVENT_DATA_CONVERSIONS
});
with_line_item_fields!(field_constants {
    /// Documented Pinterest line-item fields that a products row may target.
    LINE_ITEM_FIELDS,
    /// Where each documented line-item field reaches the Conversions API, as a field of
    /// `custom_data.contents[]`; fields not listed reach the Tag only.
    LINE_ITEM_CONVERSIONS
});

/// Builds the constants of identity fields from [`with_user_data_fields!`].
macro_rules! user_data_constants {
    ({ $($(#[$doc:meta])* $variant:ident => $field:literal $kind:ident,)* }) => {
        /// The Conversions API's identity fields (`user_data`), which a `user_data` row may
        /// target.
        pub const USER_DATA_FIELDS: &[&str] = &[$($field),*];
    };
}
with_user_data_fields!(user_data_constants {});

/// The event-data field holding the line items.
pub const LINE_ITEMS: &str = "line_items";

/// The Conversions API name of a standard event code.
#[must_use]
pub fn event_api_name(code: &str) -> Option<&'static str> {
    EVENT_API_NAMES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, api)| *api)
}

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
#[must_use]
pub fn user_data_alias(name: &str) -> Option<&'static str> {
    let folded = name.to_ascii_lowercase();
    USER_DATA_ALIASES
        .iter()
        .find(|(alias, _)| *alias == folded)
        .map(|(_, field)| *field)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_constants_hold_every_row_in_order() {
        assert_eq!(EVENT_CODES.len(), 9);
        assert_eq!(EVENT_CODES[0], "Checkout");
        assert_eq!(event_api_name("AddToCart"), Some("add_to_cart"));
        assert_eq!(EVENT_DATA_FIELDS.len(), 11);
        assert_eq!(EVENT_DATA_CONVERSIONS[1], ("order_quantity", "num_items"));
        assert_eq!(LINE_ITEM_FIELDS.len(), 8);
        assert_eq!(LINE_ITEM_CONVERSIONS.len(), 6);
        assert_eq!(USER_DATA_FIELDS.len(), 15);
        for (_, field) in USER_DATA_ALIASES {
            assert!(USER_DATA_FIELDS.contains(field), "{field}");
        }
        assert_eq!(user_data_alias("Email"), Some("em"));
    }
}
