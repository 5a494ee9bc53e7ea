//! Syntax tree → checked model. Every rule is a `check_*` function; every mistake in the table
//! is collected, in source order, and reported together.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt::Display;

use proc_macro2::{Ident, Span};

use crate::ast::{self, Parsed, Row, Section, SectionHead, Source, Target};
use crate::model::{Event, EventTarget, Field, LineItems, Mapping, Page, Record, UserDataRow};
use crate::plan::{Loaded, Types};
use crate::vocabulary::{
    EVENT_CODES, FieldScope, LINE_ITEMS, NAMED_SECTIONS, PAGE_CATEGORY_ARM, SectionKind,
    USER_DATA_FIELDS, joined, list, user_data_alias,
};
use pinterest_mapping_vocabulary::keys;
use pinterest_mapping_vocabulary::suggest::closest;

/// Collects errors; a check reports a problem and carries on with the next row.
#[derive(Default)]
struct Ctxt {
    errors: Vec<syn::Error>,
    /// The products section's head as the table writes it (`lines => line_items`), for
    /// advice that names it.
    products: Option<String>,
    /// The tracking plan the table names, when it could be read.
    plan: Option<Loaded>,
}

impl Ctxt {
    /// A section's name as this table writes it.
    fn section_name(&self, kind: SectionKind) -> String {
        match (kind, &self.products) {
            (SectionKind::Products, Some(head)) => head.clone(),
            _ => kind.display().to_owned(),
        }
    }

    /// Where `line_items` comes from: this table's products section, or one to write.
    fn line_items_advice(&self) -> String {
        match &self.products {
            Some(head) => format!(
                "`line_items` is filled by the `{head}` section: bind product properties there"
            ),
            None => "`line_items` is filled by the products section: write `products => line_items { … }`"
                .to_owned(),
        }
    }

    fn error(&mut self, span: Span, message: impl Display) {
        self.errors.push(syn::Error::new(span, message));
    }

    /// The part when it parsed; otherwise its syntax error is reported here, among the
    /// mistakes around it.
    fn parsed<'p, T>(&mut self, part: &'p Parsed<T>) -> Option<&'p T> {
        match part {
            Parsed::Ok(part) => Some(part),
            Parsed::Malformed(error) => {
                self.errors.push(error.clone());
                None
            }
        }
    }

    fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    fn finish<T>(self, value: T) -> syn::Result<T> {
        match self.errors.into_iter().reduce(|mut all, error| {
            all.combine(error);
            all
        }) {
            Some(errors) => Err(errors),
            None => Ok(value),
        }
    }
}

/// Checks a parsed table and builds its model. The syntax errors the parser kept are reported
/// where they stand among the other mistakes.
pub fn check(table: ast::Table, plan: Option<syn::Result<Loaded>>) -> syn::Result<Mapping> {
    let mut cx = Ctxt::default();
    cx.errors.extend(table.option_errors);
    match plan {
        Some(Ok(plan)) => cx.plan = Some(plan),
        Some(Err(error)) => cx.errors.push(error),
        None => {}
    }
    let mut mapping = Mapping {
        attrs: table.attrs,
        krate: table
            .krate
            .unwrap_or_else(|| syn::parse_quote!(::pinterest_mapping)),
        vis: table.vis,
        ident: table.ident,
        events: Vec::new(),
        page: Page::default(),
        event_data: Record::default(),
        line_items: None,
        user_data: None,
        plan_path: cx.plan.as_ref().and_then(|plan| plan.path.clone()),
        unmapped: Vec::new(),
        plan_span: cx.plan.as_ref().map(|plan| plan.span),
    };
    if let Some(strict) = table.strict
        && table.plan.is_none()
    {
        cx.error(
            strict,
            "`strict` makes a tracking plan's unmapped events errors: name the plan too, `#[mapping(plan = \"file\", strict)]`",
        );
    }
    cx.products = table.sections.iter().find_map(|section| match section {
        Parsed::Ok(Section {
            head: SectionHead::Array { source, .. },
            ..
        }) => Some(format!("{} => line_items", source_text(source))),
        _ => None,
    });
    let mut seen_sections: Vec<(SectionKind, Span)> = Vec::new();
    for section in table.sections {
        let section = match section {
            Parsed::Ok(section) => section,
            Parsed::Malformed(error) => {
                cx.errors.push(error);
                continue;
            }
        };
        let Some(kind) = check_section_head(&mut cx, &section, &mut seen_sections) else {
            // The rows are not checked, but their syntax errors are still reported.
            for row in &section.rows {
                cx.parsed(row);
            }
            continue;
        };
        match kind {
            SectionKind::Events => mapping.events = check_events(&mut cx, &section.rows),
            SectionKind::Page => mapping.page = check_page(&mut cx, &section.rows),
            SectionKind::Properties => {
                mapping.event_data =
                    check_record(&mut cx, &section.rows, FieldScope::EventData, None);
            }
            SectionKind::UserData => {
                mapping.user_data = Some(check_user_data(&mut cx, &section.rows));
            }
            SectionKind::Products => {
                let SectionHead::Array { source, .. } = &section.head else {
                    continue;
                };
                let array = check_array_name(&mut cx, source);
                let loose_array = array.as_ref().map(|(name, span)| {
                    let loose = keys::loose(name);
                    check_planned_property(&mut cx, name, &loose, *span, None);
                    loose
                });
                let record = check_record(
                    &mut cx,
                    &section.rows,
                    FieldScope::LineItem,
                    // Without a valid array, its fields are not checked against the plan.
                    Some(loose_array.as_deref().unwrap_or_default()),
                );
                if let Some((source, span)) = array {
                    mapping.line_items = Some(LineItems {
                        source,
                        span,
                        record,
                    });
                }
            }
        }
    }
    if !cx.has_errors() {
        check_binds_something(&mut cx, &mapping);
    }
    check_unmapped_events(&mut cx, &mut mapping, table.strict.is_some());
    cx.finish(mapping)
}

/// Identifies a section; reports unknown, misspelt and repeated ones. `None` skips its rows.
fn check_section_head(
    cx: &mut Ctxt,
    section: &Section,
    seen: &mut Vec<(SectionKind, Span)>,
) -> Option<SectionKind> {
    let (kind, span) = match &section.head {
        SectionHead::Named(ident) => {
            let name = ident.to_string();
            let Some((_, kind)) = NAMED_SECTIONS.iter().find(|(known, _)| *known == name) else {
                report_unknown_section(cx, ident, &name);
                return None;
            };
            (*kind, ident.span())
        }
        SectionHead::Array { source, target } => {
            if target != LINE_ITEMS {
                cx.error(
                    target.span(),
                    format!(
                        "the products section fills `line_items`, not `{target}`: write `{} => line_items {{ … }}`",
                        source_text(source)
                    ),
                );
                return None;
            }
            (SectionKind::Products, source.span())
        }
    };
    if let Some((_, first)) = seen.iter().find(|(seen_kind, _)| *seen_kind == kind) {
        let name = kind.display();
        cx.error(
            span,
            format!("duplicate `{name}` section: move its rows into the first one"),
        );
        cx.error(*first, format!("first `{name}` section here"));
        return None;
    }
    seen.push((kind, span));
    Some(kind)
}

/// Every section, in the order messages list them.
const ALL_SECTIONS: [SectionKind; 5] = [
    SectionKind::Events,
    SectionKind::Page,
    SectionKind::Properties,
    SectionKind::Products,
    SectionKind::UserData,
];

fn report_unknown_section(cx: &mut Ctxt, ident: &Ident, name: &str) {
    let named: Vec<&str> = NAMED_SECTIONS.iter().map(|(known, _)| *known).collect();
    let message = if name == "products" || name == LINE_ITEMS {
        "the products section is written `products => line_items { … }`".to_owned()
    } else if let Some(suggestion) = closest(name, &named) {
        format!("unknown section `{name}`: did you mean `{suggestion}`?")
    } else {
        format!(
            "unknown section `{name}`: a table has {} sections",
            list(&ALL_SECTIONS.map(SectionKind::display))
        )
    };
    cx.error(ident.span(), message);
}

fn source_text(source: &Source) -> String {
    match source {
        Source::Lit(lit) => format!("{:?}", lit.value()),
        Source::Ident(ident) => ident.to_string(),
        Source::Wildcard(_) => "_".to_owned(),
    }
}

/// A Segment event name seen in `events`, with its alias forms (lowercase, without
/// separators): forward, then action-first when it has one.
struct SeenEvent {
    name: String,
    span: Span,
    forms: Vec<String>,
}

/// The events seen so far, and which of them each alias form belongs to: a table of tens of
/// thousands of events is checked in time proportional to its rows.
#[derive(Default)]
struct SeenEvents {
    events: Vec<SeenEvent>,
    by_form: HashMap<String, usize>,
}

impl SeenEvents {
    /// The first event one of `forms` belongs to.
    fn first_of(&self, forms: &[String]) -> Option<&SeenEvent> {
        forms
            .iter()
            .find_map(|form| self.by_form.get(form))
            .map(|index| &self.events[*index])
    }

    fn push(&mut self, event: SeenEvent) {
        for form in &event.forms {
            self.by_form
                .entry(form.clone())
                .or_insert(self.events.len());
        }
        self.events.push(event);
    }
}

fn check_events(cx: &mut Ctxt, rows: &[Parsed<Row>]) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::new();
    let mut seen = SeenEvents::default();
    for row in rows {
        let Some(row) = cx.parsed(row) else {
            continue;
        };
        let name = check_event_name(cx, &row.source);
        let target = check_event_target(cx, &row.target);
        let Some((name, span)) = name else {
            continue;
        };
        let words = keys::event_words(&name);
        let forms = std::iter::once(words.concat())
            .chain(keys::action_first(&words).map(|words| words.concat()))
            .collect();
        let event = SeenEvent { name, span, forms };
        if check_duplicate_event(cx, &event, &seen) {
            continue;
        }
        check_planned_event(cx, &event, &words);
        if let Some(target) = target {
            events.push(Event {
                name: event.name.clone(),
                span,
                words,
                planned: Vec::new(),
                target,
            });
        }
        seen.push(event);
    }
    events
}

fn check_event_name(cx: &mut Ctxt, source: &Source) -> Option<(String, Span)> {
    match source {
        Source::Lit(lit) => {
            let name = lit.value();
            if name.trim().is_empty() {
                cx.error(
                    lit.span(),
                    "empty Segment event name: write the event as Segment receives it, such as `\"Order Completed\"`",
                );
                None
            } else if keys::event_words(&name).is_empty() {
                cx.error(
                    lit.span(),
                    format!("Segment event name {name:?} has only spaces and underscores: name the event"),
                );
                None
            } else {
                Some((name, lit.span()))
            }
        }
        Source::Ident(ident) => {
            cx.error(
                ident.span(),
                format!("Segment event names are string literals: write `\"{ident}\"`"),
            );
            None
        }
        Source::Wildcard(token) => {
            cx.error(
                token.span,
                "`_` is not allowed in `events`: events the table does not bind are sent under their own name",
            );
            None
        }
    }
}

fn check_event_target(cx: &mut Ctxt, target: &Target) -> Option<EventTarget> {
    match target {
        Target::Ident(ident) => {
            let name = ident.to_string();
            if EVENT_CODES.contains(&name.as_str()) {
                return Some(EventTarget::Standard(ident.clone()));
            }
            let message = match closest(&name, EVENT_CODES) {
                Some(suggestion) => {
                    format!("unknown Pinterest event `{name}`: did you mean `{suggestion}`?")
                }
                None => format!(
                    "unknown Pinterest event `{name}`: the standard events are {}; write a string literal such as `\"{name}\"` for a partner-defined event",
                    list(EVENT_CODES)
                ),
            };
            cx.error(ident.span(), message);
            None
        }
        Target::Lit(lit) => {
            let name = lit.value();
            if name.trim().is_empty() {
                cx.error(
                    lit.span(),
                    "empty Pinterest event name: write a standard event such as `Checkout`, or a partner-defined name",
                );
                None
            } else if EVENT_CODES.contains(&name.as_str()) {
                cx.error(
                    lit.span(),
                    format!("{name:?} is the standard event `{name}`: write it as an identifier, `{name}`"),
                );
                None
            } else {
                Some(EventTarget::Partner(name, lit.span()))
            }
        }
    }
}

/// Finds, for each event row, the planned events it is the first to match, and the planned
/// events no row maps: an error each under `strict`, otherwise left for the generated code
/// to warn of.
fn check_unmapped_events(cx: &mut Ctxt, mapping: &mut Mapping, strict: bool) {
    let Some(plan) = &cx.plan else {
        return;
    };
    let rows: Vec<&[String]> = mapping
        .events
        .iter()
        .map(|event| &event.words[..])
        .collect();
    let names = plan.names();
    let mut unmapped = Vec::new();
    for (name, row) in names.iter().zip(plan.first_rows(&rows)) {
        match row {
            Some(row) => mapping.events[row].planned.push((*name).to_owned()),
            None => unmapped.push((*name).to_owned()),
        }
    }
    if strict && !unmapped.is_empty() {
        let (events, are) = match unmapped.len() {
            1 => ("An event".to_owned(), "is"),
            count => (format!("{count} events"), "are"),
        };
        let quoted: Vec<String> = unmapped.iter().map(|name| format!("{name:?}")).collect();
        let message = format!(
            "{events} of the tracking plan `{}` {are} mapped by no row of `events`: {}; each would reach Pinterest as a partner-defined event, which conversion tracking does not count (map it, or leave out `strict` to be warned only)",
            plan.file,
            joined(&quoted)
        );
        let span = plan.span;
        cx.error(span, message);
    } else {
        mapping.unmapped = unmapped;
    }
}

/// Reports an event row that no event of the table's tracking plan reaches.
fn check_planned_event(cx: &mut Ctxt, event: &SeenEvent, words: &[String]) {
    let Some(plan) = &cx.plan else {
        return;
    };
    if plan.plans(words) {
        return;
    }
    let names = plan.names();
    let message = match closest(&event.name, &names) {
        Some(suggestion) => format!(
            "Segment event {:?} is not in the tracking plan `{}`: did you mean `{suggestion}`?",
            event.name, plan.file
        ),
        None => format!(
            "Segment event {:?} is not in the tracking plan `{}`, under Segment's alias rule or otherwise: no message would reach this row",
            event.name, plan.file
        ),
    };
    cx.error(event.span, message);
}

/// Reports a property row (or, with `array`, a field of the products section's items) that
/// no event of the table's tracking plan defines. A plan that defines no properties, or no
/// fields of the array's items, checks none.
fn check_planned_property(cx: &mut Ctxt, name: &str, loose: &str, span: Span, array: Option<&str>) {
    let Some(plan) = &cx.plan else {
        return;
    };
    let (defined, candidates, what) = match array {
        None => match plan.defines_property(loose) {
            Some(defined) => (defined, plan.property_names(), "property"),
            None => return,
        },
        Some(array) => match plan.defines_item_field(array, loose) {
            Some((defined, fields)) => (defined, fields, "product field"),
            None => return,
        },
    };
    if defined {
        return;
    }
    let message = match closest(name, &candidates) {
        Some(suggestion) => format!(
            "Segment {what} {name:?} is not in the tracking plan `{}`: did you mean `{suggestion}`?",
            plan.file
        ),
        None => format!(
            "Segment {what} {name:?} is not in the tracking plan `{}`: no planned event defines it",
            plan.file
        ),
    };
    cx.error(span, message);
}

/// The JSON types a documented Pinterest field takes, for the fields whose type the Tag and
/// the Conversions API fix (`docs/CONVERSIONS_API.md`): amounts are numbers, counts
/// integers, the currency a string.
fn field_types(key: &str) -> Option<(Types, &'static str)> {
    match key {
        "value" | "product_price" => Some((Types::NUMBER, "a number")),
        "order_quantity" | "product_quantity" => Some((Types::INTEGER, "an integer")),
        "currency" => Some((Types::STRING, "a string")),
        _ => None,
    }
}

/// Reports a row whose planned property can never have a type its Pinterest field takes.
fn check_planned_type(
    cx: &mut Ctxt,
    name: &str,
    loose: &str,
    span: Span,
    array: Option<&str>,
    key: &str,
) {
    let (Some(plan), Some((wanted, wanted_name))) = (&cx.plan, field_types(key)) else {
        return;
    };
    let Some(planned) = plan.types(loose, array) else {
        return;
    };
    if planned.meets(wanted) {
        return;
    }
    let what = if array.is_some() {
        "product field"
    } else {
        "property"
    };
    let message = format!(
        "Segment {what} {name:?} is {} in the tracking plan `{}`, but `{key}` takes {wanted_name}: bind a property planned as {wanted_name}, or change the plan",
        planned.describe(),
        plan.file
    );
    cx.error(span, message);
}

/// Reports an event that Segment's alias rule already sends to an earlier row; returns whether
/// it did.
fn check_duplicate_event(cx: &mut Ctxt, event: &SeenEvent, seen: &SeenEvents) -> bool {
    let Some(first) = seen.first_of(&event.forms) else {
        return false;
    };
    let message = if first.name == event.name {
        format!("duplicate Segment event {:?}", event.name)
    } else {
        format!(
            "duplicate Segment event {:?}: Segment's alias rule already matches it to {:?}",
            event.name, first.name
        )
    };
    cx.error(event.span, message);
    cx.error(first.span, format!("{:?} first mapped here", first.name));
    true
}

fn check_page(cx: &mut Ctxt, rows: &[Parsed<Row>]) -> Page {
    let mut page = Page::default();
    let mut with_category_span: Option<Span> = None;
    let mut without_category_span: Option<Span> = None;
    for row in rows {
        let Some(row) = cx.parsed(row) else {
            continue;
        };
        let (arm_span, first_span, arm_name) = match &row.source {
            Source::Ident(ident) if ident == PAGE_CATEGORY_ARM => {
                (ident.span(), &mut with_category_span, PAGE_CATEGORY_ARM)
            }
            Source::Wildcard(token) => (token.span, &mut without_category_span, "_"),
            other => {
                let written = source_text(other);
                let message = match closest(&written, &[PAGE_CATEGORY_ARM]) {
                    Some(suggestion) => {
                        format!("unknown page arm `{written}`: did you mean `{suggestion}`?")
                    }
                    None => format!(
                        "unknown page arm `{written}`: the page section has `category => …` for pages with a category and `_ => …` for the others"
                    ),
                };
                cx.error(other.span(), message);
                check_event_target(cx, &row.target);
                continue;
            }
        };
        let target = check_event_target(cx, &row.target);
        if let Some(first) = *first_span {
            cx.error(arm_span, format!("duplicate `{arm_name}` arm in `page`"));
            cx.error(first, format!("first `{arm_name}` arm here"));
            continue;
        }
        *first_span = Some(arm_span);
        if arm_name == PAGE_CATEGORY_ARM {
            page.with_category = target;
        } else {
            page.without_category = target;
        }
    }
    // As in a `match`, `_` covers every page the other arm does not.
    if with_category_span.is_none() {
        page.with_category = page.without_category.clone();
    }
    page
}

/// A target while its section is being checked; idents are assigned once all are known.
struct PendingField {
    key: String,
    documented: bool,
    span: Span,
}

/// `array` is the products section's Segment array, for the plan's check of its fields.
fn check_record(
    cx: &mut Ctxt,
    rows: &[Parsed<Row>],
    scope: FieldScope,
    array: Option<&str>,
) -> Record {
    let section = scope.section();
    let mut pending: Vec<PendingField> = Vec::new();
    let mut record = Record::default();
    // Loose forms of the sources so far, with the name as written and its span.
    let mut sources: HashMap<String, (String, Span)> = HashMap::new();
    // Where each field's key is in `pending`.
    let mut fields: HashMap<String, usize> = HashMap::new();
    for row in rows {
        let Some(row) = cx.parsed(row) else {
            continue;
        };
        let source = check_property_name(cx, &row.source, section);
        let target = check_field_target(cx, &row.target, scope);
        let Some((source, span)) = source else {
            continue;
        };
        let loose = keys::loose(&source);
        if let Some((first, first_span)) = sources.get(&loose) {
            let name = cx.section_name(section);
            let message = if *first == source {
                format!("Segment property {source:?} is bound twice in `{name}`")
            } else {
                format!(
                    "Segment property {source:?} is bound twice in `{name}`: property names match ignoring case and punctuation, so it is the same as {first:?}"
                )
            };
            cx.error(span, message);
            cx.error(*first_span, format!("{first:?} first bound here"));
            continue;
        }
        check_planned_property(cx, &source, &loose, span, array);
        if let Some(target) = &target {
            check_planned_type(cx, &source, &loose, span, array, &target.key);
        }
        sources.insert(loose, (source.clone(), span));
        let Some(target) = target else {
            continue;
        };
        let field = match fields.entry(target.key.clone()) {
            Entry::Occupied(index) => *index.get(),
            Entry::Vacant(place) => {
                pending.push(target);
                *place.insert(pending.len() - 1)
            }
        };
        record.rows.push(crate::model::Row {
            source,
            span,
            field,
        });
    }
    record.fields = assign_field_idents(pending);
    record
}

/// The Segment array property of the products section: `products` or `"products"`.
fn check_array_name(cx: &mut Ctxt, source: &Source) -> Option<(String, Span)> {
    let name = match source {
        Source::Lit(lit) => lit.value(),
        other => source_text(other),
    };
    check_property_text(cx, name, source.span())
}

/// A Segment property name on the left of a row.
fn check_property_name(
    cx: &mut Ctxt,
    source: &Source,
    section: SectionKind,
) -> Option<(String, Span)> {
    let name = match source {
        Source::Lit(lit) => lit.value(),
        Source::Ident(ident) => {
            cx.error(
                ident.span(),
                format!("Segment property names are string literals: write `\"{ident}\"`"),
            );
            return None;
        }
        Source::Wildcard(token) => {
            cx.error(
                token.span,
                format!(
                    "`_` is not allowed in `{}`: bind each property by name",
                    cx.section_name(section)
                ),
            );
            return None;
        }
    };
    check_property_text(cx, name, source.span())
}

fn check_property_text(cx: &mut Ctxt, name: String, span: Span) -> Option<(String, Span)> {
    if name.trim().is_empty() {
        cx.error(span, "empty Segment property name: write the property as Segment sends it, such as `\"order_id\"`");
        None
    } else if name.contains('.') {
        cx.error(
            span,
            format!("Segment property {name:?} contains `.`: the table binds top-level property names, not nested paths"),
        );
        None
    } else if keys::loose(&name).is_empty() {
        cx.error(
            span,
            format!("Segment property {name:?} can never match: property names are compared by their ASCII letters and digits only"),
        );
        None
    } else {
        Some((name, span))
    }
}

fn check_field_target(cx: &mut Ctxt, target: &Target, scope: FieldScope) -> Option<PendingField> {
    let (key, span, documented) = match target {
        Target::Ident(ident) => (ident.to_string(), ident.span(), true),
        Target::Lit(lit) => (lit.value(), lit.span(), false),
    };
    if documented && scope.fields().contains(&key.as_str()) {
        return Some(PendingField {
            key,
            documented,
            span,
        });
    }
    if let Some(message) = wrong_section_message(cx, &key, scope) {
        cx.error(span, message);
        return None;
    }
    if documented && USER_DATA_FIELDS.contains(&key.as_str()) {
        cx.error(
            span,
            format!(
                "`{key}` is an identity field of the Conversions API: bind a Segment message path to it in the `user_data` section, such as `\"context.traits.email\" => em`"
            ),
        );
        return None;
    }
    if documented {
        let noun = scope.noun();
        let message = match closest(&key, scope.fields()) {
            Some(suggestion) => format!(
                "unknown Pinterest {noun} `{key}`: did you mean `{suggestion}`? (a string literal such as `\"{key}\"` declares a custom key)"
            ),
            None => format!(
                "unknown Pinterest {noun} `{key}`: the documented {noun}s are {}; a string literal such as `\"{key}\"` declares a custom key",
                list(scope.fields())
            ),
        };
        cx.error(span, message);
        return None;
    }
    if key.trim().is_empty() {
        cx.error(
            span,
            "empty custom key: name the key Pinterest should receive",
        );
        None
    } else if scope.fields().contains(&key.as_str()) {
        cx.error(
            span,
            format!("custom key {key:?} spells the documented field `{key}`: write it as an identifier, `{key}`"),
        );
        None
    } else {
        Some(PendingField {
            key,
            documented,
            span,
        })
    }
}

/// The message for a documented name bound in the wrong section, if `key` is one.
fn wrong_section_message(cx: &Ctxt, key: &str, scope: FieldScope) -> Option<String> {
    if key == LINE_ITEMS {
        return Some(match scope {
            FieldScope::EventData => cx.line_items_advice(),
            FieldScope::LineItem => {
                "`line_items` is the list this section fills: bind each product property to a line-item field".to_owned()
            }
        });
    }
    let other = scope.other();
    other.fields().contains(&key).then(|| {
        format!(
            "`{key}` is {} {}: bind it in the `{}` section",
            other.article(),
            other.noun(),
            cx.section_name(other.section())
        )
    })
}

/// Gives every field a distinct Rust name. Documented fields keep theirs; a custom key becomes
/// a snake-case identifier, numbered when two keys would otherwise collide.
fn assign_field_idents(pending: Vec<PendingField>) -> Vec<Field> {
    let mut taken: Vec<String> = pending
        .iter()
        .filter(|field| field.documented)
        .map(|field| field.key.clone())
        .chain([LINE_ITEMS.to_owned()])
        .collect();
    pending
        .into_iter()
        .map(|field| {
            let name = if field.documented {
                field.key.clone()
            } else {
                let base = rust_field_name(&field.key);
                let mut name = base.clone();
                let mut number = 2;
                while taken.contains(&name) {
                    name = format!("{base}_{number}");
                    number += 1;
                }
                taken.push(name.clone());
                name
            };
            Field {
                ident: Ident::new(&name, field.span),
                key: field.key,
                documented: field.documented,
            }
        })
        .collect()
}

/// `"Coupon Code"` → `coupon_code`; keywords get a trailing underscore, a leading digit the
/// prefix `key_` (a leading underscore would read as an unused field).
fn rust_field_name(key: &str) -> String {
    let mut name = String::new();
    for c in key.chars() {
        if c.is_ascii_alphanumeric() {
            name.push(c.to_ascii_lowercase());
        } else if !name.is_empty() && !name.ends_with('_') {
            name.push('_');
        }
    }
    while name.ends_with('_') {
        name.pop();
    }
    if name.is_empty() {
        name.push_str("custom");
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert_str(0, "key_");
    }
    if syn::parse_str::<Ident>(&name).is_err() {
        name.push('_');
    }
    name
}

fn check_user_data(cx: &mut Ctxt, rows: &[Parsed<Row>]) -> Vec<UserDataRow> {
    let mut checked = Vec::new();
    // Each path as written (with its parameter), and where.
    let mut seen: HashMap<String, Span> = HashMap::new();
    for row in rows {
        let Some(row) = cx.parsed(row) else {
            continue;
        };
        let source = check_user_data_path(cx, &row.source);
        let field = check_user_data_field(cx, &row.target);
        let Some((written, path, parameter, span)) = source else {
            continue;
        };
        if let Some(first) = seen.get(&written) {
            cx.error(
                span,
                format!("Segment path {written:?} is bound twice in `user_data`: a path feeds one identity field"),
            );
            cx.error(*first, format!("{written:?} first bound here"));
            continue;
        }
        seen.insert(written, span);
        if let Some(field) = field {
            checked.push(UserDataRow {
                path,
                parameter,
                field,
                span,
            });
        }
    }
    checked
}

/// A path in the Segment message (`"context.traits.email"`), or a query parameter of the URL or
/// query string at a path (`"context.page.search?epik"`): the path as written, its keys, its
/// parameter, and its span.
fn check_user_data_path(
    cx: &mut Ctxt,
    source: &Source,
) -> Option<(String, String, Option<String>, Span)> {
    let lit = match source {
        Source::Lit(lit) => lit,
        Source::Ident(ident) => {
            cx.error(
                ident.span(),
                format!("Segment paths are string literals: write `\"{ident}\"`"),
            );
            return None;
        }
        Source::Wildcard(token) => {
            cx.error(
                token.span,
                "`_` is not allowed in `user_data`: bind each path in the message by name",
            );
            return None;
        }
    };
    let written = lit.value();
    let span = lit.span();
    if written.trim().is_empty() {
        cx.error(
            span,
            "empty Segment path: write where the value is in the message, such as `\"context.traits.email\"`",
        );
        return None;
    }
    let (path, parameter) = match written.split_once('?') {
        Some((path, parameter)) => (path, Some(parameter)),
        None => (written.as_str(), None),
    };
    if let Some(parameter) = parameter {
        if parameter.contains('?') {
            cx.error(
                span,
                format!("Segment path {written:?} has more than one `?`: a path reads one query parameter, as in `\"context.page.search?epik\"`"),
            );
            return None;
        }
        if parameter.is_empty() {
            cx.error(
                span,
                format!("Segment path {written:?} names no query parameter after `?`: write the parameter, as in `\"context.page.search?epik\"`"),
            );
            return None;
        }
    }
    if path.split('.').any(str::is_empty) {
        cx.error(
            span,
            format!("Segment path {written:?} has an empty key: keys are separated by single dots, as in `\"context.traits.email\"`"),
        );
        return None;
    }
    Some((
        written.clone(),
        path.to_owned(),
        parameter.map(str::to_owned),
        span,
    ))
}

/// An identity field: an identifier the Conversions API names in `user_data`.
fn check_user_data_field(cx: &mut Ctxt, target: &Target) -> Option<Ident> {
    let ident = match target {
        Target::Ident(ident) => ident,
        Target::Lit(lit) => {
            let name = lit.value();
            let message = if USER_DATA_FIELDS.contains(&name.as_str()) {
                format!(
                    "{name:?} is the identity field `{name}`: write it as an identifier, `{name}`"
                )
            } else {
                format!(
                    "`user_data` binds the Conversions API's identity fields, written as identifiers ({}): the API takes no other keys",
                    list(USER_DATA_FIELDS)
                )
            };
            cx.error(lit.span(), message);
            return None;
        }
    };
    let name = ident.to_string();
    if USER_DATA_FIELDS.contains(&name.as_str()) {
        return Some(ident.clone());
    }
    let message = if let Some(scope) = [FieldScope::EventData, FieldScope::LineItem]
        .into_iter()
        .find(|scope| scope.fields().contains(&name.as_str()))
    {
        format!(
            "`{name}` is {} {}: bind it in the `{}` section",
            scope.article(),
            scope.noun(),
            cx.section_name(scope.section())
        )
    } else if name == LINE_ITEMS {
        cx.line_items_advice()
    } else if let Some(suggestion) =
        closest(&name, USER_DATA_FIELDS).or_else(|| user_data_alias(&name))
    {
        format!("unknown identity field `{name}`: did you mean `{suggestion}`?")
    } else {
        format!(
            "unknown identity field `{name}`: the Conversions API's identity fields are {}",
            list(USER_DATA_FIELDS)
        )
    };
    cx.error(ident.span(), message);
    None
}

fn check_binds_something(cx: &mut Ctxt, mapping: &Mapping) {
    let page_arms = usize::from(mapping.page.with_category.is_some())
        + usize::from(mapping.page.without_category.is_some());
    let product_rows = mapping
        .line_items
        .as_ref()
        .map_or(0, |line_items| line_items.record.rows.len());
    let user_data_rows = mapping.user_data.as_ref().map_or(0, Vec::len);
    if mapping.events.len()
        + page_arms
        + mapping.event_data.rows.len()
        + product_rows
        + user_data_rows
        == 0
    {
        cx.error(
            mapping.ident.span(),
            format!(
                "the mapping table `{}` binds nothing: add an `events`, `page`, `properties`, `products => line_items` or `user_data` section with at least one row",
                mapping.ident
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::TokenStream;
    use quote::quote;

    fn messages(tokens: TokenStream) -> Vec<String> {
        let table = ast::parse(tokens).unwrap_or_else(|error| panic!("unreadable table: {error}"));
        match check(table, None) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    /// The messages of a table checked against a plan of `plan`'s text.
    fn messages_with_plan(tokens: TokenStream, plan: &str) -> Vec<String> {
        let table = ast::parse(tokens).unwrap_or_else(|error| panic!("unreadable table: {error}"));
        match check(
            table,
            Some(Ok(Loaded::from_text("plan.json", plan).unwrap())),
        ) {
            Ok(_) => Vec::new(),
            Err(errors) => errors.into_iter().map(|error| error.to_string()).collect(),
        }
    }

    const SHOP_PLAN: &str = r#"{
        "Order Completed": {"properties": {
            "total": {"type": "number"}, "currency": {"type": "string"},
            "products": {"type": "array", "items": {"properties": {
                "sku": {"type": "string"}, "price": {"type": "number"}}}}}},
        "Products Searched": {"properties": {"query": {"type": "string"}}},
        "Signed Up": {}
    }"#;

    #[test]
    fn event_rows_are_checked_against_the_plan_under_the_alias_rule() {
        assert_eq!(
            messages_with_plan(
                quote!(mod m { events {
                    "order_completed" => Checkout,
                    "Searched Products" => Search,
                    "Signed up" => Signup,
                    "Order Complted" => Lead,
                    "Newsletter Joined" => "Newsletter",
                } }),
                SHOP_PLAN
            ),
            [
                "Segment event \"Order Complted\" is not in the tracking plan `plan.json`: did you mean `Order Completed`?",
                "Segment event \"Newsletter Joined\" is not in the tracking plan `plan.json`, under Segment's alias rule or otherwise: no message would reach this row",
            ]
        );
    }

    #[test]
    fn properties_and_product_fields_are_checked_against_the_plan() {
        assert_eq!(
            messages_with_plan(
                quote!(mod m {
                    properties { "Total" => value, "totl" => order_id, "query" => search_query, "coupon" => "coupon" }
                    products => line_items { "sku" => product_id, "prise" => product_price }
                }),
                SHOP_PLAN
            ),
            [
                "Segment property \"totl\" is not in the tracking plan `plan.json`: did you mean `total`?",
                "Segment property \"coupon\" is not in the tracking plan `plan.json`: no planned event defines it",
                "Segment product field \"prise\" is not in the tracking plan `plan.json`: did you mean `price`?",
            ]
        );
        assert_eq!(
            messages_with_plan(
                quote!(mod m { items => line_items { "sku" => product_id } }),
                SHOP_PLAN
            ),
            [
                "Segment property \"items\" is not in the tracking plan `plan.json`: no planned event defines it"
            ]
        );
    }

    #[test]
    fn bindings_whose_planned_type_can_never_fit_are_errors() {
        let plan = r#"{
            "Order Completed": {"properties": {
                "total": {"type": "string"}, "revenue": {"type": ["string", "number"]},
                "items": {"type": "number"}, "code": {"type": "integer"}, "note": {},
                "products": {"items": {"properties": {
                    "price": {"type": ["string", "null"]}, "quantity": {"type": "number"}}}}}},
            "Order Updated": {"properties": {"total": {"type": "boolean"}}}
        }"#;
        assert_eq!(
            messages_with_plan(
                quote!(mod m {
                    properties {
                        "total" => value, "revenue" => order_id, "items" => order_quantity,
                        "code" => currency, "note" => promo_code,
                    }
                    products => line_items { "price" => product_price, "quantity" => product_quantity }
                }),
                plan
            ),
            [
                "Segment property \"total\" is a boolean or a string in the tracking plan `plan.json`, but `value` takes a number: bind a property planned as a number, or change the plan",
                "Segment property \"code\" is an integer in the tracking plan `plan.json`, but `currency` takes a string: bind a property planned as a string, or change the plan",
                "Segment product field \"price\" is null or a string in the tracking plan `plan.json`, but `product_price` takes a number: bind a property planned as a number, or change the plan",
            ]
        );
    }

    #[test]
    fn a_plan_of_names_only_checks_no_property() {
        assert_eq!(
            messages_with_plan(
                quote!(mod m { properties { "anything" => value } }),
                r#"{"rules": [{"type": "TRACK", "key": "Order Completed", "version": 1}]}"#
            ),
            Vec::<String>::new()
        );
    }

    #[test]
    fn unknown_event_types_get_suggestions() {
        assert_eq!(
            messages(quote!(mod m { events { "a" => Chekout, "b" => checkout, "c" => Purchase } })),
            [
                "unknown Pinterest event `Chekout`: did you mean `Checkout`?",
                "unknown Pinterest event `checkout`: did you mean `Checkout`?",
                "unknown Pinterest event `Purchase`: the standard events are `Checkout`, `AddToCart`, `PageVisit`, `Signup`, `WatchVideo`, `Lead`, `Search`, `ViewCategory` and `Custom`; write a string literal such as `\"Purchase\"` for a partner-defined event",
            ]
        );
    }

    #[test]
    fn partner_events_are_string_literals() {
        assert_eq!(
            messages(quote!(mod m { events { "a" => "Purchase", "b" => "Checkout", "c" => " " } })),
            [
                "\"Checkout\" is the standard event `Checkout`: write it as an identifier, `Checkout`",
                "empty Pinterest event name: write a standard event such as `Checkout`, or a partner-defined name",
            ]
        );
    }

    #[test]
    fn duplicate_events_under_the_alias_rule() {
        assert_eq!(
            messages(quote!(mod m { events {
                "Order Completed" => Checkout,
                "order_completed" => Checkout,
                "Completed Order" => Checkout,
                "Order Completed" => Lead,
                "OrderCompleted" => Lead,
            } })),
            [
                "duplicate Segment event \"order_completed\": Segment's alias rule already matches it to \"Order Completed\"",
                "\"Order Completed\" first mapped here",
                "duplicate Segment event \"Completed Order\": Segment's alias rule already matches it to \"Order Completed\"",
                "\"Order Completed\" first mapped here",
                "duplicate Segment event \"Order Completed\"",
                "\"Order Completed\" first mapped here",
                "duplicate Segment event \"OrderCompleted\": Segment's alias rule already matches it to \"Order Completed\"",
                "\"Order Completed\" first mapped here",
            ]
        );
    }

    #[test]
    fn duplicates_are_found_even_when_a_target_is_wrong() {
        assert_eq!(
            messages(
                quote!(mod m { events { "Order Completed" => Chekout, "completed order" => Checkout } })
            ),
            [
                "unknown Pinterest event `Chekout`: did you mean `Checkout`?",
                "duplicate Segment event \"completed order\": Segment's alias rule already matches it to \"Order Completed\"",
                "\"Order Completed\" first mapped here",
            ]
        );
    }

    #[test]
    fn event_names_must_be_non_empty_literals() {
        assert_eq!(
            messages(
                quote!(mod m { events { "" => Lead, " _ " => Lead, Signup => Signup, _ => Lead } })
            ),
            [
                "empty Segment event name: write the event as Segment receives it, such as `\"Order Completed\"`",
                "Segment event name \" _ \" has only spaces and underscores: name the event",
                "Segment event names are string literals: write `\"Signup\"`",
                "`_` is not allowed in `events`: events the table does not bind are sent under their own name",
            ]
        );
    }

    #[test]
    fn unknown_fields_get_suggestions_and_the_custom_key_hint() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "q" => serach_query, "x" => frobnicate }
                products => line_items { "p" => product_prise }
            })),
            [
                "unknown Pinterest event-data field `serach_query`: did you mean `search_query`? (a string literal such as `\"serach_query\"` declares a custom key)",
                "unknown Pinterest event-data field `frobnicate`: the documented event-data fields are `value`, `order_quantity`, `currency`, `order_id`, `promo_code`, `property`, `search_query`, `video_title`, `lead_type`, `page_name` and `event_id`; a string literal such as `\"frobnicate\"` declares a custom key",
                "unknown Pinterest line-item field `product_prise`: did you mean `product_price`? (a string literal such as `\"product_prise\"` declares a custom key)",
            ]
        );
    }

    #[test]
    fn advice_names_the_tables_own_products_section() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "price" => product_price, "items" => line_items }
                lines => line_items { "q" => search_query, "q" => product_id }
                user_data { "traits.sku" => product_id }
            })),
            [
                "`product_price` is a line-item field: bind it in the `lines => line_items` section",
                "`line_items` is filled by the `lines => line_items` section: bind product properties there",
                "`search_query` is an event-data field: bind it in the `properties` section",
                "Segment property \"q\" is bound twice in `lines => line_items`",
                "\"q\" first bound here",
                "`product_id` is a line-item field: bind it in the `lines => line_items` section",
            ]
        );
        assert_eq!(
            messages(quote!(mod m {
                properties { "items" => line_items }
            })),
            [
                "`line_items` is filled by the products section: write `products => line_items { … }`"
            ]
        );
    }

    #[test]
    fn fields_in_the_wrong_section() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "price" => product_price, "items" => line_items, "x" => "product_id" }
                products => line_items { "q" => search_query, "l" => line_items }
            })),
            [
                "`product_price` is a line-item field: bind it in the `products => line_items` section",
                "`line_items` is filled by the `products => line_items` section: bind product properties there",
                "`product_id` is a line-item field: bind it in the `products => line_items` section",
                "`search_query` is an event-data field: bind it in the `properties` section",
                "`line_items` is the list this section fills: bind each product property to a line-item field",
            ]
        );
    }

    #[test]
    fn custom_keys_must_not_spell_documented_fields() {
        assert_eq!(
            messages(quote!(mod m { properties { "value" => "value", "a" => "" } })),
            [
                "custom key \"value\" spells the documented field `value`: write it as an identifier, `value`",
                "empty custom key: name the key Pinterest should receive",
            ]
        );
    }

    #[test]
    fn properties_bound_twice_in_a_section() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "query" => search_query, "query" => "q", "Order-ID" => order_id, "orderId" => order_id }
                products => line_items { "price" => product_price, "price" => product_price }
            })),
            [
                "Segment property \"query\" is bound twice in `properties`",
                "\"query\" first bound here",
                "Segment property \"orderId\" is bound twice in `properties`: property names match ignoring case and punctuation, so it is the same as \"Order-ID\"",
                "\"Order-ID\" first bound here",
                "Segment property \"price\" is bound twice in `products => line_items`",
                "\"price\" first bound here",
            ]
        );
    }

    #[test]
    fn property_names_that_cannot_match() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "" => value, "a.b" => value, "--" => value, query => search_query }
                "" => line_items { "x" => product_id }
            })),
            [
                "empty Segment property name: write the property as Segment sends it, such as `\"order_id\"`",
                "Segment property \"a.b\" contains `.`: the table binds top-level property names, not nested paths",
                "Segment property \"--\" can never match: property names are compared by their ASCII letters and digits only",
                "Segment property names are string literals: write `\"query\"`",
                "empty Segment property name: write the property as Segment sends it, such as `\"order_id\"`",
            ]
        );
    }

    #[test]
    fn sections_unknown_misspelt_and_repeated() {
        assert_eq!(
            messages(quote!(mod m {
                evnts { "a" => Lead }
                products { "price" => product_price }
                extras { "a" => Lead }
                events { "a" => Lead }
                events { "b" => Lead }
                items => line_item { "price" => product_price }
            })),
            [
                "unknown section `evnts`: did you mean `events`?",
                "the products section is written `products => line_items { … }`",
                "unknown section `extras`: a table has `events`, `page`, `properties`, `products => line_items` and `user_data` sections",
                "duplicate `events` section: move its rows into the first one",
                "first `events` section here",
                "the products section fills `line_items`, not `line_item`: write `items => line_items { … }`",
            ]
        );
    }

    #[test]
    fn user_data_paths_and_fields() {
        assert_eq!(
            messages(quote!(mod m {
                user_data {
                    "context.traits.email" => em,
                    "traits.email" => email,
                    "context.ip" => client_ip,
                    "traits.phone" => telephone,
                    "properties.total" => value,
                    "properties.sku" => product_id,
                    "traits.name" => "name",
                    "traits.first" => "fn",
                    "context..ip" => client_ip_address,
                    ".userId" => external_id,
                    "" => em,
                    "context.page.search?" => click_id,
                    "context.page.search?a?b" => click_id,
                    userId => external_id,
                    _ => em,
                    "context.traits.email" => ph,
                    "context.page.search?epik" => click_id,
                }
            })),
            [
                "unknown identity field `email`: did you mean `em`?",
                "unknown identity field `client_ip`: did you mean `client_ip_address`?",
                "unknown identity field `telephone`: the Conversions API's identity fields are `em`, `ph`, `fn`, `ln`, `ge`, `db`, `ct`, `st`, `zp`, `country`, `external_id`, `hashed_maids`, `client_ip_address`, `client_user_agent` and `click_id`",
                "`value` is an event-data field: bind it in the `properties` section",
                "`product_id` is a line-item field: bind it in the `products => line_items` section",
                "`user_data` binds the Conversions API's identity fields, written as identifiers (`em`, `ph`, `fn`, `ln`, `ge`, `db`, `ct`, `st`, `zp`, `country`, `external_id`, `hashed_maids`, `client_ip_address`, `client_user_agent` and `click_id`): the API takes no other keys",
                "\"fn\" is the identity field `fn`: write it as an identifier, `fn`",
                "Segment path \"context..ip\" has an empty key: keys are separated by single dots, as in `\"context.traits.email\"`",
                "Segment path \".userId\" has an empty key: keys are separated by single dots, as in `\"context.traits.email\"`",
                "empty Segment path: write where the value is in the message, such as `\"context.traits.email\"`",
                "Segment path \"context.page.search?\" names no query parameter after `?`: write the parameter, as in `\"context.page.search?epik\"`",
                "Segment path \"context.page.search?a?b\" has more than one `?`: a path reads one query parameter, as in `\"context.page.search?epik\"`",
                "Segment paths are string literals: write `\"userId\"`",
                "`_` is not allowed in `user_data`: bind each path in the message by name",
                "Segment path \"context.traits.email\" is bound twice in `user_data`: a path feeds one identity field",
                "\"context.traits.email\" first bound here",
            ]
        );
    }

    #[test]
    fn identity_fields_belong_to_user_data() {
        assert_eq!(
            messages(quote!(mod m {
                properties { "email" => em, "em" => "em" }
                products => line_items { "ip" => client_ip_address }
            })),
            [
                "`em` is an identity field of the Conversions API: bind a Segment message path to it in the `user_data` section, such as `\"context.traits.email\" => em`",
                "`client_ip_address` is an identity field of the Conversions API: bind a Segment message path to it in the `user_data` section, such as `\"context.traits.email\" => em`",
            ]
        );
    }

    #[test]
    fn a_table_of_user_data_alone_binds_something() {
        assert_eq!(
            messages(quote!(mod m { user_data { "userId" => external_id } })),
            Vec::<String>::new()
        );
    }

    #[test]
    fn page_arms() {
        assert_eq!(
            messages(
                quote!(mod m { page { categroy => ViewCategory, kind => PageVisit, _ => PageVisit, _ => Lead } })
            ),
            [
                "unknown page arm `categroy`: did you mean `category`?",
                "unknown page arm `kind`: the page section has `category => …` for pages with a category and `_ => …` for the others",
                "duplicate `_` arm in `page`",
                "first `_` arm here",
            ]
        );
    }

    #[test]
    fn an_empty_table_is_an_error() {
        let expected = [
            "the mapping table `m` binds nothing: add an `events`, `page`, `properties`, `products => line_items` or `user_data` section with at least one row",
        ];
        assert_eq!(
            messages(quote!(
                mod m {}
            )),
            expected
        );
        assert_eq!(
            messages(quote!(mod m { events {} properties {} })),
            expected
        );
    }

    #[test]
    fn custom_keys_become_distinct_rust_names() {
        assert_eq!(rust_field_name("Coupon Code"), "coupon_code");
        assert_eq!(rust_field_name("--x--"), "x");
        assert_eq!(rust_field_name("2fa"), "key_2fa");
        assert_eq!(rust_field_name("type"), "type_");
        assert_eq!(rust_field_name("self"), "self_");
        assert_eq!(rust_field_name("¿?"), "custom");
        let fields = assign_field_idents(
            ["my-key", "my_key", "Value", "value"]
                .into_iter()
                .map(|key| PendingField {
                    key: key.to_owned(),
                    documented: key == "value",
                    span: Span::call_site(),
                })
                .collect(),
        );
        let names: Vec<String> = fields.iter().map(|field| field.ident.to_string()).collect();
        assert_eq!(names, ["my_key", "my_key_2", "value_2", "value"]);
    }
}
