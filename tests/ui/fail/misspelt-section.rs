pinterest_mapping::pinterest_mapping! {
    mod table {
        evnts {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
