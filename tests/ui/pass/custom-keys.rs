//! String-literal targets are custom keys: sent verbatim, with a Rust field name derived from
//! the key.

#![deny(warnings)]

use pinterest_mapping::Json;

pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "coupon"     => "coupon",
            "promo"      => "Promo Code",
            "plan"       => "plan-type",
            "plan_kind"  => "plan_type",
            "type"       => "type",
            "2fa"        => "2fa",
            "eid"        => event_id,
        }
        "items" => line_items {
            "title" => product_name,
            "color" => "color",
        }
    }
}

fn main() {
    let properties = Json::parse(
        r#"{"coupon":"MAY","promo":"P","plan":"pro","planKind":"kind","type":"t","2FA":true,"eid":"e-1",
            "items":[{"title":"Lego","color":"red"}]}"#,
    )
    .unwrap();
    let data = table::event_data(properties);
    // Field names for the keys.
    assert!(data.coupon.is_some());
    assert!(data.promo_code.is_some());
    assert!(data.plan_type.is_some());
    assert!(data.plan_type_2.is_some());
    assert!(data.type_.is_some());
    assert!(data.key_2fa.is_some());
    assert!(data.event_id.is_some());
    assert_eq!(data.line_items[0].as_ref().and_then(|item| item.color).and_then(Json::to_str).as_deref(), Some("red"));
    // A products section without rows reads nothing.
    let products = Json::parse(r#"{"products":[{"name":"x"}]}"#).unwrap();
    assert_eq!(serde_json::to_string(&empty_products::event_data(products)).unwrap(), r#"{"line_items":[]}"#.replace(r#""line_items":[]"#, ""));
    // The keys themselves, verbatim.
    assert_eq!(
        serde_json::to_string(&data).unwrap(),
        r#"{"coupon":"MAY","Promo Code":"P","plan-type":"pro","plan_type":"kind","type":"t","2fa":true,"event_id":"e-1","line_items":[{"product_name":"Lego","color":"red"}]}"#
    );
}

pinterest_mapping::pinterest_mapping! {
    /// A products section without rows still compiles cleanly.
    mod empty_products {
        events { "Order Completed" => Checkout }
        products => line_items {}
    }
}