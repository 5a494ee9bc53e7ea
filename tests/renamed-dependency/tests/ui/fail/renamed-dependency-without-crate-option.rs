pins::pinterest_mapping! {
    mod shop {
        events { "Basket Checked Out" => Checkout }
    }
}

fn main() {}
