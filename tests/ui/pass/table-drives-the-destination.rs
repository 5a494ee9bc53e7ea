//! A user's table is a type the rest of the product takes: the whole destination runs on it,
//! and code generic over `Mapping` takes it as it takes Segment's table.

#![deny(warnings, missing_docs)]

//! A crate with its own table.

use pinterest_mapping::{Destination, Mapping, Message, PintrkCall, Settings};

pinterest_mapping::pinterest_mapping! {
    /// Our shop.
    pub mod shop {
        events { "Basket Checked Out" => Checkout, "Item Added" => AddToCart }
        page { _ => PageVisit }
        properties { "total" => value, "basket" => order_id, "voucher" => "voucher" }
        items => line_items { "sku" => product_id, "colour" => "colour" }
    }
}

/// The calls of one message, as JSON, for any table.
fn calls<M: Mapping>(destination: &Destination<M>, text: &str) -> Vec<String> {
    let message = Message::parse(text).unwrap();
    destination.map(&message).iter().map(PintrkCall::to_json).collect()
}

fn main() {
    let settings = Settings::from_json(
        r#"{"tid":"t","pinterestEventMapping":{"item added":"Lead"},"pinterestCustomProperties":["plan"],"mapMessageIdToEventId":true}"#,
    )
    .unwrap();
    let shop = Destination::with_table(shop::Table, settings.clone());
    let segment = Destination::new(settings);
    assert_eq!(shop.table().clone(), shop::Table);
    assert_eq!(shop::Table::NAME, "shop");

    let checkout = r#"{"type":"track","event":"basket_checked_out","messageId":"m-1","properties":{"Total":30,"basket":"b-1","voucher":"V","plan":"pro","items":[{"sku":"s-1","colour":"red"},{}]}}"#;
    assert_eq!(
        calls(&shop, checkout),
        [r#"["track","Checkout",{"value":30,"order_id":"b-1","voucher":"V","event_id":"m-1","line_items":[{"product_id":"s-1","colour":"red"}],"plan":"pro"}]"#]
    );
    // Segment's table does not know the event, and reads other properties.
    assert_eq!(
        calls(&segment, checkout),
        [r#"["track","basket_checked_out",{"event_id":"m-1","plan":"pro"}]"#]
    );
    // The settings' event mapping comes before the table.
    assert_eq!(
        calls(&shop, r#"{"type":"track","event":"Item Added","properties":{}}"#),
        [r#"["track","Lead",{}]"#]
    );
    // The table's page rule; identify as for every table.
    assert_eq!(
        calls(&shop, r#"{"type":"page","category":"Shoes","name":"Home"}"#),
        [r#"["track","PageVisit",{"name":"Home","category":"Shoes"}]"#]
    );
    assert_eq!(
        calls(&shop, r#"{"type":"identify","userId":"jane@example.com"}"#),
        [r#"["set",{"np":"segment","em":"jane@example.com"}]"#]
    );
}
