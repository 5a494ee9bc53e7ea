mapping_core::pinterest_mapping! {
    mod table {
    }
}

fn main() {}
