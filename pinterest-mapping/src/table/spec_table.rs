//! Segment's e-commerce and video spec, bound to the Pinterest Tag: the table Segment's
//! destination applies to every customer, with the places Segment's libraries put a user's
//! identity, for the Conversions API.

crate::pinterest_mapping! {
    /// Segment's spec table for the Pinterest Tag, as its documentation lists it.
    ///
    /// ```
    /// use pinterest_mapping::{spec, PinterestEvent};
    ///
    /// assert_eq!(spec::event("Order Completed"), Some(PinterestEvent::Checkout));
    /// assert_eq!(spec::event("products_searched"), Some(PinterestEvent::Search));
    /// ```
    pub mod spec {
        events {
            "Products Searched"      => Search,
            "Product List Filtered"  => Search,
            "Product Added"          => AddToCart,
            "Order Completed"        => Checkout,
            "Video Playback Started" => WatchVideo,
        }
        page {
            category => ViewCategory,
            _        => PageVisit,
        }
        properties {
            "query"    => search_query,
            "order_id" => order_id,
            "coupon"   => "coupon",
            "value"    => value,
            "currency" => currency,
        }
        products => line_items {
            "name"       => product_name,
            "product_id" => product_id,
            "sku"        => product_id,
            "category"   => product_category,
            "variant"    => product_variant,
            "price"      => product_price,
            "quantity"   => product_quantity,
            "brand"      => product_brand,
        }
        user_data {
            "context.traits.email"              => em,
            "traits.email"                      => em,
            "properties.email"                  => em,
            "context.traits.phone"              => ph,
            "traits.phone"                      => ph,
            "properties.phone"                  => ph,
            "context.traits.firstName"          => fn,
            "context.traits.first_name"         => fn,
            "traits.firstName"                  => fn,
            "traits.first_name"                 => fn,
            "context.traits.lastName"           => ln,
            "context.traits.last_name"          => ln,
            "traits.lastName"                   => ln,
            "traits.last_name"                  => ln,
            "context.traits.gender"             => ge,
            "traits.gender"                     => ge,
            "context.traits.birthday"           => db,
            "traits.birthday"                   => db,
            "context.traits.address.city"       => ct,
            "traits.address.city"               => ct,
            "context.traits.address.state"      => st,
            "traits.address.state"              => st,
            "context.traits.address.postalCode" => zp,
            "context.traits.address.postal_code" => zp,
            "context.traits.address.zip"        => zp,
            "traits.address.postalCode"         => zp,
            "traits.address.postal_code"        => zp,
            "traits.address.zip"                => zp,
            "context.traits.address.country"    => country,
            "traits.address.country"            => country,
            "userId"                            => external_id,
            "context.device.advertisingId"      => hashed_maids,
            "context.ip"                        => client_ip_address,
            "context.userAgent"                 => client_user_agent,
            "properties.click_id"               => click_id,
            "context.page.search?epik"          => click_id,
        }
    }
}
