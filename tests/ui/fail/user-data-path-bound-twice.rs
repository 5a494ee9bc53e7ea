pinterest_mapping::pinterest_mapping! {
    mod table {
        user_data {
            "context.traits.email" => em,
            "context.ip"           => client_ip_address,
            "context.traits.email" => ph,
        }
    }
}

fn main() {}
