//! The table as written: syntax only, every token's span kept. Names are not checked here;
//! `check` turns this tree into the typed model and reports every mistake.
//!
//! ```text
//! table   := attribute* visibility "mod" IDENT "{" section* "}"
//! section := IDENT "{" rows "}"                        events, page, properties, user_data
//!          | (STRING | IDENT) "=>" IDENT "{" rows "}"  products => line_items
//! rows    := (row ("," row)* ","?)?
//! row     := (STRING | IDENT | "_") "=>" (IDENT | STRING)
//! ```

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use syn::ext::IdentExt;
use syn::parse::{ParseStream, Parser};
use syn::{Ident, LitStr, Token, Visibility};

/// A whole `pinterest_mapping!` input.
pub struct Table {
    /// The outer attributes other than the table's options, as written: passed on to the
    /// generated module without being read.
    pub attrs: Vec<TokenStream>,
    /// `#[mapping(crate = path)]`: the path of the runtime crate, when it is not
    /// `::pinterest_mapping`.
    pub krate: Option<syn::Path>,
    /// `#[mapping(plan = "file")]` or `#[mapping(plan = segment_spec)]`: the tracking plan.
    pub plan: Option<PlanSource>,
    /// `#[mapping(strict)]`: planned events that no row maps are errors, not warnings.
    pub strict: Option<Span>,
    pub vis: Visibility,
    pub ident: Ident,
    /// Malformed table options, in source order; they come before every section.
    pub option_errors: Vec<syn::Error>,
    pub sections: Vec<Parsed<Section>>,
}

/// A part of the table that parsed, or the syntax error that stopped it. Parsing carries on
/// after the error, so that `check` still sees (and reports on) everything around it.
pub enum Parsed<T> {
    Ok(T),
    Malformed(syn::Error),
}

pub struct Section {
    pub head: SectionHead,
    pub rows: Vec<Parsed<Row>>,
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

/// Where a table's tracking plan is.
pub enum PlanSource {
    /// A file, relative to the crate's manifest directory.
    File(LitStr),
    /// The built-in plan of Segment's spec, `segment_spec`.
    SegmentSpec(Ident),
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

/// The attribute that holds the table's options.
const OPTIONS_ATTRIBUTE: &str = "mapping";

/// Parses a table. Only a table without its `mod` or its braces is an error here: a malformed
/// section or row is kept as [`Parsed::Malformed`] and parsing goes on after it.
pub fn parse(tokens: TokenStream) -> syn::Result<Table> {
    parse_table.parse2(tokens)
}

fn parse_table(input: ParseStream) -> syn::Result<Table> {
    let mut attrs = Vec::new();
    let mut option_errors = Vec::new();
    let mut options = Options::default();
    while input.peek(Token![#]) {
        let (attr, content) = parse_outer_attribute(input)?;
        match options_of(content) {
            Some(list) => {
                if let Err(error) = parse_options(list, &mut options) {
                    option_errors.push(error);
                }
            }
            None => attrs.push(attr),
        }
    }
    let vis: Visibility = input.parse()?;
    if !input.peek(Token![mod]) {
        return Err(input.error("expected `mod`: a mapping table is written `pub mod name { … }`"));
    }
    input.parse::<Token![mod]>()?;
    let ident: Ident = input.parse()?;
    let body = parse_braces(input, "after the module name")?;
    let sections = parse_sections.parse2(body)?;
    Ok(Table {
        attrs,
        krate: options.krate,
        plan: options.plan,
        strict: options.strict,
        vis,
        ident,
        option_errors,
        sections,
    })
}

/// `#[…]`: the whole attribute, and what its brackets hold. Its contents are not parsed: syn
/// reads the value of a `name = value` attribute as an expression, by recursion, which a
/// value nested thousands deep would take past the end of the stack (found by fuzzing).
fn parse_outer_attribute(input: ParseStream) -> syn::Result<(TokenStream, TokenStream)> {
    let pound: Token![#] = input.parse()?;
    input.step(|cursor| match cursor.token_tree() {
        Some((TokenTree::Group(group), rest)) if group.delimiter() == Delimiter::Bracket => {
            let mut attr = quote::ToTokens::into_token_stream(pound);
            attr.extend([TokenTree::Group(group.clone())]);
            Ok(((attr, group.stream()), rest))
        }
        _ => Err(cursor.error("expected `[` after `#`: attributes are written `#[…]`")),
    })
}

/// When the attribute holding `content` is the table's options attribute: the tokens inside
/// its `mapping(…)`, or where it stands when it has another form, which [`parse_options`]
/// reports.
fn options_of(content: TokenStream) -> Option<OptionsAttribute> {
    let mut tokens = content.into_iter();
    let name = match tokens.next() {
        Some(TokenTree::Ident(name)) if name == OPTIONS_ATTRIBUTE => name,
        _ => return None,
    };
    let list = match (tokens.next(), tokens.next()) {
        (Some(TokenTree::Group(group)), None) if group.delimiter() == Delimiter::Parenthesis => {
            Ok(group.stream())
        }
        _ => Err(name.span()),
    };
    Some(list)
}

/// What the options attribute holds: the tokens of its list, or, when it has no list, where
/// it stands.
type OptionsAttribute = Result<TokenStream, Span>;

/// The table's options.
#[derive(Default)]
struct Options {
    krate: Option<syn::Path>,
    plan: Option<PlanSource>,
    strict: Option<Span>,
}

/// `#[mapping(crate = path, plan = "file")]`, the crate's path also accepted as a string
/// literal, as serde takes it.
fn parse_options(options: OptionsAttribute, found: &mut Options) -> syn::Result<()> {
    let list = options.map_err(|span| {
        syn::Error::new(
            span,
            "the table's options are written `#[mapping(crate = path)]` or `#[mapping(plan = \"file\")]`",
        )
    })?;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("strict") {
            if !meta.input.is_empty() && !meta.input.peek(Token![,]) {
                return Err(meta.error(
                    "`strict` takes no value: write `#[mapping(plan = \"file\", strict)]`",
                ));
            }
            let span = meta
                .path
                .get_ident()
                .map_or_else(Span::call_site, Ident::span);
            return set_once(&mut found.strict, span, &meta.path, "strict");
        }
        if meta.path.is_ident("plan") {
            let value = meta.value()?;
            let plan = if value.peek(LitStr) {
                PlanSource::File(parse_lit_str(value)?)
            } else {
                match value.parse::<Ident>() {
                    Ok(ident) if ident == crate::plan::SEGMENT_SPEC_NAME => {
                        PlanSource::SegmentSpec(ident)
                    }
                    _ => {
                        return Err(syn::Error::new(
                            value.span(),
                            "the `plan` option takes the tracking plan's file as a string, relative to this crate's `Cargo.toml`, such as `plan = \"tracking-plan.json\"`, or `segment_spec` for Segment's spec",
                        ));
                    }
                }
            };
            return set_once(&mut found.plan, plan, &meta.path, "plan");
        }
        if !meta.path.is_ident("crate") {
            let name = meta
                .path
                .get_ident()
                .map_or_else(|| "this".to_owned(), |ident| format!("`{ident}`"));
            return Err(meta.error(format!(
                "unknown table option {name}: the options are `crate = path`, naming this crate when it is renamed, `plan = \"file\"`, the tracking plan the table is checked against, and `strict`, making the plan's unmapped events errors"
            )));
        }
        let value = meta.value()?;
        // A crate's path has no generic arguments: read without them, the path is read
        // without recursion, however it is nested.
        let path = if value.peek(LitStr) {
            let lit = parse_lit_str(value)?;
            lit.parse_with(syn::Path::parse_mod_style).map_err(|_| {
                syn::Error::new(
                    lit.span(),
                    "the `crate` option takes the path of this crate, such as `pins` or `::pins`",
                )
            })?
        } else {
            value.call(syn::Path::parse_mod_style)?
        };
        set_once(&mut found.krate, path, &meta.path, "crate")
    });
    parser.parse2(list)
}

/// Sets the option `name`, written at `path`, unless the table gave it already.
fn set_once<T>(slot: &mut Option<T>, value: T, path: &syn::Path, name: &str) -> syn::Result<()> {
    if slot.is_some() {
        return Err(syn::Error::new_spanned(
            path,
            format!("the `{name}` option is given twice: keep one"),
        ));
    }
    *slot = Some(value);
    Ok(())
}

fn parse_sections(input: ParseStream) -> syn::Result<Vec<Parsed<Section>>> {
    let mut sections = Vec::new();
    while !input.is_empty() {
        let section = parse_section_head(input).and_then(|head| {
            let body = parse_braces(input, "to open the section")?;
            let rows = parse_rows.parse2(body)?;
            Ok(Section { head, rows })
        });
        match section {
            Ok(section) => sections.push(Parsed::Ok(section)),
            Err(error) => {
                sections.push(Parsed::Malformed(error));
                skip_past_braces(input)?;
            }
        }
    }
    Ok(sections)
}

fn parse_section_head(input: ParseStream) -> syn::Result<SectionHead> {
    let starts_array_head =
        input.peek(LitStr) || (input.peek(Ident::peek_any) && input.peek2(Token![=>]));
    if starts_array_head {
        let source = if input.peek(LitStr) {
            Source::Lit(parse_lit_str(input)?)
        } else {
            Source::Ident(input.call(Ident::parse_any)?)
        };
        parse_arrow(input)?;
        let target = input.call(Ident::parse_any)?;
        Ok(SectionHead::Array { source, target })
    } else if input.peek(Ident::peek_any) {
        Ok(SectionHead::Named(input.call(Ident::parse_any)?))
    } else {
        Err(input.error(
            "expected a section: `events { … }`, `page { … }`, `properties { … }`, `products => line_items { … }` or `user_data { … }`",
        ))
    }
}

/// Takes a `{ … }` group, with an error that names the wrong bracket when another is used.
fn parse_braces(input: ParseStream, purpose: &str) -> syn::Result<TokenStream> {
    input.step(|cursor| match cursor.token_tree() {
        Some((TokenTree::Group(group), rest)) if group.delimiter() == Delimiter::Brace => {
            Ok((group.stream(), rest))
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

/// Skips tokens up to and including the first for which `stop` holds (or to the end).
fn skip_past(input: ParseStream, stop: impl Fn(&TokenTree) -> bool) -> syn::Result<()> {
    input.step(|cursor| {
        let mut rest = *cursor;
        while let Some((token, next)) = rest.token_tree() {
            rest = next;
            if stop(&token) {
                break;
            }
        }
        Ok(((), rest))
    })
}

/// After a malformed section: skips to the end of its braces (or of any bracketed group it
/// used instead), where the next section starts.
fn skip_past_braces(input: ParseStream) -> syn::Result<()> {
    skip_past(
        input,
        |token| matches!(token, TokenTree::Group(group) if group.delimiter() != Delimiter::None),
    )
}

/// The rows of a section, each parsed on its own: a malformed row is kept as its error and
/// parsing resumes after the next comma.
fn parse_rows(input: ParseStream) -> syn::Result<Vec<Parsed<Row>>> {
    let mut rows = Vec::new();
    while !input.is_empty() {
        match parse_row(input) {
            Ok(row) => {
                rows.push(Parsed::Ok(row));
                if input.is_empty() {
                    break;
                }
                if input.peek(Token![,]) {
                    input.parse::<Token![,]>()?;
                } else {
                    // Most likely a forgotten comma: the next row is read as if it were there.
                    rows.push(Parsed::Malformed(input.error("expected `,` between rows")));
                    if !starts_row(input) {
                        skip_past_comma(input)?;
                    }
                }
            }
            Err(error) => {
                rows.push(Parsed::Malformed(error));
                skip_past_comma(input)?;
            }
        }
    }
    Ok(rows)
}

/// Whether the next tokens can start a row: a string, `_`, or a name and `=>`.
fn starts_row(input: ParseStream) -> bool {
    input.peek(LitStr)
        || input.peek(Token![_])
        || (input.peek(Ident::peek_any) && input.peek2(Token![=>]))
}

/// After a malformed row: skips past the comma that ends it.
fn skip_past_comma(input: ParseStream) -> syn::Result<()> {
    skip_past(
        input,
        |token| matches!(token, TokenTree::Punct(punct) if punct.as_char() == ','),
    )
}

fn parse_row(input: ParseStream) -> syn::Result<Row> {
    let source = if input.peek(LitStr) {
        Source::Lit(parse_lit_str(input)?)
    } else if input.peek(Token![_]) {
        Source::Wildcard(input.parse()?)
    } else if input.peek(Ident::peek_any) {
        Source::Ident(input.call(Ident::parse_any)?)
    } else {
        return Err(input
            .error("expected a Segment name as a string literal, such as `\"Order Completed\"`"));
    };
    parse_arrow(input)?;
    let target = if input.peek(LitStr) {
        Target::Lit(parse_lit_str(input)?)
    } else if input.peek(Ident::peek_any) {
        Target::Ident(input.call(Ident::parse_any)?)
    } else {
        return Err(input.error(
            "expected a Pinterest name: an identifier such as `Checkout` or `order_id`, or a string literal",
        ));
    };
    Ok(Row { source, target })
}

/// A string literal without a suffix: `"a"x` is a literal with the suffix `x`, which Rust's
/// grammar allows but no name of a table means.
fn parse_lit_str(input: ParseStream) -> syn::Result<LitStr> {
    let lit: LitStr = input.parse()?;
    if lit.suffix().is_empty() {
        Ok(lit)
    } else {
        Err(syn::Error::new(
            lit.span(),
            format!(
                "a string literal here takes no suffix: remove `{}` after the closing quote",
                lit.suffix()
            ),
        ))
    }
}

/// `=>`, with the usual slips named, the whole of the wrong token underlined.
fn parse_arrow(input: ParseStream) -> syn::Result<()> {
    if input.peek(Token![=>]) {
        input.parse::<Token![=>]>()?;
        return Ok(());
    }
    let slip = |found: &str, tokens: &dyn quote::ToTokens| {
        syn::Error::new_spanned(
            tokens,
            format!(
                "expected `=>`, found `{found}`: rows are written `\"Segment name\" => Pinterest name`"
            ),
        )
    };
    Err(if input.peek(Token![->]) {
        slip("->", &input.parse::<Token![->]>()?)
    } else if input.peek(Token![=]) {
        slip("=", &input.parse::<Token![=]>()?)
    } else if input.peek(Token![:]) {
        slip(":", &input.parse::<Token![:]>()?)
    } else {
        input.error("expected `=>`")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    /// Every syntax error of a table, in source order.
    fn error_messages(tokens: TokenStream) -> Vec<String> {
        let table = match parse(tokens) {
            Ok(table) => table,
            Err(error) => return vec![error.to_string()],
        };
        let mut messages: Vec<String> = table
            .option_errors
            .iter()
            .map(ToString::to_string)
            .collect();
        for section in &table.sections {
            match section {
                Parsed::Ok(section) => {
                    for row in &section.rows {
                        if let Parsed::Malformed(error) = row {
                            messages.push(error.to_string());
                        }
                    }
                }
                Parsed::Malformed(error) => messages.push(error.to_string()),
            }
        }
        messages
    }

    /// The parts, none of them malformed.
    fn parsed<T>(parts: &[Parsed<T>]) -> Vec<&T> {
        parts
            .iter()
            .map(|part| match part {
                Parsed::Ok(part) => part,
                Parsed::Malformed(error) => panic!("{error}"),
            })
            .collect()
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
        assert!(table.krate.is_none());
        let sections = parsed(&table.sections);
        let counts: Vec<usize> = sections.iter().map(|s| s.rows.len()).collect();
        assert_eq!(counts, [2, 2, 1, 1, 0]);
        assert!(matches!(
            parsed(&sections[1].rows)[1].source,
            Source::Wildcard(_)
        ));
        assert!(matches!(
            parsed(&sections[0].rows)[1].target,
            Target::Lit(_)
        ));
        assert!(matches!(
            &sections[4].head,
            SectionHead::Array { source: Source::Lit(_), target } if target == "line_items"
        ));
    }

    #[test]
    fn every_malformed_row_is_reported_and_the_rest_parsed() {
        let tokens = quote! {
            mod spec {
                events { "Order Completed" Checkout, "Product Added" => AddToCart }
                properties { "query" => search_query "value" => value, "a" -> order_id, "b" => order_id }
                page { category => ViewCategory, 42, _ => PageVisit }
            }
        };
        assert_eq!(
            error_messages(tokens.clone()),
            [
                "expected `=>`",
                "expected `,` between rows",
                "expected `=>`, found `->`: rows are written `\"Segment name\" => Pinterest name`",
                "expected a Segment name as a string literal, such as `\"Order Completed\"`",
            ]
        );
        let table = parse(tokens).unwrap_or_else(|error| panic!("{error}"));
        let parsed: Vec<usize> = table
            .sections
            .iter()
            .map(|section| match section {
                Parsed::Ok(section) => section
                    .rows
                    .iter()
                    .filter(|row| matches!(row, Parsed::Ok(_)))
                    .count(),
                Parsed::Malformed(_) => 0,
            })
            .collect();
        assert_eq!(parsed, [1, 3, 2]);
    }

    #[test]
    fn a_missing_comma_before_no_row_skips_to_the_next_one() {
        assert_eq!(
            error_messages(quote!(mod spec { events { "a" => Lead Lead, "b" => Lead } })),
            ["expected `,` between rows"]
        );
    }

    #[test]
    fn names_wrong_brackets_and_goes_on_with_the_next_section() {
        assert_eq!(
            error_messages(
                quote!(mod spec { events ( "a" => Lead ) page -> { _ => Lead } properties { "a" = value } })
            ),
            [
                "expected `{` to open the section, found parentheses: the table uses curly braces",
                "expected `{` to open the section",
                "expected `=>`, found `=`: rows are written `\"Segment name\" => Pinterest name`",
            ]
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
                "expected a section: `events { … }`, `page { … }`, `properties { … }`, `products => line_items { … }` or `user_data { … }`"
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

    #[test]
    fn reads_the_crate_option() {
        for option in [
            quote!(#[mapping(crate = pins)]),
            quote!(#[mapping(crate = "::pins")]),
        ] {
            let table = parse(quote!(#option #[doc = "Docs."] mod spec { events { "a" => Lead } }))
                .unwrap_or_else(|error| panic!("{error}"));
            let krate = table.krate.expect("the option is read");
            assert_eq!(
                krate.segments.last().map(|last| last.ident.to_string()),
                Some("pins".to_owned())
            );
            assert_eq!(table.attrs.len(), 1, "the option is not passed on");
        }
        assert_eq!(
            error_messages(quote!(#[mapping(crat = pins)] mod spec { events { "a" => Lead } })),
            [
                "unknown table option `crat`: the options are `crate = path`, naming this crate when it is renamed, `plan = \"file\"`, the tracking plan the table is checked against, and `strict`, making the plan's unmapped events errors"
            ]
        );
        assert_eq!(
            error_messages(
                quote!(#[mapping(crate = a, crate = b)] mod spec { events { "a" => Lead } })
            ),
            ["the `crate` option is given twice: keep one"]
        );
    }

    #[test]
    fn reads_the_plan_option() {
        let table = parse(
            quote!(#[mapping(crate = pins, plan = "plans/shop.json")] mod spec { events { "a" => Lead } }),
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(
            matches!(&table.plan, Some(PlanSource::File(file)) if file.value() == "plans/shop.json")
        );
        assert!(table.krate.is_some());
        let table =
            parse(quote!(#[mapping(plan = segment_spec)] mod spec { events { "a" => Lead } }))
                .unwrap_or_else(|error| panic!("{error}"));
        assert!(matches!(table.plan, Some(PlanSource::SegmentSpec(_))));
        for (option, message) in [
            (
                quote!(#[mapping(plan = shop)]),
                "the `plan` option takes the tracking plan's file as a string, relative to this crate's `Cargo.toml`, such as `plan = \"tracking-plan.json\"`, or `segment_spec` for Segment's spec",
            ),
            (
                quote!(#[mapping(plan = "a.json", plan = "b.json")]),
                "the `plan` option is given twice: keep one",
            ),
        ] {
            assert_eq!(
                error_messages(quote!(#option mod spec { events { "a" => Lead } })),
                [message]
            );
        }
    }

    /// Found by fuzzing: syn, built as the macro builds it (without its `full` feature), reads
    /// an attribute's `name = value` as an expression, by recursion, and a long run of `<<`
    /// and `<` overflowed the stack (the input is `fuzz/seeds/expand/attribute-value-*`).
    /// Attributes are now passed on as written, unread.
    #[test]
    fn passes_attributes_on_without_reading_them() {
        let table = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let nested = format!("f({})", "a << ".repeat(5_000) + "0");
                let deep = format!("g{}{}", "(".repeat(20), ")".repeat(20));
                let tokens: TokenStream = format!(
                    r#"#[doc = {nested}] #[cfg({deep})] mod spec {{ events {{ "a" => Lead }} }}"#
                )
                .parse()
                .expect("tokens");
                parse(tokens)
                    .map(|table| table.attrs.len())
                    .map_err(|error| error.to_string())
            })
            .expect("a thread")
            .join()
            .expect("no overflow");
        assert_eq!(table, Ok(2));
        assert_eq!(
            error_messages(quote!(#[mapping] mod spec { events { "a" => Lead } })),
            [
                "the table's options are written `#[mapping(crate = path)]` or `#[mapping(plan = \"file\")]`"
            ]
        );
        assert_eq!(
            error_messages(quote!(#[mapping = "pins"] mod spec { events { "a" => Lead } })),
            [
                "the table's options are written `#[mapping(crate = path)]` or `#[mapping(plan = \"file\")]`"
            ]
        );
        assert_eq!(
            error_messages("# mod spec {}".parse().expect("tokens")),
            ["expected `[` after `#`: attributes are written `#[…]`"]
        );
    }

    /// Found by fuzzing: a path in a string, with generic arguments nested thousands deep, was
    /// read as any path is, by recursion, and overflowed the stack. A thread with a small
    /// stack shows the recursion at once.
    #[test]
    fn reads_a_crate_path_in_a_string_without_recursion() {
        let messages = std::thread::Builder::new()
            .stack_size(128 * 1024)
            .spawn(|| {
                let nested = format!("a{}{}", "<a".repeat(5_000), ">".repeat(5_000));
                let table: TokenStream = format!(
                    r#"#[mapping(crate = "{nested}")] mod spec {{ events {{ "a" => Lead }} }}"#
                )
                .parse()
                .expect("tokens");
                error_messages(table)
            })
            .expect("a thread")
            .join()
            .expect("no overflow");
        assert_eq!(
            messages,
            ["the `crate` option takes the path of this crate, such as `pins` or `::pins`"]
        );
    }
}
