pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout,
        }
        events {
            "Product Added" => AddToCart,
        }
    }
}

fn main() {}
