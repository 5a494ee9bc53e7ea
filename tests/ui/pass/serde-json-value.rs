//! Tables take `&serde_json::Value` as they take `Json` text: no newtype needed.

#![deny(warnings)]

use pinterest_mapping::{spec, Json, PinterestEvent};

fn main() {
    let text = r#"{"query":"shoes","orderId":"o-1","value":0,"products":[{"sku":"s-1","price":5},{"x":1}]}"#;
    let value: serde_json::Value = serde_json::from_str(text).unwrap();
    let from_value = serde_json::to_string(&spec::event_data(&value)).unwrap();
    let from_text = serde_json::to_string(&spec::event_data(Json::parse(text).unwrap())).unwrap();
    assert_eq!(from_value, r#"{"search_query":"shoes","order_id":"o-1","line_items":[{"product_id":"s-1","product_price":5}]}"#);
    assert_eq!(from_value, from_text);
    assert_eq!(spec::page_event(&value["query"]), Some(PinterestEvent::ViewCategory));
    assert_eq!(spec::page_event(&value["value"]), Some(PinterestEvent::PageVisit));
}
