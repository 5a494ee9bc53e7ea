//! Tables declared through a renamed dependency (`pins` is `pinterest-mapping`), one of each shape
//! the grammar allows, compiled under Clippy's `pedantic` and `nursery` groups.

pins::pinterest_mapping! {
    #[mapping(crate = pins)]
    /// Every section, several sources feeding one field, custom keys of every kind.
    pub mod full {
        events {
            "Order Completed" => Checkout,
            "Trial Started"   => "TrialStarted",
        }
        page {
            category => ViewCategory,
            _        => PageVisit,
        }
        properties {
            "total"   => value,
            "revenue" => value,
            "promo"   => "Promo Code",
            "type"    => "type",
            "2fa"     => "2fa",
        }
        "cart" => line_items {
            "id"      => product_id,
            "sku"     => product_id,
            "colour"  => "colour",
        }
        user_data {
            "context.traits.email"     => em,
            "context.page.search?epik" => click_id,
        }
    }
}

pins::pinterest_mapping! {
    #[mapping(crate = "pins")]
    /// Events only.
    pub mod events_only {
        events { "Signed Up" => Signup }
    }
}

pins::pinterest_mapping! {
    #[mapping(crate = ::pins)]
    /// A page rule only, without a `_` arm.
    pub mod page_only {
        page { category => Custom }
    }
}

pins::pinterest_mapping! {
    #[mapping(crate = pins)]
    /// Properties only, no products.
    pub mod properties_only {
        properties { "q" => search_query }
    }
}

pins::pinterest_mapping! {
    #[mapping(crate = pins)]
    /// Identity sources only.
    pub mod user_data_only {
        user_data { "userId" => external_id }
    }
}

pins::pinterest_mapping! {
    #[mapping(crate = pins)]
    /// An events section, and a products section without rows.
    pub mod empty_products {
        events { "Order Completed" => Checkout }
        products => line_items {}
    }
}

#[cfg(test)]
mod tests {
    use pins::{Destination, Json, Mapping, Message, PinterestEvent, Settings};

    use super::{empty_products, events_only, full, page_only, properties_only, user_data_only};

    fn call<M: Mapping>(table: M, message: &str) -> Option<String> {
        let destination = Destination::with_table(table, Settings::example());
        let message = Message::parse(message).expect("a message");
        destination.map(&message).map(|call| call.to_json())
    }

    #[test]
    fn every_shape_drives_the_destination() {
        let track = r#"{"type":"track","event":"order_completed","properties":{"total":1,"revenue":2,"promo":"P","type":"t","2fa":true,"cart":[{"id":"a","sku":"b","colour":"red"},{}]}}"#;
        assert_eq!(
            call(full::Table, track).as_deref(),
            Some(
                r#"["track","Checkout",{"value":2,"Promo Code":"P","type":"t","2fa":true,"line_items":[{"product_id":"b","colour":"red"}]}]"#
            )
        );
        assert_eq!(
            call(events_only::Table, track).as_deref(),
            Some(r#"["track","order_completed",{}]"#)
        );
        assert_eq!(
            call(
                properties_only::Table,
                r#"{"type":"track","event":"S","properties":{"Q":"x"}}"#
            )
            .as_deref(),
            Some(r#"["track","S",{"search_query":"x"}]"#)
        );
        assert_eq!(
            call(empty_products::Table, track).as_deref(),
            Some(r#"["track","Checkout",{}]"#)
        );
        let page = r#"{"type":"page","category":"Shoes"}"#;
        assert_eq!(
            call(page_only::Table, page).as_deref(),
            Some(r#"["track","Custom",{"name":"","category":"Shoes"}]"#)
        );
        assert_eq!(call(page_only::Table, r#"{"type":"page"}"#), None);
        assert_eq!(call(events_only::Table, page), None);
        assert_eq!(
            full::Table.page_event(Some(Json::parse("0").expect("JSON"))),
            Some(PinterestEvent::PageVisit)
        );
        assert_eq!(full::Table::NAME, "full");
        assert_eq!(full::USER_DATA.len(), 2);
        assert_eq!(user_data_only::Table.user_data()[0].path, "userId");
        assert_eq!(
            events_only::Table.user_data(),
            pins::spec::Table.user_data()
        );
    }
}
