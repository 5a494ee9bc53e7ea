mapping_core::pinterest_mapping! {
    #[mapping(crat = mapping_core)]
    mod table {
        events {
            "Order Completed" => Checkout,
        }
    }
}

fn main() {}
