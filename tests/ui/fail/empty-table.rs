pinterest_mapping::pinterest_mapping! {
    mod table {
    }
}

fn main() {}
