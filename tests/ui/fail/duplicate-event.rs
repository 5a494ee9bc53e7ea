pinterest_mapping::pinterest_mapping! {
    mod table {
        events {
            "Order Completed" => Checkout,
            "Product Added"   => AddToCart,
            "Order Completed" => Custom,
        }
    }
}

fn main() {}
