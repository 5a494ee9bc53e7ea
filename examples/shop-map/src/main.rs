//! `shop-map`: our shop's Segment events, mapped to Pinterest Tag calls with our own table.

pinterest_mapping::pinterest_mapping! {
    /// How our shop's events reach the Pinterest Tag.
    #[mapping(plan = "tracking-plan.json")] // our tracking plan, as Segment's API lists it
    pub mod shop {
        events {
            "Basket Checked Out" => Checkout,
            "Item Added"         => AddToCart,
            "Account Created"    => Signup,
            "Newsletter Joined"  => "NewsletterJoined",
        }
        page {
            category => ViewCategory,
            _        => PageVisit,
        }
        properties {
            "total"    => value,
            "currency" => currency,
            "basket"   => order_id,
            "search"   => search_query,
            "voucher"  => "voucher",
        }
        items => line_items {
            "sku"   => product_id,
            "title" => product_name,
            "price" => product_price,
            "qty"   => product_quantity,
        }
    }
}

fn main() -> std::process::ExitCode {
    pinterest_map::main(shop::Table)
}
