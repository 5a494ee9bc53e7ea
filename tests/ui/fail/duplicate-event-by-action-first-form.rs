pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout,
            "Completed Order" => Checkout,
        }
    }
}

fn main() {}
