pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            "query" => serach_query,
        }
    }
}

fn main() {}
