mapping_core::pinterest_mapping! {
    table {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
