pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" Checkout,
        }
    }
}

fn main() {}
