mapping_core::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout
            "Product Added" => AddToCart,
        }
    }
}

fn main() {}
