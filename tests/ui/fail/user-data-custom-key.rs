pinterest_mapping::pinterest_mapping! {
    mod table {
        user_data {
            "traits.loyalty_id" => "loyalty_id",
        }
    }
}

fn main() {}
