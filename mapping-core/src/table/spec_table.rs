//! Segment's e-commerce and video spec, bound to the Pinterest Tag: the table Segment's
//! destination applies to every customer.

crate::pinterest_mapping! {
    /// Segment's spec table for the Pinterest Tag, as its documentation lists it.
    ///
    /// ```
    /// use mapping_core::{spec, PinterestEvent};
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
    }
}
