//! Declares a mapping table for a subscription business and runs Segment messages through the
//! whole destination with it, printing the `pintrk` statement each one produces (script-safe,
//! ready for a `<script>` element).
//!
//! Run with `cargo run --example custom_table`.

use pinterest_mapping::{Destination, Message, Settings};

pinterest_mapping::pinterest_mapping! {
    /// How our subscription funnel reaches the Pinterest Tag.
    pub mod funnel {
        events {
            "Trial Started"      => Signup,
            "Demo Requested"     => Lead,
            "Plan Purchased"     => Checkout,
            "Pricing Viewed"     => "PricingViewed",
        }
        page {
            category => ViewCategory,
            _        => PageVisit,
        }
        properties {
            "plan_price"   => value,
            "currency"     => currency,
            "invoice_id"   => order_id,
            "seats"        => order_quantity,
            "lead_source"  => lead_type,
            "plan_tier"    => "plan_tier",
        }
        "plans" => line_items {
            "plan_id" => product_id,
            "name"    => product_name,
            "price"   => product_price,
        }
    }
}

const SETTINGS: &str = r#"{
    "tid": "2620795819800",
    "pinterestEventMapping": {"Webinar Attended": "Custom"},
    "pinterestCustomProperties": ["utm.campaign"],
    "mapMessageIdToEventId": true
}"#;

const MESSAGES: &[&str] = &[
    r#"{"type":"track","event":"Plan Purchased","messageId":"m-1","properties":{"planPrice":49,"currency":"EUR",
        "invoice_id":"inv-7","seats":3,"plan_tier":"team","utm":{"campaign":"spring"},
        "plans":[{"plan_id":"team-monthly","name":"Team </script>","price":49}]}}"#,
    r#"{"type":"track","event":"demo_requested","messageId":"m-2","properties":{"lead_source":"webinar","plan_price":0}}"#,
    r#"{"type":"track","event":"Webinar Attended","messageId":"m-3","properties":{}}"#,
    r#"{"type":"track","event":"Newsletter Opened","properties":{"issue":42}}"#,
    r#"{"type":"page","name":"Pricing","category":"Plans","messageId":"m-4"}"#,
    r#"{"type":"identify","userId":"u-1","traits":{"email":"jane@example.com"}}"#,
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let destination = Destination::with_table(funnel::Table, Settings::from_json(SETTINGS)?);
    for call in destination.initialize(None) {
        println!("{}", call.to_js());
    }
    for text in MESSAGES {
        let message = Message::parse(text)?;
        if let Some(call) = destination.map(&message) {
            println!("{}", call.to_js());
        }
    }
    Ok(())
}
