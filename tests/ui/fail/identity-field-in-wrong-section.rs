pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "email" => em,
        }
    }
}

fn main() {}
