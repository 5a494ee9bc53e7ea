pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "tracking-plan.json")]
    mod shop {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
