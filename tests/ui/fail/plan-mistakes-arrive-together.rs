pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        events {
            "Order Complted" => Checkout,
            "Products Searched" => Serch,
        }
        properties {
            "totl" => value,
            "query" => search_query,
            "order_id" => value,
        }
        products => line_items {
            "prise" => product_price,
        }
    }
}

fn main() {}
