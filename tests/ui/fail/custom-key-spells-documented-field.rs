mapping_core::pinterest_mapping! {
    mod table {
        properties {
            "value" => "value",
        }
    }
}

fn main() {}
