//! Declares a mapping table for a subscription business and converts Segment `track`
//! messages with it, printing the `pintrk` call each one produces.
//!
//! Run with `cargo run --example custom_table`.

use mapping_core::{Json, PinterestEvent};

mapping_core::pinterest_mapping! {
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

const MESSAGES: &[&str] = &[
    r#"{"type":"track","event":"Plan Purchased","properties":{"planPrice":49,"currency":"EUR",
        "invoice_id":"inv-7","seats":3,"plan_tier":"team",
        "plans":[{"plan_id":"team-monthly","name":"Team","price":49}]}}"#,
    r#"{"type":"track","event":"demo_requested","properties":{"lead_source":"webinar","plan_price":0}}"#,
    r#"{"type":"track","event":"Started Trial","properties":{}}"#,
    r#"{"type":"track","event":"Newsletter Opened","properties":{"issue":42}}"#,
];

fn main() -> Result<(), serde_json::Error> {
    for text in MESSAGES {
        let message = Json::parse(text)?;
        let Some(name) = message.get("event").and_then(Json::as_str) else {
            continue;
        };
        // Unbound events go to Pinterest under their own name, as partner-defined events.
        let event = funnel::event(name).unwrap_or(PinterestEvent::Partner(name.into()));
        let empty = Json::Object(Vec::new());
        let properties = message.get("properties").unwrap_or(&empty);
        let data = funnel::event_data(properties);
        println!(
            "pintrk(\"track\", {}, {});",
            serde_json::to_string(&event)?,
            serde_json::to_string(&data)?
        );
    }
    Ok(())
}
