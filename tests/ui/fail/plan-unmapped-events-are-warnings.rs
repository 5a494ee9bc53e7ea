// Planned events that no row maps are a warning in `cargo build`; this crate denies it, so
// that the warning's text is kept here.
#![deny(deprecated)]

pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
