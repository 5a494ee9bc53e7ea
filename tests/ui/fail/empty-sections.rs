mapping_core::pinterest_mapping! {
    mod table {
        events {}
        properties {}
    }
}

fn main() {}
