pinterest_mapping::pinterest_mapping! {
    mod table {
        products => line_items {
            "price" => price,
        }
    }
}

fn main() {}
