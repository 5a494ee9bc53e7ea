pinterest_mapping::pinterest_mapping! {
    mod table {
        page {
            categroy => ViewCategory,
            _ => PageVisit,
        }
    }
}

fn main() {}
