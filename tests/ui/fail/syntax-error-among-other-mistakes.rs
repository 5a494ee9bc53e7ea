pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Chekout,
            "Product Added" -> AddToCart,
            "Lead Generated" => Lead
            "Signed Up" => Singup,
        }
        properties {
            "query" => serach_query,
            "value" = value,
        }
        products => line_items {
            "price" => product_prise,
        }
    }
}

fn main() {}
