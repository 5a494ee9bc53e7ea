mapping_core::pinterest_mapping! {
    mod table {
        products => line_items {
            "price" => price,
        }
    }
}

fn main() {}
