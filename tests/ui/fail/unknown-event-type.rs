pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Chekout,
        }
    }
}

fn main() {}
