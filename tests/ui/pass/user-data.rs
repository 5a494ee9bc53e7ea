//! A table's `user_data` section: its rows, in order, as the table's identity sources, and the
//! Conversions API events they make; a table without the section takes Segment's.

#![deny(warnings, missing_docs)]

//! A crate with two tables.

use std::time::{Duration, UNIX_EPOCH};

use pinterest_mapping::capi::Conversion;
use pinterest_mapping::{Destination, Mapping, Settings, UserDataField, UserDataSource, spec};

pinterest_mapping::pinterest_mapping! {
    /// A members' club: its own places for a member's identity.
    pub mod club {
        events { "Membership Renewed" => Checkout }
        properties { "fee" => value }
        user_data {
            "context.traits.member.email" => em,
            "properties.member_id"        => external_id,
            "context.page.search?ref"     => click_id,
            "context.ip"                  => client_ip_address,
            "context.userAgent"           => client_user_agent,
        }
    }
}

pinterest_mapping::pinterest_mapping! {
    /// A shop with no `user_data` section.
    pub mod shop {
        events { "Basket Checked Out" => Checkout }
    }
}

/// The JSON of a message's event, or why there is none.
fn event<M: Mapping>(table: M, text: &str) -> String {
    let destination = Destination::with_table(table, Settings::default());
    let now = UNIX_EPOCH + Duration::from_secs(1_795_867_500);
    let mut converted = String::new();
    let message = destination.prepare(text, &mut converted).unwrap();
    match destination.conversion(&message, now) {
        Conversion::Event { event, .. } => serde_json::to_string(&event.user_data).unwrap(),
        other => format!("{other:?}"),
    }
}

fn main() {
    assert_eq!(club::USER_DATA.len(), 5);
    assert_eq!(
        club::Table.user_data()[2],
        UserDataSource {
            path: "context.page.search",
            parameter: Some("ref"),
            field: UserDataField::ClickId,
        }
    );
    assert_eq!(club::Table.user_data()[2].to_string(), "context.page.search?ref");
    assert_eq!(shop::Table.user_data(), spec::Table.user_data());

    let message = r#"{"type":"track","event":"Membership Renewed","messageId":"m-1","timestamp":"2026-11-28T12:00:00Z",
        "context":{"traits":{"email":"ignored@example.com","member":{"email":"M@Example.com"}},"page":{"search":"?ref=r-1"}},
        "properties":{"fee":"30","member_id":"M-7"}}"#;
    assert_eq!(
        event(club::Table, message),
        r#"{"em":["489ec7a35b318147cd982780ac5becd78231c86333c7bffc3e54443547af79de"],"external_id":["df204c79d26db47cc102b1e44453fc6ebddbdfe3aec2205e2ca5dd6d5b559856"],"click_id":"r-1"}"#
    );
    // Segment's sources: the member's email is not one of them.
    let shop_message = message.replace("Membership Renewed", "Basket Checked Out");
    assert_eq!(
        event(shop::Table, &shop_message),
        r#"{"em":["c36c03f0b0fcab561def543c4bcb18922d62eaf65d261bc1c2fbd83f6808c87d"]}"#
    );
}
