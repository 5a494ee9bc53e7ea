pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        properties {
            "order_id" => value,
            "total" => currency,
        }
        products => line_items {
            "sku" => product_price,
            "price" => product_quantity,
        }
    }
}

fn main() {}
