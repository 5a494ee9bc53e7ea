//! The pipeline behind the `pinterest_mapping!` macro, on `proc_macro2` tokens so that tests,
//! benchmarks and fuzzers drive it outside the compiler. `mapping-macros` is the `#[proc_macro]`
//! shim over [`expand_table`].
//!
//! tokens → `ast` (syntax, spans kept) → `check` (every rule, errors collected) → `model` →
//! `expand` (infallible code generation).

mod ast;
mod check;
mod expand;
mod keys;
mod model;
mod suggest;
mod vocabulary;

use proc_macro2::TokenStream;

/// The macro on `proc_macro2` tokens: the generated module, or every error of the table as
/// `compile_error!`s in source order. Never panics, whatever the tokens.
///
/// ```
/// let tokens: proc_macro2::TokenStream = r#"mod m { events { "Order Completed" => Chekout } }"#.parse().unwrap();
/// let output = mapping_codegen::expand_table(tokens).to_string();
/// assert!(output.contains("unknown Pinterest event `Chekout`: did you mean `Checkout`?"));
/// ```
pub fn expand_table(input: TokenStream) -> TokenStream {
    ast::parse(input)
        .and_then(check::check)
        .map_or_else(syn::Error::into_compile_error, |mapping| {
            expand::expand(&mapping)
        })
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::expand_table;

    /// The tokens of `mapping_core`'s spec table, read from its source so that the snapshot
    /// follows the table the product ships.
    pub(crate) fn spec_table() -> proc_macro2::TokenStream {
        let source = include_str!("../../mapping-core/src/table/spec_table.rs");
        let file: syn::File =
            syn::parse_str(source).unwrap_or_else(|error| panic!("spec_table.rs: {error}"));
        file.items
            .into_iter()
            .find_map(|item| match item {
                syn::Item::Macro(item)
                    if item
                        .mac
                        .path
                        .segments
                        .last()
                        .is_some_and(|last| last.ident == "pinterest_mapping") =>
                {
                    Some(item.mac.tokens)
                }
                _ => None,
            })
            .unwrap_or_else(|| panic!("spec_table.rs has no pinterest_mapping! invocation"))
    }

    fn pretty(tokens: proc_macro2::TokenStream) -> String {
        let file: syn::File = syn::parse2(tokens)
            .unwrap_or_else(|error| panic!("generated code does not parse: {error}"));
        prettyplease::unparse(&file)
    }

    #[test]
    fn expands_the_spec_table() {
        insta::assert_snapshot!(pretty(expand_table(spec_table())));
    }

    #[test]
    fn expands_a_table_with_events_only() {
        insta::assert_snapshot!(pretty(expand_table(quote! {
            mod signups {
                events { "User Signed Up" => Signup, "Newsletter Opened" => "Newsletter" }
            }
        })));
    }

    /// Deterministic pseudo-random mutations of a valid table: tokens dropped, repeated or
    /// replaced, groups rewritten recursively. Whatever comes in, the macro answers with code
    /// or errors, never a panic.
    #[test]
    fn never_panics_on_mutated_tables() {
        use proc_macro2::{
            Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree,
        };

        struct Lcg(u64);
        impl Lcg {
            fn below(&mut self, bound: u64) -> u64 {
                self.0 = self
                    .0
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                (self.0 >> 33) % bound
            }
        }

        fn random_token(rng: &mut Lcg) -> TokenTree {
            match rng.below(9) {
                0 => Punct::new('=', Spacing::Joint).into(),
                1 => Punct::new('>', Spacing::Alone).into(),
                2 => Punct::new(',', Spacing::Alone).into(),
                3 => Ident::new("_", Span::call_site()).into(),
                4 => Literal::string(
                    ["", " ", "Order Completed", "a.b", "value", "--"][rng.below(6) as usize],
                )
                .into(),
                5 => Ident::new(
                    [
                        "events",
                        "page",
                        "properties",
                        "products",
                        "line_items",
                        "category",
                        "Checkout",
                        "value",
                        "mod",
                    ][rng.below(9) as usize],
                    Span::call_site(),
                )
                .into(),
                6 => Literal::u64_unsuffixed(42).into(),
                7 => Group::new(Delimiter::Brace, TokenStream::new()).into(),
                _ => Group::new(Delimiter::Parenthesis, TokenStream::new()).into(),
            }
        }

        fn mutate(tokens: TokenStream, rng: &mut Lcg) -> TokenStream {
            let mut out = Vec::new();
            for token in tokens {
                match rng.below(12) {
                    0 => {}
                    1 => {
                        out.push(token.clone());
                        out.push(token);
                    }
                    2 => out.push(random_token(rng)),
                    _ => out.push(match token {
                        TokenTree::Group(group) => {
                            let delimiter = if rng.below(8) == 0 {
                                Delimiter::Bracket
                            } else {
                                group.delimiter()
                            };
                            Group::new(delimiter, mutate(group.stream(), rng)).into()
                        }
                        other => other,
                    }),
                }
            }
            out.into_iter().collect()
        }

        let mut rng = Lcg(0x5eed);
        for _ in 0..2_000 {
            let input = mutate(spec_table(), &mut rng);
            let output = expand_table(input.clone());
            // Generated code or `compile_error!`s, always well-formed Rust.
            if let Err(error) = syn::parse2::<syn::File>(output) {
                panic!("ill-formed output ({error}) for input: {input}");
            }
        }
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
