//! The pipeline behind the `pinterest_mapping!` macro, on `proc_macro2` tokens so that tests,
//! benchmarks and fuzzers drive it outside the compiler. `pinterest-mapping-macros` is the `#[proc_macro]`
//! shim over [`expand_table`].
//!
//! tokens → `ast` (syntax, spans kept) → `check` (every rule, errors collected; against the
//! table's tracking plan, which `plan` reads) → `model` → `expand` (infallible code
//! generation).

// Clippy's pedantic lints this crate does not follow, beyond the workspace's, and why.
#![allow(
    // The expansion functions are `quote!` templates and generated documentation, read top to
    // bottom (serde_derive's `deserialize_map` is of the same order).
    clippy::too_many_lines,
    // Generated documentation is built once per table, at compile time.
    clippy::format_collect,
)]

mod ast;
mod check;
mod expand;
mod model;
mod plan;
mod vocabulary;

use proc_macro2::TokenStream;

/// The macro on `proc_macro2` tokens: the generated module, or every error of the table as
/// `compile_error!`s in source order. Never panics, whatever the tokens.
///
/// ```
/// let tokens: proc_macro2::TokenStream = r#"mod m { events { "Order Completed" => Chekout } }"#.parse().unwrap();
/// let output = pinterest_mapping_codegen::expand_table(tokens).to_string();
/// assert!(output.contains("unknown Pinterest event `Chekout`: did you mean `Checkout`?"));
/// ```
pub fn expand_table(input: TokenStream) -> TokenStream {
    expand_with(input, |table| {
        table.plan.as_ref().map(|source| match source {
            ast::PlanSource::File(file) => plan::load(file),
            ast::PlanSource::SegmentSpec(name) => plan::segment_spec(name.span()),
        })
    })
}

/// [`expand_table`] checking the table against the plan in `plan`, the text of a plan's file,
/// in place of any plan the table names: for benchmarks, fuzzers and tests, which have no
/// crate directory to read a plan from. A plan that cannot be read is a `compile_error!`.
///
/// ```
/// let tokens: proc_macro2::TokenStream = r#"mod m { events { "Order Complted" => Checkout } }"#.parse().unwrap();
/// let output = pinterest_mapping_codegen::expand_table_with_plan(tokens, r#"{"Order Completed": {}}"#).to_string();
/// assert!(output.contains("did you mean `Order Completed`?"));
/// ```
pub fn expand_table_with_plan(input: TokenStream, plan: &str) -> TokenStream {
    expand_with(input, |_| {
        Some(plan::Loaded::from_text("plan", plan).map_err(|reason| {
            syn::Error::new(
                proc_macro2::Span::call_site(),
                format!("cannot read the tracking plan: {reason}"),
            )
        }))
    })
}

/// The pipeline, with the table checked against the plan `plan` gives for it, if any.
fn expand_with(
    input: TokenStream,
    plan: impl FnOnce(&ast::Table) -> Option<syn::Result<plan::Loaded>>,
) -> TokenStream {
    ast::parse(input)
        .and_then(|table| {
            let plan = plan(&table);
            check::check(table, plan)
        })
        .map_or_else(syn::Error::into_compile_error, |mapping| {
            expand::expand(&mapping)
        })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::expand_table;

    fn pretty(tokens: proc_macro2::TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens)
            .unwrap_or_else(|error| panic!("generated code does not parse: {error}"));
        prettyplease::unparse(&file)
    }

    #[test]
    fn expands_a_table_with_events_only() {
        insta::assert_snapshot!(pretty(expand_table(quote! {
            mod signups {
                events { "User Signed Up" => Signup, "Newsletter Opened" => "Newsletter" }
            }
        })));
    }

    #[test]
    fn a_planned_table_documents_what_each_row_reads_and_warns_of_unmapped_events() {
        let table = crate::ast::parse(quote! {
            mod shop {
                events { "Order Completed" => Checkout, "Searched Products" => Search }
            }
        })
        .unwrap();
        let plan = crate::plan::Loaded::from_text(
            "plan.json",
            r#"{"Order Completed": {}, "Products Searched": {}, "Completed Order": {}, "Signed Up": {}, "Newsletter Joined": {}}"#,
        ).unwrap();
        let mapping =
            crate::check::check(table, Some(Ok(plan))).unwrap_or_else(|error| panic!("{error}"));
        let output = pretty(crate::expand::expand(&mapping));
        assert!(
            output.contains(
                r#"`"Order Completed"` → `Checkout` (Conversions API: `checkout`); reads the planned `"Completed Order"`, `"Order Completed"`"#
            ),
            "{output}"
        );
        assert!(
            output.contains(r#"reads the planned `"Products Searched"`"#),
            "{output}"
        );
        assert!(
            output.contains(
                r#"Planned events no row maps, sent under their own names as partner-defined events: `"Newsletter Joined"`, `"Signed Up"`."#
            ),
            "{output}"
        );
        assert!(
            output.contains(
                r#"#[deprecated(
        note = "2 planned events are mapped by no row of `events` and sent to Pinterest as partner-defined events, which conversion tracking does not count: \"Newsletter Joined\", \"Signed Up\". Map them, or make this an error with `#[mapping(strict)]`"
    )]"#
            ),
            "{output}"
        );
    }

    #[test]
    fn errors_become_compile_errors_in_source_order() {
        let output = expand_table(quote! {
            mod broken {
                events { "a" => Chekout }
                properties { "q" => serach_query }
            }
        });
        assert_eq!(
            pretty(output),
            "::core::compile_error! {\n    \"unknown Pinterest event `Chekout`: did you mean `Checkout`?\"\n}\n\
             ::core::compile_error! {\n    \"unknown Pinterest event-data field `serach_query`: did you mean `search_query`? (a string literal such as `\\\"serach_query\\\"` declares a custom key)\"\n}\n"
        );
    }
}
