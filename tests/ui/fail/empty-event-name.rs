mapping_core::pinterest_mapping! {
    mod table {
        events {
            "" => Checkout,
            "   " => Lead,
        }
    }
}

fn main() {}
