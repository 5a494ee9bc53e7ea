pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        products => line_items {
            "sku" => product_id,
            "prise" => product_price,
        }
    }
}

// An array the plan does not define: its fields are not checked.
pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod basket {
        items => line_items {
            "sku" => product_id,
        }
    }
}

fn main() {}
