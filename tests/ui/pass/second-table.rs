//! A user's own table beside the spec table: different bindings, a different products array,
//! restricted visibility, and documentation on every generated item.

#![deny(warnings, missing_docs)]

//! A crate with two tables.

use pinterest_mapping::{spec, Json, PinterestEvent};

mod tables {
    pinterest_mapping::pinterest_mapping! {
        /// Our lead-generation funnel.
        pub(crate) mod funnel {
            events {
                "Lead Generated" => Lead,
                "Trial Started"  => Signup,
                "Order Completed" => Custom,
            }
            properties {
                "lead_kind"   => lead_type,
                "video"       => video_title,
                "total"       => value,
                "revenue"     => value,
                "units"       => order_quantity,
            }
            "cart" => line_items {
                "id"       => product_id,
                "variant"  => product_variant_id,
            }
        }
    }
}

use tables::funnel;

fn main() {
    assert_eq!(funnel::event("lead_generated"), Some(PinterestEvent::Lead));
    assert_eq!(funnel::event("Started Trial"), Some(PinterestEvent::Signup));
    // The same Segment event, bound differently by the two tables.
    assert_eq!(funnel::event("Order Completed"), Some(PinterestEvent::Custom));
    assert_eq!(spec::event("Order Completed"), Some(PinterestEvent::Checkout));
    assert_eq!(funnel::event("Product Added"), None);
    assert_eq!(funnel::page_event(None), None);

    let properties = Json::parse(
        r#"{"lead_kind":"demo","total":20,"revenue":25,"units":2,"query":"q",
            "cart":[{"id":"c1","variant":"v1","product_id":"ignored"}],
            "products":[{"product_id":"p1"}]}"#,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_string(&funnel::event_data(properties)).unwrap(),
        r#"{"lead_type":"demo","value":25,"order_quantity":2,"line_items":[{"product_id":"c1","product_variant_id":"v1"}]}"#
    );
    assert_eq!(
        serde_json::to_string(&spec::event_data(properties)).unwrap(),
        r#"{"search_query":"q","line_items":[{"product_id":"p1"}]}"#
    );
}
