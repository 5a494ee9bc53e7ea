//! Two user tables unlike Segment's: other events, properties, products array and custom keys.

pinterest_mapping::pinterest_mapping! {
    /// A fashion shop: its own events, an `items` array, a custom key with a space, a
    /// partner-defined page event.
    pub mod boutique {
        events {
            "Basket Checked Out" => Checkout,
            "Item Added"         => AddToCart,
            "Look Saved"         => "LookSaved",
        }
        page {
            category => ViewCategory,
            _        => "Browse",
        }
        properties {
            "total"   => value,
            "basket"  => order_id,
            "voucher" => "voucher code",
            "search"  => search_query,
        }
        items => line_items {
            "sku"    => product_id,
            "title"  => product_name,
            "price"  => product_price,
            "qty"    => product_quantity,
            "colour" => "colour",
        }
    }
}

pinterest_mapping::pinterest_mapping! {
    /// A yoga studio: video and lead events, no page section, `event_id` bound by the table,
    /// two sources for one line-item field, a custom key no script may see unescaped, and its
    /// own places for a member's identity.
    pub mod studio {
        events {
            "Lesson Watched"    => WatchVideo,
            "Class Booked"      => Lead,
            "Membership Bought" => Checkout,
        }
        properties {
            "lesson"   => video_title,
            "tier"     => lead_type,
            "price"    => value,
            "eid"      => event_id,
            "referrer" => "ref",
        }
        "passes" => line_items {
            "pass_id" => product_id,
            "code"    => product_id,
            "kind"    => product_category,
            "label"   => "</script>",
        }
        user_data {
            "context.traits.member.email" => em,
            "properties.member_id"        => external_id,
            "context.ip"                  => client_ip_address,
            "context.userAgent"           => client_user_agent,
            "context.device.id"           => hashed_maids,
        }
    }
}
