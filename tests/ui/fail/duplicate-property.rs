pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "query"  => search_query,
            "coupon" => "coupon",
            "query"  => "q",
        }
    }
}

fn main() {}
