pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        events {
            "Order Complted" => Checkout,
            "Newsletter Joined" => Lead,
        }
    }
}

fn main() {}
