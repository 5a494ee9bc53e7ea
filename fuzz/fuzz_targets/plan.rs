//! The tracking-plan reader and the checks against a plan, on arbitrary plan files: whatever
//! the bytes (JSON or not, any JSON Schema), a table checked against them expands to
//! printable tokens and never panics.

#![no_main]

use libfuzzer_sys::fuzz_target;
use proc_macro2::TokenStream;

/// A table with a row of every kind a plan checks: events (forward and action-first),
/// properties of the typed fields, a custom key, the products array and its fields.
const TABLE: &str = r#"
    mod shop {
        events { "Order Completed" => Checkout, "Searched Products" => Search, "Joined" => "Joined" }
        properties { "total" => value, "count" => order_quantity, "cur" => currency, "note" => "note" }
        products => line_items { "price" => product_price, "qty" => product_quantity, "sku" => product_id }
    }
"#;

fuzz_target!(|data: &[u8]| {
    let Ok(plan) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(table) = TABLE.parse::<TokenStream>() else {
        return;
    };
    let output = pinterest_mapping_codegen::expand_table_with_plan(table, plan);
    let _ = output.to_string();
});
