mapping_core::pinterest_mapping! {
    mod table {
        properties {
            "email" => em,
        }
    }
}

fn main() {}
