pinterest_mapping::pinterest_mapping! {
    table {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
