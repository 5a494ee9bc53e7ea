mapping_core::pinterest_mapping! {
    mod table {
        page {
            _ => PageVisit,
            _ => Custom,
        }
    }
}

fn main() {}
