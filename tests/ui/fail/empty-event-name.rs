pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "" => Checkout,
            "   " => Lead,
        }
    }
}

fn main() {}
