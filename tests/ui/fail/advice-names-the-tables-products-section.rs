pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "price" => product_price,
            "items" => line_items,
        }
        lines => line_items {
            "sku" => product_id,
        }
    }
}

fn main() {}
