//! Rows are tried in table order: an earlier row whose action-first prefix matches beats a
//! later row that matches exactly.

#![deny(warnings)]

use pinterest_mapping::PinterestEvent;

pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Product Added"            => AddToCart,
            "Added Product To Cart"    => "AddedToCart",
            "Cart Viewed"              => "CartViewed",
            "Viewed Cart Twice"        => "ViewedCartTwice",
        }
    }
}

fn main() {
    // "Added Product To Cart" is matched by row 1 (prefix `added product`) before row 2.
    assert_eq!(table::event("Added Product To Cart"), Some(PinterestEvent::AddToCart));
    // "Viewed Cart Twice" starts with row 3's action-first form, so row 3 wins.
    assert_eq!(table::event("Viewed Cart Twice"), Some(PinterestEvent::Partner("CartViewed".into())));
    assert_eq!(table::event("Cart Viewed"), Some(PinterestEvent::Partner("CartViewed".into())));
}
