pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            Signup => Signup,
        }
    }
}

fn main() {}
