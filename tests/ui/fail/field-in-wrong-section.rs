pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "price" => product_price,
        }
    }
}

fn main() {}
