pinterest_mapping::pinterest_mapping! {
    mod table {
        user_data {
            "context..ip"          => client_ip_address,
            "context.page.search?" => click_id,
        }
    }
}

fn main() {}
