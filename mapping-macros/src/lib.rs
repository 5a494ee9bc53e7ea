//! The `pinterest_mapping!` procedural macro. Use it through `mapping_core`, which re-exports
//! it and documents the table grammar.
//!
//! The pipeline: tokens → [`ast`] (syntax, spans kept) → [`check`] (every rule, errors
//! collected) → [`model`] → [`expand`] (infallible code generation).

mod ast;
mod check;
mod expand;
mod keys;
mod model;
mod suggest;
mod vocabulary;

use proc_macro::TokenStream;

/// Compiles a Segment → Pinterest mapping table into a module of typed code. See
/// `mapping_core` for the grammar and an example.
#[proc_macro]
pub fn pinterest_mapping(input: TokenStream) -> TokenStream {
    expand_table(input.into()).into()
}

/// The macro on `proc_macro2` tokens: generated code, or every error of the table as
/// `compile_error!`s.
fn expand_table(input: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    ast::parse(input)
        .and_then(check::check)
        .map_or_else(syn::Error::into_compile_error, |mapping| {
            expand::expand(&mapping)
        })
}
