pinterest_mapping::pinterest_mapping! {
    mod table {
        properties {
            " " => value,
        }
    }
}

fn main() {}
