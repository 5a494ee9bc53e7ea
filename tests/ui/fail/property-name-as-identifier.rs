pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            query => search_query,
        }
    }
}

fn main() {}
