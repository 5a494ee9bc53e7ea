pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "address.city" => "city",
        }
    }
}

fn main() {}
