mapping_core::pinterest_mapping! {
    mod table {
        properties {
            "query" => serach_query,
        }
    }
}

fn main() {}
