pinterest_mapping::pinterest_mapping! {
    #[mapping(plan = "../../../../tests/ui/plans/shop.json")]
    mod shop {
        properties {
            "totl" => value,
            "coupon" => "coupon",
        }
    }
}

fn main() {}
