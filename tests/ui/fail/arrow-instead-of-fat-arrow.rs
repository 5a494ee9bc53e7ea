mapping_core::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" -> Checkout,
        }
    }
}

fn main() {}
