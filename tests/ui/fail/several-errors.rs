pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Chekout,
            "order_completed" => Checkout,
            "Lead Generated"  => lead,
        }
        properties {
            "query" => serach_query,
            "price" => product_price,
            "value" => "value",
        }
        products => line_items {
            "price" => product_prise,
            "price" => product_price,
        }
        user_data {
            "context.traits.email" => email,
            "context.traits.email" => em,
        }
    }
}

fn main() {}
