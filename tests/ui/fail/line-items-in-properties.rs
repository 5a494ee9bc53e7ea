pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "products" => line_items,
        }
    }
}

fn main() {}
