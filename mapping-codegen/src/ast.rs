//! The table as written: syntax only, every token's span kept. Names are not checked here;
//! `check` turns this tree into the typed model and reports every mistake.
//!
//! ```text
//! table   := attribute* visibility "mod" IDENT "{" section* "}"
//! section := IDENT "{" rows "}"                        events, page, properties
//!          | (STRING | IDENT) "=>" IDENT "{" rows "}"  products => line_items
//! rows    := (row ("," row)* ","?)?
//! row     := (STRING | IDENT | "_") "=>" (IDENT | STRING)
//! ```

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, LitStr, Token, Visibility};

/// A whole `pinterest_mapping!` input.
pub struct Table {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub ident: Ident,
    pub sections: Vec<Section>,
}

pub struct Section {
    pub head: SectionHead,
    pub rows: Vec<Row>,
}

pub enum SectionHead {
    /// `events`, `page`, `properties`, or a misspelling of one.
    Named(Ident),
    /// `products => line_items`: the Segment array property and the Pinterest field it fills.
    Array { source: Source, target: Ident },
}

/// `source => target`.
pub struct Row {
    pub source: Source,
    pub target: Target,
}

/// The left of a row: a Segment name, or `category` / `_` in the page section.
pub enum Source {
    Lit(LitStr),
    Ident(Ident),
    Wildcard(Token![_]),
}

/// The right of a row: a Pinterest name (checked against the vocabulary), or a string literal
/// for a custom key or a partner-defined event.
pub enum Target {
    Ident(Ident),
    Lit(LitStr),
}

impl Source {
    pub fn span(&self) -> Span {
        match self {
            Source::Lit(lit) => lit.span(),
            Source::Ident(ident) => ident.span(),
            Source::Wildcard(token) => token.span,
        }
    }
}

/// Parses a table. A syntax error inside one section's braces does not stop the others from
/// being parsed: all of them are reported together.
pub fn parse(tokens: TokenStream) -> syn::Result<Table> {
    let mut section_errors: Vec<syn::Error> = Vec::new();
    let table = (|input: ParseStream| parse_table(input, &mut section_errors)).parse2(tokens)?;
    match section_errors.into_iter().reduce(|mut all, error| {
        all.combine(error);
        all
    }) {
        Some(errors) => Err(errors),
        None => Ok(table),
    }
}

fn parse_table(input: ParseStream, section_errors: &mut Vec<syn::Error>) -> syn::Result<Table> {
    let attrs = input.call(Attribute::parse_outer)?;
    let vis: Visibility = input.parse()?;
    if !input.peek(Token![mod]) {
        return Err(input.error("expected `mod`: a mapping table is written `pub mod name { … }`"));
    }
    input.parse::<Token![mod]>()?;
    let ident: Ident = input.parse()?;
    let (_, body) = parse_braces(input, "after the module name")?;
    let sections = (|input: ParseStream| parse_sections(input, section_errors)).parse2(body)?;
    Ok(Table {
        attrs,
        vis,
        ident,
        sections,
    })
}

fn parse_sections(
    input: ParseStream,
    section_errors: &mut Vec<syn::Error>,
) -> syn::Result<Vec<Section>> {
    let mut sections = Vec::new();
    while !input.is_empty() {
        let head = parse_section_head(input)?;
        let (_, body) = parse_braces(input, "to open the section")?;
        let rows = match parse_rows.parse2(body) {
            Ok(rows) => rows,
            Err(error) => {
                section_errors.push(error);
                Vec::new()
            }
        };
        sections.push(Section { head, rows });
    }
    Ok(sections)
}

fn parse_section_head(input: ParseStream) -> syn::Result<SectionHead> {
    let starts_array_head =
        input.peek(LitStr) || (input.peek(Ident::peek_any) && input.peek2(Token![=>]));
    if starts_array_head {
        let source = if input.peek(LitStr) {
            Source::Lit(input.parse()?)
        } else {
            Source::Ident(input.call(Ident::parse_any)?)
        };
        input.parse::<Token![=>]>()?;
        let target = input.call(Ident::parse_any)?;
        Ok(SectionHead::Array { source, target })
    } else if input.peek(Ident::peek_any) {
        Ok(SectionHead::Named(input.call(Ident::parse_any)?))
    } else {
        Err(input.error(
            "expected a section: `events { … }`, `page { … }`, `properties { … }` or `products => line_items { … }`",
        ))
    }
}

/// Takes a `{ … }` group, with an error that names the wrong bracket when another is used.
fn parse_braces(input: ParseStream, purpose: &str) -> syn::Result<(Span, TokenStream)> {
    input.step(|cursor| match cursor.token_tree() {
        Some((TokenTree::Group(group), rest)) if group.delimiter() == Delimiter::Brace => {
            Ok(((group.span(), group.stream()), rest))
        }
        Some((TokenTree::Group(group), _)) if group.delimiter() != Delimiter::None => {
            let written = match group.delimiter() {
                Delimiter::Parenthesis => "parentheses",
                _ => "square brackets",
            };
            Err(syn::Error::new(
                group.span_open(),
                format!("expected `{{` {purpose}, found {written}: the table uses curly braces"),
            ))
        }
        _ => Err(cursor.error(format!("expected `{{` {purpose}"))),
    })
}

fn parse_rows(input: ParseStream) -> syn::Result<Vec<Row>> {
    let rows = Punctuated::<Row, Token![,]>::parse_terminated_with(input, parse_row)?;
    Ok(rows.into_iter().collect())
}

fn parse_row(input: ParseStream) -> syn::Result<Row> {
    let source = if input.peek(LitStr) {
        Source::Lit(input.parse()?)
    } else if input.peek(Token![_]) {
        Source::Wildcard(input.parse()?)
    } else if input.peek(Ident::peek_any) {
        Source::Ident(input.call(Ident::parse_any)?)
    } else {
        return Err(input
            .error("expected a Segment name as a string literal, such as `\"Order Completed\"`"));
    };
    input.parse::<Token![=>]>()?;
    let target = if input.peek(LitStr) {
        Target::Lit(input.parse()?)
    } else if input.peek(Ident::peek_any) {
        Target::Ident(input.call(Ident::parse_any)?)
    } else {
        return Err(input.error(
            "expected a Pinterest name: an identifier such as `Checkout` or `order_id`, or a string literal",
        ));
    };
    Ok(Row { source, target })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    fn error_messages(tokens: TokenStream) -> Vec<String> {
        match parse(tokens) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    #[test]
    fn parses_every_section_form() {
        let table = parse(quote! {
            /// Docs.
            pub(crate) mod spec {
                events { "Order Completed" => Checkout, "Signed Up" => "SignedUp" }
                page { category => ViewCategory, _ => PageVisit, }
                properties { "query" => search_query }
                products => line_items { "price" => product_price }
                "items" => line_items {}
            }
        })
        .unwrap_or_else(|error| panic!("{error}"));
        assert_eq!(table.ident, "spec");
        assert_eq!(table.attrs.len(), 1);
        let rows: Vec<usize> = table.sections.iter().map(|s| s.rows.len()).collect();
        assert_eq!(rows, [2, 2, 1, 1, 0]);
        assert!(matches!(
            table.sections[1].rows[1].source,
            Source::Wildcard(_)
        ));
        assert!(matches!(table.sections[0].rows[1].target, Target::Lit(_)));
        assert!(matches!(
            &table.sections[4].head,
            SectionHead::Array { source: Source::Lit(_), target } if target == "line_items"
        ));
    }

    #[test]
    fn reports_syntax_errors_of_every_section() {
        let messages = error_messages(quote! {
            mod spec {
                events { "Order Completed" Checkout }
                properties { "query" => search_query "value" => value }
                page { category => ViewCategory }
            }
        });
        assert_eq!(messages, ["expected `=>`", "expected `,`"]);
    }

    #[test]
    fn names_wrong_brackets() {
        assert_eq!(
            error_messages(quote!(mod spec { events ( "a" => Lead ) })),
            ["expected `{` to open the section, found parentheses: the table uses curly braces"]
        );
        assert_eq!(
            error_messages(quote!(mod spec [ ])),
            [
                "expected `{` after the module name, found square brackets: the table uses curly braces"
            ]
        );
    }

    #[test]
    fn rejects_tokens_that_start_no_section_or_row() {
        assert_eq!(
            error_messages(quote!(mod spec { 42 })),
            [
                "expected a section: `events { … }`, `page { … }`, `properties { … }` or `products => line_items { … }`"
            ]
        );
        assert_eq!(
            error_messages(quote!(mod spec { events { 42 => Lead } })),
            ["expected a Segment name as a string literal, such as `\"Order Completed\"`"]
        );
        assert_eq!(
            error_messages(quote!(spec {})),
            ["expected `mod`: a mapping table is written `pub mod name { … }`"]
        );
    }
}
