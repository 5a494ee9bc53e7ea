pinterest_mapping::pinterest_mapping! {
    mod table {
        products {
            "price" => product_price,
        }
    }
}

fn main() {}
