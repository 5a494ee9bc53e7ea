mapping_core::pinterest_mapping! {
    mod table {
        user_data {
            "properties.total" => value,
        }
    }
}

fn main() {}
