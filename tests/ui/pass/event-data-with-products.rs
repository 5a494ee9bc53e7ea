//! The generated conversion of the spec table: loose keys with the first key winning,
//! truthiness, the products array or the top-level fallback, and row precedence.

#![deny(warnings)]

use pinterest_mapping::{spec, Json};

fn convert(properties: &str) -> String {
    let properties = Json::parse(properties).unwrap();
    serde_json::to_string(&spec::event_data(properties)).unwrap()
}

fn main() {
    let cases = [
        // Products array, `sku` winning over `product_id`, unknown keys ignored.
        (
            r#"{"order_id":"o-1","total":27.5,"value":30,"coupon":"hasbros","currency":"USD",
               "products":[{"product_id":"p1","sku":"S1","name":"Monopoly","price":19,"quantity":1,"url":"x"},
                           {"product_id":"p2","name":"Uno","price":3,"quantity":2,"brand":"Mattel","variant":"red","category":"Games"}]}"#,
            r#"{"order_id":"o-1","coupon":"hasbros","value":30,"currency":"USD","line_items":[{"product_name":"Monopoly","product_id":"S1","product_price":19,"product_quantity":1},{"product_name":"Uno","product_id":"p2","product_category":"Games","product_variant":"red","product_price":3,"product_quantity":2,"product_brand":"Mattel"}]}"#,
        ),
        // A falsy `sku` does not override `product_id`.
        (r#"{"products":[{"product_id":"p1","sku":""}]}"#, r#"{"line_items":[{"product_id":"p1"}]}"#),
        // No array: product fields from the top level, by the loose rule.
        (
            r#"{"Product-ID":"p1","SKU":"G-32","Name":"Soap","price":18.99,"quantity":1,"currency":"USD"}"#,
            r#"{"currency":"USD","line_items":[{"product_name":"Soap","product_id":"G-32","product_price":18.99,"product_quantity":1}]}"#,
        ),
        // `products` that is not an array also falls back to the top level.
        (r#"{"products":{"name":"x"},"name":"top"}"#, r#"{"line_items":[{"product_name":"top"}]}"#),
        // With an array, top-level product fields are ignored.
        (r#"{"price":100,"name":"top","products":[{"name":"inner","price":1}]}"#, r#"{"line_items":[{"product_name":"inner","product_price":1}]}"#),
        // Empty array: no line items, and no fallback.
        (r#"{"products":[],"name":"top","order_id":"o-3"}"#, r#"{"order_id":"o-3"}"#),
        // Products without bound fields leave holes, except at the end.
        (
            r#"{"products":[{"url":"x"},null,"p",{"product_id":"p2","quantity":3},{"position":1}]}"#,
            r#"{"line_items":[null,null,null,{"product_id":"p2","product_quantity":3}]}"#,
        ),
        (r#"{"products":[{"url":"x"}]}"#, r#"{}"#),
        // Product keys are exact: `name` followed by a NUL is not `name`.
        (r#"{"products":[{"name\u0000":"x","price":1}]}"#, r#"{"line_items":[{"product_price":1}]}"#),
        // Product keys are exact: `Price` is not `price`; a repeated key keeps its last value.
        (r#"{"products":[{"Price":1,"price":2,"price":3}]}"#, r#"{"line_items":[{"product_price":3}]}"#),
        // Falsy values are dropped; [] and {} and negative numbers are kept.
        (
            r#"{"value":0,"currency":"","coupon":false,"order_id":null,"query":[]}"#,
            r#"{"search_query":[]}"#,
        ),
        (r#"{"value":-1,"query":{}}"#, r#"{"search_query":{},"value":-1}"#),
        // The first matching key wins, even when its value is falsy.
        (r#"{"orderId":null,"order_id":"o-2"}"#, r#"{}"#),
        (r#"{"OrderID":"o-1","order_id":"o-2"}"#, r#"{"order_id":"o-1"}"#),
        // A repeated key is one key: its last value counts.
        (r#"{"value":5,"currency":"USD","value":0}"#, r#"{"currency":"USD"}"#),
        (r#"{"value":0,"value":7}"#, r#"{"value":7}"#),
        // No coercion: numeric strings stay strings, objects stay objects.
        (r#"{"value":"30","query":{"text":"shoes"}}"#, r#"{"search_query":{"text":"shoes"},"value":"30"}"#),
        // Not an object: empty event data.
        (r#""properties""#, r#"{}"#),
        (r#"[{"value":1}]"#, r#"{}"#),
        (r#"{}"#, r#"{}"#),
    ];
    for (properties, expected) in cases {
        assert_eq!(convert(properties), expected, "properties: {properties}");
    }

    // The typed API: fields borrow the input values.
    let properties = Json::parse(r#"{"query":"blue hotpants"}"#).unwrap();
    let data = spec::event_data(properties);
    assert_eq!(data.search_query.and_then(Json::to_str).as_deref(), Some("blue hotpants"));
    assert!(data.line_items.is_empty());
    assert_eq!(data, spec::EventData { search_query: data.search_query, ..Default::default() });
}
