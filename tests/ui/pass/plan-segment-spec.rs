//! A table checked against the built-in plan of Segment's spec, knowingly leaving the spec's
//! other events to Pinterest as partner-defined events.

#![deny(warnings)]

use pinterest_mapping::{Mapping, PinterestEvent};

pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = segment_spec)]
    #[allow(deprecated)]
    mod shop {
        events {
            "Order Completed" => Checkout,
            "Video Playback Started" => WatchVideo,
        }
        page {
            _ => PageVisit,
        }
        properties {
            "revenue" => value,
            "currency" => currency,
            "title" => "page_title",
        }
        products => line_items {
            "sku" => product_id,
            "quantity" => product_quantity,
        }
    }
}

fn main() {
    assert_eq!(shop::Table.event("Completed Order"), Some(PinterestEvent::Checkout));
}
