//! The generated `event` lookup applies Segment's alias rule, first matching row wins.

#![deny(warnings)]

use pinterest_mapping::PinterestEvent;

pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Products Searched"      => Search,
            "Product List Filtered"  => Search,
            "Product Added"          => AddToCart,
            "Order Completed"        => Checkout,
            "Video Playback Started" => WatchVideo,
            "Lead Generated"         => Lead,
            "Subscribed"             => Signup,
            "Newsletter Opened"      => "NewsletterOpened",
            "Crème Brûlée Ordered"   => Custom,
        }
    }
}

fn main() {
    let cases: &[(&str, Option<PinterestEvent>)] = &[
        // Exact, case and separators.
        ("Order Completed", Some(PinterestEvent::Checkout)),
        ("order completed", Some(PinterestEvent::Checkout)),
        ("ORDER_COMPLETED", Some(PinterestEvent::Checkout)),
        ("OrderCompleted", Some(PinterestEvent::Checkout)),
        ("ordercompleted", Some(PinterestEvent::Checkout)),
        (" order completed ", Some(PinterestEvent::Checkout)),
        ("_order_completed_", Some(PinterestEvent::Checkout)),
        ("product_list filtered", Some(PinterestEvent::Search)),
        // At most one separator, and only between words or at the ends.
        ("Order  Completed", None),
        ("  Order Completed", None),
        ("Order Completed  ", None),
        ("Order-Completed", None),
        ("Ord er Completed", None),
        ("Order Completed!", None),
        // The action-first form, matched as a prefix.
        ("Completed Order", Some(PinterestEvent::Checkout)),
        ("Added Product", Some(PinterestEvent::AddToCart)),
        ("Searched Products", Some(PinterestEvent::Search)),
        ("Filtered Product List", Some(PinterestEvent::Search)),
        ("Started Video Playback", Some(PinterestEvent::WatchVideo)),
        ("Generated Lead", Some(PinterestEvent::Lead)),
        ("Added Product To Wishlist", Some(PinterestEvent::AddToCart)),
        ("completed_orders", Some(PinterestEvent::Checkout)),
        ("Product Added To Wishlist", None),
        // One-word names have no action-first form, and are anchored.
        ("subscribed", Some(PinterestEvent::Signup)),
        ("Subscribed Twice", None),
        // Partner-defined targets are sent verbatim.
        ("newsletter_opened", Some(PinterestEvent::Partner("NewsletterOpened".into()))),
        // Case folding covers non-ASCII letters.
        ("CRÈME BRÛLÉE ORDERED", Some(PinterestEvent::Custom)),
        ("Creme Brulee Ordered", None),
        // Unbound names, empty and long inputs.
        ("Product Viewed", None),
        ("", None),
        (" ", None),
        (&"Order Completed ".repeat(1000), None),
    ];
    for (name, expected) in cases {
        assert_eq!(&table::event(name), expected, "event({name:?})");
    }
}
