//! The macro's pipeline on the table the product ships, `pinterest_mapping`'s spec table, read
//! from its source: accepted, expanded as the snapshot holds, and never a panic when mutated.

use pinterest_mapping_codegen::expand_table;

/// The tokens of the spec table's `pinterest_mapping!` invocation.
fn spec_table() -> proc_macro2::TokenStream {
    let source = include_str!("../../pinterest-mapping/src/table/spec_table.rs");
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

/// The spec table checked against the built-in plan of Segment's spec: every row is planned
/// and fits its field's type, and the planned events it leaves to Pinterest as
/// partner-defined events are the ones Segment's destination leaves.
#[test]
fn the_spec_table_fits_segments_spec_as_a_plan() {
    let table: proc_macro2::TokenStream = spec_table()
        .to_string()
        .replacen(
            "pub mod spec",
            "# [mapping (plan = segment_spec)] pub mod spec",
            1,
        )
        .parse()
        .expect("tokens");
    let output = pretty(expand_table(table));
    assert!(!output.contains("compile_error"), "{output}");
    let note = output
        .split("note = \"")
        .nth(1)
        .and_then(|rest| rest.split("\"\n").next())
        .unwrap_or_else(|| panic!("no warning of unmapped events: {output}"));
    assert_eq!(
        note,
        "40 planned events are mapped by no row of `events` and sent to Pinterest as partner-defined events, which conversion tracking does not count: \\\"Product List Viewed\\\", \\\"Promotion Viewed\\\", \\\"Promotion Clicked\\\", \\\"Product Clicked\\\", \\\"Product Viewed\\\", \\\"Product Removed\\\", \\\"Cart Viewed\\\", \\\"Checkout Started\\\", \\\"Checkout Step Viewed\\\", \\\"Checkout Step Completed\\\", and 30 more (the table's `event` documentation lists them). Map them, or make this an error with `#[mapping(strict)]`"
    );
}

#[test]
fn accepts_the_spec_table() {
    let output = expand_table(spec_table()).to_string();
    assert!(!output.contains("compile_error"), "{output}");
}

#[test]
fn expands_the_spec_table() {
    insta::assert_snapshot!(pretty(expand_table(spec_table())));
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
        let output = pinterest_mapping_codegen::expand_table(input.clone());
        // Generated code or `compile_error!`s, always well-formed Rust.
        if let Err(error) = syn::parse2::<syn::File>(output) {
            panic!("ill-formed output ({error}) for input: {input}");
        }
    }
}
