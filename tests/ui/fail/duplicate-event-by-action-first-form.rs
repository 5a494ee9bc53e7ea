mapping_core::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout,
            "Completed Order" => Checkout,
        }
    }
}

fn main() {}
