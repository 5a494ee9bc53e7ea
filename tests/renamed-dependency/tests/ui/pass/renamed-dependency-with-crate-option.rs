//! A table in a crate that calls `pinterest-mapping` `pins`: the `crate` option names it, and the
//! whole destination runs on the table.

#![deny(warnings)]

pins::pinterest_mapping! {
    #[mapping(crate = pins)]
    mod shop {
        events { "Basket Checked Out" => Checkout }
        properties { "total" => value }
    }
}

fn main() {
    let destination = pins::Destination::with_table(shop::Table, pins::Settings::example());
    let message = pins::Message::parse(r#"{"type":"track","event":"Basket Checked Out","properties":{"total":5}}"#).unwrap();
    assert_eq!(
        destination.map(&message).map(|call| call.to_js()).as_deref(),
        Some(r#"pintrk("track", "Checkout", {"value":5});"#)
    );
}
