pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = segment_spec)]
    mod shop {
        events {
            "Order Complted" => Checkout,
        }
        properties {
            "query" => value,
        }
    }
}

fn main() {}
