mapping_core::pinterest_mapping! {
    mod table {
        user_data {
            "context.traits.email" => email,
        }
    }
}

fn main() {}
