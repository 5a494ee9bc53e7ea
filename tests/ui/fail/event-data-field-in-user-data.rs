pinterest_mapping::pinterest_mapping! {
    mod table {
        user_data {
            "properties.total" => value,
        }
    }
}

fn main() {}
