pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "order_id" => order_id,
            "orderId"  => "order_ref",
        }
    }
}

fn main() {}
