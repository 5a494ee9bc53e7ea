mapping_core::pinterest_mapping! {
    mod table {
        events {
            Signup => Signup,
        }
    }
}

fn main() {}
