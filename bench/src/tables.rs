//! Source text of the large tables the scaling benchmarks compile: shared by the build script,
//! which feeds them to the macro, and by the expansion-time benchmark.

/// The spec table's events and properties, which the workload uses.
const SPEC_EVENTS: &str = r#"
            "Products Searched"      => Search,
            "Product List Filtered"  => Search,
            "Product Added"          => AddToCart,
            "Order Completed"        => Checkout,
            "Video Playback Started" => WatchVideo,"#;

const SPEC_PROPERTIES: &str = r#"
            "query"    => search_query,
            "order_id" => order_id,
            "coupon"   => "coupon",
            "value"    => value,
            "currency" => currency,"#;

const SPEC_PRODUCTS: &str = r#"
        products => line_items {
            "name"       => product_name,
            "product_id" => product_id,
            "sku"        => product_id,
            "category"   => product_category,
            "variant"    => product_variant,
            "price"      => product_price,
            "quantity"   => product_quantity,
            "brand"      => product_brand,
        }"#;

/// Events in the large table.
pub const LARGE_EVENT_COUNT: usize = 1_000;
/// Properties in the large table.
pub const LARGE_PROPERTY_COUNT: usize = 200;

/// A table of [`LARGE_EVENT_COUNT`] events: the spec's five, then `Feature 3 Viewed`-like names.
pub fn large_events_table() -> String {
    events_table("large_events", LARGE_EVENT_COUNT)
}

/// A table `module` of `count` events (at least five): the spec's five, then
/// `Feature 3 Viewed`-like names, each distinct under Segment's alias rule.
pub fn events_table(module: &str, count: usize) -> String {
    const OBJECTS: [&str; 10] = [
        "Feature",
        "Report",
        "Invoice",
        "Dashboard",
        "Widget",
        "Campaign",
        "Voucher",
        "Plan",
        "Workspace",
        "Project",
    ];
    const ACTIONS: [&str; 10] = [
        "Viewed", "Created", "Updated", "Deleted", "Shared", "Exported", "Archived", "Restored",
        "Opened", "Closed",
    ];
    const TARGETS: [&str; 5] = [
        "Lead",
        "Signup",
        "Custom",
        "\"FeatureUsed\"",
        "\"ReportEvent\"",
    ];
    let mut rows = String::from(SPEC_EVENTS);
    let names = (1..).flat_map(|number| {
        OBJECTS.iter().flat_map(move |object| {
            ACTIONS
                .iter()
                .map(move |action| format!("{object} {number} {action}"))
        })
    });
    for (index, name) in names.take(count.saturating_sub(5)).enumerate() {
        rows.push_str(&format!(
            "\n            \"{name}\" => {},",
            TARGETS[index % TARGETS.len()]
        ));
    }
    format!(
        "/// {count} events.\n    pub mod {module} {{\n        events {{{rows}\n        }}\n{SPEC_PRODUCTS}\n    }}"
    )
}

/// A table of [`LARGE_PROPERTY_COUNT`] properties: the spec's five, then custom keys.
pub fn large_properties_table() -> String {
    let mut rows = String::from(SPEC_PROPERTIES);
    for index in 0..LARGE_PROPERTY_COUNT - 5 {
        rows.push_str(&format!(
            "\n            \"attribute_{index}\" => \"attribute_{index}\","
        ));
    }
    format!(
        "/// {LARGE_PROPERTY_COUNT} properties.\n    pub mod large_properties {{\n        properties {{{rows}\n        }}\n{SPEC_PRODUCTS}\n    }}"
    )
}
