pinterest_mapping::pinterest_mapping! {
    mod table {
        page {
            _ => PageVisit,
            _ => Custom,
        }
    }
}

fn main() {}
