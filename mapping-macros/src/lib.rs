//! The `pinterest_mapping!` procedural macro. Use it through `mapping_core`, which re-exports
//! it and documents the table grammar; the work is done by `mapping_codegen`.

use proc_macro::TokenStream;

/// Compiles a Segment → Pinterest mapping table into a module of typed code. See
/// `mapping_core` for the grammar and an example.
#[proc_macro]
pub fn pinterest_mapping(input: TokenStream) -> TokenStream {
    mapping_codegen::expand_table(input.into()).into()
}
