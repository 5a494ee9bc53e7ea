pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed"suffix => Checkout,
            "Lead Generated" => "Lead"x,
        }
        properties {
            "query"q => search_query,
        }
        "products"p => line_items {
            "sku" => product_id,
        }
    }
}

fn main() {}
