pinterest_mapping::pinterest_mapping! {
    mod table {
        user_data {
            "context.traits.email" => email,
        }
    }
}

fn main() {}
