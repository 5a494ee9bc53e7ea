//! The `pinterest_mapping!` procedural macro. Use it through `pinterest_mapping`, which re-exports
//! it and documents the table grammar; the work is done by `pinterest_mapping_codegen`.

use proc_macro::TokenStream;

/// Compiles a Segment → Pinterest mapping table into a module of typed code. See
/// `pinterest_mapping` for the grammar and an example.
#[proc_macro]
pub fn pinterest_mapping(input: TokenStream) -> TokenStream {
    pinterest_mapping_codegen::expand_table(input.into()).into()
}
