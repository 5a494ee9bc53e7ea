mapping_core::pinterest_mapping! {
    mod table {
        properties {
            query => search_query,
        }
    }
}

fn main() {}
