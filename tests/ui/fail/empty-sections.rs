pinterest_mapping::pinterest_mapping! {
    mod table {
        events {}
        properties {}
    }
}

fn main() {}
