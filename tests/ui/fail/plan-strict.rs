pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json", strict)]
    mod shop {
        events {
            "Completed Order" => Checkout,
        }
    }
}

pinterest_mapping::pinterest_mapping! {
    #[mapping(strict)]
    mod unplanned {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
