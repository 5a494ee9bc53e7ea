mapping_core::pinterest_mapping! {
    mod table {
        products {
            "price" => product_price,
        }
    }
}

fn main() {}
