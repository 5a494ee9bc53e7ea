pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout,
            "order_completed" => Checkout,
        }
    }
}

fn main() {}
