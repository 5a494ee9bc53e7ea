pinterest_mapping::pinterest_mapping! {
    mod table {
        products => line_item {
            "price" => product_price,
        }
    }
}

fn main() {}
