//! Checked model → Rust code. Infallible: everything was validated by `check`.
//!
//! The generated module holds tables and `match`es only; the shared behaviour (hashing, the
//! alias and loose key rules, truthiness) is ordinary code in `pinterest_mapping::__private`.
//! Name lookups `match` on a 64-bit hash of the normalised name and then confirm the
//! candidate, so they cost the same for five bindings or a thousand.

use std::collections::BTreeMap;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::LitInt;

use crate::model::{EventTarget, LineItems, Mapping, Page, Record, UserDataRow};
use crate::vocabulary::{FieldScope, event_api_name};
use pinterest_mapping_vocabulary::keys;

/// Names up to this long are normalised into a buffer on the stack; a table with a longer
/// event name or property uses one on the heap, so that a lookup's stack use stays bounded.
const STACK_NAME_BYTES: usize = 1024;

/// Generates the module for a checked table.
pub fn expand(mapping: &Mapping) -> TokenStream {
    let Mapping {
        attrs, vis, ident, ..
    } = mapping;
    let table = ident.to_string();
    let rt = &runtime(&mapping.krate);
    let table_type = expand_table_type(rt, &table, mapping);
    let event_lookup = expand_event_lookup(rt, &table, mapping);
    let unmapped = expand_unmapped_warning(mapping);
    let page_rule = expand_page_rule(rt, &table, &mapping.page);
    let line_item_struct = mapping
        .line_items
        .as_ref()
        .map(|line_items| expand_line_item_struct(rt, &table, line_items));
    let event_data_struct = expand_event_data_struct(rt, &table, mapping);
    let conversion = expand_event_data_conversion(rt, &table, mapping);
    let user_data = mapping
        .user_data
        .as_deref()
        .map(|rows| expand_user_data(rt, &table, rows));
    // Cargo rebuilds a crate when a file it includes changes: the plan's file is included,
    // and not used, for that alone (`proc_macro::tracked_path` is not stable).
    let plan = mapping.plan_path.as_ref().map(|path| {
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    quote! {
        #(#attrs)*
        #vis mod #ident {
            #plan
            #unmapped
            #table_type
            #event_lookup
            #page_rule
            #line_item_struct
            #event_data_struct
            #conversion
            #user_data
        }
    }
}

/// The hidden module of the runtime crate that generated code names everything through.
fn runtime(krate: &syn::Path) -> TokenStream {
    quote!(#krate::__private)
}

fn hash_literal(hash: u64, span: Span) -> LitInt {
    LitInt::new(&format!("0x{hash:016x}_u64"), span)
}

/// `::pinterest_mapping::PinterestEvent::…` for a target.
fn expand_event_target(rt: &TokenStream, target: &EventTarget) -> TokenStream {
    match target {
        EventTarget::Standard(code) => quote!(#rt::PinterestEvent::#code),
        EventTarget::Partner(name, span) => {
            quote_spanned!(*span=> #rt::PinterestEvent::Partner(#rt::Cow::Borrowed(#name)))
        }
    }
}

fn expand_optional_event(rt: &TokenStream, target: Option<&EventTarget>) -> TokenStream {
    match target {
        Some(target) => {
            let event = expand_event_target(rt, target);
            quote!(::core::option::Option::Some(#event))
        }
        None => quote!(::core::option::Option::None),
    }
}

/// Groups `(hash, index, span)` triples into `match` arms; two names sharing a hash (never
/// seen in practice, but possible) share an arm.
fn group_by_hash(
    entries: impl IntoIterator<Item = (u64, usize, Span)>,
) -> BTreeMap<u64, (Vec<usize>, Span)> {
    let mut arms: BTreeMap<u64, (Vec<usize>, Span)> = BTreeMap::new();
    for (hash, index, span) in entries {
        arms.entry(hash)
            .or_insert_with(|| (Vec::new(), span))
            .0
            .push(index);
    }
    arms
}

/// The hashes of an alias table's forms, as the open-addressed table the runtime reads
/// (`pinterest_mapping::__private::AliasTable`): a power-of-two number of slots, at least twice the
/// forms; each form's hash, with its event's index, in the slot the hash's low bits name or the
/// first free one after it (two forms of one hash take two slots of its probe sequence); free
/// slots hold the index `u32::MAX`. Two flat arrays: integers cost the compiler far less than
/// a slice of tuples.
fn expand_candidate_slots(forms: &[(u64, usize)]) -> (TokenStream, TokenStream) {
    let size = (forms.len() * 2).max(2).next_power_of_two();
    let mask = size - 1;
    let mut slots: Vec<Option<(u64, usize)>> = vec![None; size];
    for &(hash, index) in forms {
        #[allow(clippy::cast_possible_truncation)] // the low bits are the point
        let mut slot = hash as usize & mask;
        while slots[slot].is_some() {
            slot = (slot + 1) & mask;
        }
        slots[slot] = Some((hash, index));
    }
    let hashes = slots
        .iter()
        .map(|slot| hash_literal(slot.map_or(0, |(hash, _)| hash), Span::call_site()));
    let events = slots.iter().map(|slot| {
        let index = slot.map_or(u32::MAX, |(_, index)| {
            u32::try_from(index).expect("a table has fewer than 2^32 events")
        });
        LitInt::new(&format!("{index}_u32"), Span::call_site())
    });
    (quote!(&[#(#hashes),*]), quote!(&[#(#events),*]))
}

/// Texts one after another as one string, and where each ends.
fn expand_concatenated(texts: impl IntoIterator<Item = String>) -> (String, TokenStream) {
    let mut all = String::new();
    let mut ends = Vec::new();
    for text in texts {
        all.push_str(&text);
        ends.push(u32::try_from(all.len()).expect("a table's text is under 4 GiB"));
    }
    (all, quote!(&[#(#ends),*]))
}

/// The warning that planned events reach Pinterest as partner-defined events, given at the
/// table's `plan` option: a deprecated item that the module uses (a stable procedural macro
/// has no warnings of its own), with the events in its note; `#[allow(deprecated)]` on the
/// table, or `strict`, is the user's choice.
fn expand_unmapped_warning(mapping: &Mapping) -> Option<TokenStream> {
    const SHOWN: usize = 10;
    let span = mapping.plan_span?;
    if mapping.unmapped.is_empty() {
        return None;
    }
    let mut names: Vec<String> = mapping
        .unmapped
        .iter()
        .take(SHOWN)
        .map(|name| format!("{name:?}"))
        .collect();
    if mapping.unmapped.len() > SHOWN {
        names.push(format!(
            "and {} more (the table's `event` documentation lists them)",
            mapping.unmapped.len() - SHOWN
        ));
    }
    let (subject, sent_as, them) = match mapping.unmapped.len() {
        1 => (
            "A planned event is".to_owned(),
            "a partner-defined event",
            "it",
        ),
        count => (
            format!("{count} planned events are"),
            "partner-defined events",
            "them",
        ),
    };
    let note = format!(
        "{subject} mapped by no row of `events` and sent to Pinterest as {sent_as}, which conversion tracking does not count: {}. Map {them}, or make this an error with `#[mapping(strict)]`",
        names.join(", "),
    );
    let item = quote::format_ident!("PLANNED_EVENTS_NOT_MAPPED", span = span);
    Some(quote::quote_spanned! {span=>
        #[deprecated(note = #note)]
        #[doc(hidden)]
        const #item: () = ();
        const _: () = #item;
    })
}

/// Event names for documentation: `` `"A"`, `"B"` ``.
fn code_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| format!("`{name:?}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn expand_event_lookup(rt: &TokenStream, table: &str, mapping: &Mapping) -> TokenStream {
    let events = &mapping.events;
    let doc = format!(
        " The Pinterest event the `{table}` table binds to a Segment event name, if any.\n\n \
         Names match with Segment's alias rule: ignoring case, with at most one space or \
         underscore between words and at either end (`order_completed` matches `Order \
         Completed`), and in the older action-first order as a prefix (`Completed Order`). The \
         first matching row wins."
    );
    let rows: String = events
        .iter()
        .map(|event| {
            let target = match &event.target {
                EventTarget::Standard(code) => {
                    let code = code.to_string();
                    match event_api_name(&code) {
                        Some(api) => format!("`{code}` (Conversions API: `{api}`)"),
                        None => format!("`{code}`"),
                    }
                }
                EventTarget::Partner(name, _) => format!(
                    "`{name:?}` (partner-defined: Tag only, unless the settings send partner events to the Conversions API as `custom`)"
                ),
            };
            let planned = if event.planned.is_empty() {
                String::new()
            } else {
                format!("; reads the planned {}", code_list(&event.planned))
            };
            format!("\n - `{:?}` → {target}{planned}", event.name)
        })
        .collect();
    let doc = format!("{doc}\n\n Rows:\n{rows}");
    let doc = if mapping.unmapped.is_empty() {
        doc
    } else {
        format!(
            "{doc}\n\n Planned events no row maps, sent under their own names as partner-defined events: {}.",
            code_list(&mapping.unmapped)
        )
    };
    if events.is_empty() {
        return quote! {
            #[doc = #doc]
            pub fn event(name: &str) -> ::core::option::Option<#rt::PinterestEvent<'static>> {
                let _ = name;
                ::core::option::Option::None
            }
        };
    }
    let forward_forms: Vec<String> = events.iter().map(|event| event.words.concat()).collect();
    let action_first_forms: Vec<(usize, String)> = events
        .iter()
        .enumerate()
        .filter_map(|(index, event)| Some((index, keys::action_first(&event.words)?.concat())))
        .collect();
    let max_len = forward_forms
        .iter()
        .chain(action_first_forms.iter().map(|(_, form)| form))
        .map(String::len)
        .max()
        .unwrap_or(0);
    // The lookup's buffer holds the longest form: on the stack unless that is long.
    let lookup = if max_len <= STACK_NAME_BYTES {
        quote!(#rt::lookup_event::<#max_len>(name, &TABLE))
    } else {
        quote!(#rt::lookup_long_event(name, &TABLE, #max_len))
    };
    let mut action_first_lengths: Vec<usize> = action_first_forms
        .iter()
        .map(|(_, form)| form.len())
        .collect();
    action_first_lengths.sort_unstable();
    action_first_lengths.dedup();
    let start_len = action_first_lengths
        .first()
        .map_or(0, |shortest| (*shortest).min(4));
    let mut starts: Vec<u32> = action_first_forms
        .iter()
        .map(|(_, form)| {
            let mut word = [0; 4];
            word[..start_len].copy_from_slice(&form.as_bytes()[..start_len]);
            u32::from_le_bytes(word)
        })
        .collect();
    starts.sort_unstable();
    starts.dedup();
    let starts: Vec<LitInt> = starts
        .iter()
        .map(|start| LitInt::new(&format!("0x{start:08x}_u32"), Span::call_site()))
        .collect();
    let (forward_slots, forward_events) = expand_candidate_slots(
        &forward_forms
            .iter()
            .enumerate()
            .map(|(index, form)| (keys::table_hash(form.as_bytes()), index))
            .collect::<Vec<_>>(),
    );
    let (action_first_slots, action_first_events) = expand_candidate_slots(
        &action_first_forms
            .iter()
            .map(|(index, form)| (keys::table_hash(form.as_bytes()), *index))
            .collect::<Vec<_>>(),
    );
    // Where the words of each form meet, as bits, for checking separators; 0 for a form of 64
    // bytes or more, which is checked word by word.
    let bounds = |words: &[String]| {
        let form_len: usize = words.iter().map(String::len).sum();
        if form_len >= 64 {
            return LitInt::new("0_u64", Span::call_site());
        }
        let mut offset = 0;
        let mut bounds = 1_u64;
        for word in words {
            offset += word.len();
            bounds |= 1_u64
                .checked_shl(u32::try_from(offset).unwrap_or(u32::MAX))
                .unwrap_or(0);
        }
        LitInt::new(&format!("0x{bounds:x}_u64"), Span::call_site())
    };
    let action_first_words: Vec<Option<Vec<String>>> = events
        .iter()
        .map(|event| keys::action_first(&event.words))
        .collect();
    let (words_text, word_ends) =
        expand_concatenated(events.iter().map(|event| event.words.join(" ")));
    let (forward_text, forward_ends) =
        expand_concatenated(events.iter().map(|event| event.words.concat()));
    let (action_first_text, action_first_ends) = expand_concatenated(
        action_first_words
            .iter()
            .map(|words| words.as_deref().map(<[String]>::concat).unwrap_or_default()),
    );
    let forward_bounds = events.iter().map(|event| bounds(&event.words));
    let action_first_bounds = action_first_words.iter().map(|words| match words {
        Some(words) => bounds(words),
        None => LitInt::new("0_u64", Span::call_site()),
    });
    // The table's distinct events, and each row's among them: a short list of values and a
    // flat array, however many rows.
    let mut distinct: Vec<&EventTarget> = Vec::new();
    let target_of = events.iter().map(|event| {
        let position = distinct
            .iter()
            .position(|known| same_target(known, &event.target))
            .unwrap_or_else(|| {
                distinct.push(&event.target);
                distinct.len() - 1
            });
        // Spanned with the row, as everything generated from one.
        LitInt::new(&format!("{position}_u32"), event.span)
    });
    let target_of: Vec<LitInt> = target_of.collect();
    let distinct = distinct
        .iter()
        .map(|target| expand_event_target(rt, target));
    quote! {
        #[doc = #doc]
        pub fn event(name: &str) -> ::core::option::Option<#rt::PinterestEvent<'static>> {
            const TABLE: #rt::AliasTable = #rt::AliasTable {
                words: #words_text,
                word_ends: #word_ends,
                action_first_lengths: &[#(#action_first_lengths),*],
                action_first_start_len: #start_len,
                action_first_starts: &[#(#starts),*],
                forward_slots: #forward_slots,
                forward_events: #forward_events,
                action_first_slots: #action_first_slots,
                action_first_events: #action_first_events,
                forward_forms: #forward_text,
                forward_ends: #forward_ends,
                forward_bounds: &[#(#forward_bounds),*],
                action_first_forms: #action_first_text,
                action_first_ends: #action_first_ends,
                action_first_bounds: &[#(#action_first_bounds),*],
            };
            // The table's distinct events, and each row's among them.
            const EVENTS: &[#rt::PinterestEvent<'static>] = &[#(#distinct),*];
            const EVENT_OF_ROW: &[u32] = &[#(#target_of),*];
            let row = #lookup?;
            EVENTS.get(*EVENT_OF_ROW.get(row)? as usize).cloned()
        }
    }
}

/// Whether two rows send the same event.
fn same_target(a: &EventTarget, b: &EventTarget) -> bool {
    match (a, b) {
        (EventTarget::Standard(a), EventTarget::Standard(b)) => a == b,
        (EventTarget::Partner(a, _), EventTarget::Partner(b, _)) => a == b,
        _ => false,
    }
}

fn expand_page_rule(rt: &TokenStream, table: &str, page: &Page) -> TokenStream {
    let with_category = expand_optional_event(rt, page.with_category.as_ref());
    let without_category = expand_optional_event(rt, page.without_category.as_ref());
    let doc = format!(
        " The Pinterest event the `{table}` table binds to a Segment `page` call, given the \
         call's top-level `category`: one event when it is present and truthy, another \
         otherwise."
    );
    quote! {
        #[doc = #doc]
        #[doc = ""]
        #[doc = " `category`: an `Option<Json>` (`None` when there is none), a `Json`, or a"]
        #[doc = " `&serde_json::Value` (`Null` when there is none)."]
        pub fn page_event(category: impl #rt::PageCategory) -> ::core::option::Option<#rt::PinterestEvent<'static>> {
            page_rule(category.is_truthy())
        }

        /// The page rule, given whether the call's category is truthy.
        #[inline]
        const fn page_rule(truthy: bool) -> ::core::option::Option<#rt::PinterestEvent<'static>> {
            if truthy {
                #with_category
            } else {
                #without_category
            }
        }
    }
}

/// Field docs: which Segment properties feed the field, and where it reaches the Conversions
/// API, if it does.
fn field_docs(record: &Record, scope: FieldScope) -> Vec<String> {
    record
        .fields
        .iter()
        .enumerate()
        .map(|(index, field)| {
            let sources: Vec<String> = record
                .rows
                .iter()
                .filter(|row| row.field == index)
                .map(|row| format!("`{}`", row.source))
                .collect();
            let kind = if field.documented {
                ""
            } else {
                " (custom key)"
            };
            let winner = if sources.len() > 1 {
                "; the last truthy one in this order wins"
            } else {
                ""
            };
            let reach = match (field.documented, scope.conversions_field(&field.key)) {
                (true, Some(api)) => {
                    let place = match scope {
                        FieldScope::EventData => "custom_data",
                        FieldScope::LineItem => "custom_data.contents[]",
                    };
                    format!(" Reaches the Conversions API as `{place}.{api}`.")
                }
                _ => " Tag only: the Conversions API has no place for it.".to_owned(),
            };
            format!(
                " `{}`{kind}, from Segment {}{winner}.{reach}",
                field.key,
                sources.join(", ")
            )
        })
        .collect()
}

/// The struct, its `Default` and its `Serialize`; `line_items` is an extra trailing field of
/// the event data.
fn expand_record_struct(
    rt: &TokenStream,
    key_type: &TokenStream,
    name: &syn::Ident,
    doc: &str,
    (record, scope): (&Record, FieldScope),
    line_items: Option<&TokenStream>,
) -> TokenStream {
    let idents: Vec<&syn::Ident> = record.fields.iter().map(|field| &field.ident).collect();
    let keys = record.fields.iter().map(|field| {
        let key = &field.key;
        if field.documented {
            let variant = format_ident!("{}", variant_name(key), span = field.ident.span());
            quote!(#key_type::#variant)
        } else {
            quote!(#key_type::Custom(#key))
        }
    });
    let docs = field_docs(record, scope);
    let field_count = idents.len();
    let line_items_field = line_items.map(|item| {
        quote! {
            /// `line_items`: one entry per product; `None` (sent as `null`) for a product
            /// with none of the bound fields. Omitted when empty. Reaches the Conversions API
            /// as `custom_data.contents` and `custom_data.content_ids`.
            pub line_items: ::std::vec::Vec<::core::option::Option<#item<V>>>,
        }
    });
    let line_items_default = line_items.map(|_| quote!(line_items: ::std::vec::Vec::new(),));
    // A struct with no field would leave `V` unused.
    let (marker_field, marker_default) = if idents.is_empty() && line_items.is_none() {
        (
            Some(quote!(_marker: ::core::marker::PhantomData<V>,)),
            Some(quote!(_marker: ::core::marker::PhantomData,)),
        )
    } else {
        (None, None)
    };
    let line_items_len =
        line_items.map(|_| quote!(+ ::core::primitive::usize::from(!self.line_items.is_empty())));
    let line_items_entry = line_items.map(|_| {
        quote! {
            if !self.line_items.is_empty() {
                map.serialize_entry("line_items", &self.line_items)?;
            }
        }
    });
    let copy = line_items.is_none().then(|| quote!(::core::marker::Copy,));
    quote! {
        #[doc = #doc]
        #[derive(
            ::core::clone::Clone,
            #copy
            ::core::fmt::Debug,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
        )]
        pub struct #name<V> {
            #(
                #[doc = #docs]
                pub #idents: ::core::option::Option<V>,
            )*
            #line_items_field
            #marker_field
        }

        impl<V> ::core::default::Default for #name<V> {
            fn default() -> Self {
                Self {
                    #(#idents: ::core::option::Option::None,)*
                    #line_items_default
                    #marker_default
                }
            }
        }

        impl<V: ::core::marker::Copy> #name<V> {
            /// The present fields other than `line_items`, as `(Pinterest key, value)` pairs in
            /// table order.
            pub fn fields(&self) -> impl ::core::iter::Iterator<Item = (#key_type, V)> + use<V> {
                let fields: [(#key_type, ::core::option::Option<V>); #field_count] =
                    [#((#keys, self.#idents)),*];
                fields
                    .into_iter()
                    .filter_map(|(key, value)| ::core::option::Option::Some((key, value?)))
            }
        }

        /// Serializes to the JSON object the Pinterest Tag receives; absent fields are omitted.
        impl<V> #rt::serde::Serialize for #name<V>
        where
            V: #rt::serde::Serialize + ::core::marker::Copy,
        {
            fn serialize<S>(&self, serializer: S) -> ::core::result::Result<S::Ok, S::Error>
            where
                S: #rt::serde::Serializer,
            {
                use #rt::serde::ser::SerializeMap as _;
                let len = self.fields().count() #line_items_len;
                let mut map = serializer.serialize_map(::core::option::Option::Some(len))?;
                for (key, value) in self.fields() {
                    map.serialize_entry(key.as_str(), &value)?;
                }
                #line_items_entry
                map.end()
            }
        }
    }
}

fn expand_line_item_struct(rt: &TokenStream, table: &str, line_items: &LineItems) -> TokenStream {
    let doc = format!(
        " One Pinterest line item, from one entry of the Segment `{}` array (or from the \
         top-level properties when there is no such array), as the `{table}` table binds it.",
        line_items.source
    );
    expand_record_struct(
        rt,
        &quote!(#rt::LineItemField),
        &format_ident!("LineItem"),
        &doc,
        (&line_items.record, FieldScope::LineItem),
        None,
    )
}

fn expand_event_data_struct(rt: &TokenStream, table: &str, mapping: &Mapping) -> TokenStream {
    let doc = format!(
        " Pinterest event data, the third argument of `pintrk('track', …)`, as the `{table}` \
         table binds it. Values are the Segment values as sent, borrowed."
    );
    let line_item = mapping.line_items.as_ref().map(|_| quote!(LineItem));
    let record_struct = expand_record_struct(
        rt,
        &quote!(#rt::DataField),
        &format_ident!("EventData"),
        &doc,
        (&mapping.event_data, FieldScope::EventData),
        line_item.as_ref(),
    );
    let line_items = if mapping.line_items.is_some() {
        quote! {
            self.line_items
                .iter()
                .map(|item| item.as_ref().map(LineItem::fields))
        }
    } else {
        quote! {
            ::core::iter::empty::<
                ::core::option::Option<::core::iter::Empty<(#rt::LineItemField, V)>>,
            >()
        }
    };
    quote! {
        #record_struct

        impl<V: ::core::marker::Copy> #rt::EventFields<V> for EventData<V> {
            fn fields(&self) -> impl ::core::iter::Iterator<Item = (#rt::DataField, V)> {
                EventData::fields(self)
            }

            fn line_items(
                &self,
            ) -> impl ::core::iter::Iterator<
                Item = ::core::option::Option<
                    impl ::core::iter::Iterator<Item = (#rt::LineItemField, V)>,
                >,
            > {
                #line_items
            }
        }
    }
}

/// The variant of `pinterest_mapping::DataField` or `LineItemField` for a documented field:
/// `search_query` → `SearchQuery`.
fn variant_name(key: &str) -> String {
    key.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `struct Table`, the table as a value, and its `Mapping`: the generated functions, for
/// everything generic over tables.
fn expand_table_type(rt: &TokenStream, table: &str, mapping: &Mapping) -> TokenStream {
    let krate = &mapping.krate;
    let krate = quote!(#krate).to_string().replace(' ', "");
    let krate = krate.trim_start_matches("::");
    let doc = format!(
        " The `{table}` table as a value, implementing `{krate}::Mapping`: give it to \
         `{krate}::Destination::with_table` for the whole destination (Pinterest Tag calls and \
         Conversions API events), to `pinterest_map::main` for a `pinterest-map` of its own, or to \
         `pinterest_kafka::main` for a stream worker."
    );
    let doc = format!("{doc}\n\n{}", outputs_doc(mapping));
    let user_data = mapping.user_data.as_ref().map(|_| {
        quote! {
            #[inline]
            fn user_data(&self) -> &'static [#rt::UserDataSource] {
                USER_DATA
            }
        }
    });
    quote! {
        #[doc = #doc]
        #[derive(
            ::core::clone::Clone,
            ::core::marker::Copy,
            ::core::fmt::Debug,
            ::core::default::Default,
            ::core::cmp::PartialEq,
            ::core::cmp::Eq,
            ::core::hash::Hash,
        )]
        pub struct Table;

        impl #rt::Mapping for Table {
            const NAME: &'static str = #table;

            type EventData<V: ::core::marker::Copy + #rt::serde::Serialize> = EventData<V>;

            #[inline]
            fn event(&self, name: &str) -> ::core::option::Option<#rt::PinterestEvent<'static>> {
                event(name)
            }

            #[inline]
            fn page_event<'a, V>(
                &self,
                category: ::core::option::Option<V>,
            ) -> ::core::option::Option<#rt::PinterestEvent<'static>>
            where
                V: #rt::JsonValue<'a>,
            {
                page_rule(category.is_some_and(#rt::JsonValue::is_truthy))
            }

            #[inline]
            fn event_data<'a, V>(&self, properties: V) -> EventData<V>
            where
                V: #rt::JsonValue<'a>,
            {
                event_data(properties)
            }

            #user_data
        }
    }
}

/// The part of the table's documentation that says which bindings reach which output.
fn outputs_doc(mapping: &Mapping) -> String {
    let mut tag_only: Vec<String> = mapping
        .events
        .iter()
        .filter(|event| matches!(event.target, EventTarget::Partner(..)))
        .map(|event| format!("the event `{:?}` (partner-defined)", event.name))
        .collect();
    let mut fields = |record: &Record, scope: FieldScope, place: &str| {
        for field in &record.fields {
            if !field.documented || scope.conversions_field(&field.key).is_none() {
                tag_only.push(format!("`{place}{}`", field.key));
            }
        }
    };
    fields(&mapping.event_data, FieldScope::EventData, "");
    if let Some(line_items) = &mapping.line_items {
        fields(&line_items.record, FieldScope::LineItem, "line_items[].");
    }
    let tag_only = if tag_only.is_empty() {
        " Every binding reaches both the Tag and the Conversions API.".to_owned()
    } else {
        format!(
            " Reach the Tag only (the Conversions API has no place for them): {}.",
            tag_only.join(", ")
        )
    };
    let identity = match &mapping.user_data {
        Some(rows) => format!(
            " Conversions API identity (`user_data`): the table's own {}, see [`USER_DATA`].",
            match rows.len() {
                1 => "path".to_owned(),
                count => format!("{count} paths"),
            }
        ),
        None => " Conversions API identity (`user_data`): Segment's standard sources, the \
                 `spec` table's (this table has no `user_data` section)."
            .to_owned(),
    };
    format!(" # Outputs\n\n{tag_only}\n\n{identity}")
}

/// `USER_DATA`: the rows of the `user_data` section, in priority order.
fn expand_user_data(rt: &TokenStream, table: &str, rows: &[UserDataRow]) -> TokenStream {
    let listed: String = rows
        .iter()
        .map(|row| {
            let parameter = row
                .parameter
                .as_ref()
                .map(|parameter| format!(" (its query parameter `{parameter}`)"))
                .unwrap_or_default();
            format!("\n - `{}`{parameter} → `{}`", row.path, row.field)
        })
        .collect();
    let doc = format!(
        " Where the `{table}` table finds the Conversions API's identity fields (`user_data`) in \
         a Segment message, in priority order: for each field, the first path holding a value \
         wins.\n\n Rows:\n{listed}"
    );
    let entries = rows.iter().map(|row| {
        let path = &row.path;
        let parameter = match &row.parameter {
            Some(parameter) => quote!(::core::option::Option::Some(#parameter)),
            None => quote!(::core::option::Option::None),
        };
        let variant = format_ident!(
            "{}",
            variant_name(&row.field.to_string()),
            span = row.field.span()
        );
        quote_spanned! {row.span=>
            #rt::UserDataSource {
                path: #path,
                parameter: #parameter,
                field: #rt::UserDataField::#variant,
            }
        }
    });
    quote! {
        #[doc = #doc]
        pub const USER_DATA: &[#rt::UserDataSource] = &[#(#entries),*];
    }
}

/// Loose names of the top-level properties a conversion reads, each once: the `properties`
/// sources, then the products array, then the product sources (read at the top level when
/// there is no products array).
struct TopLevelNames(Vec<String>);

impl TopLevelNames {
    fn index(&mut self, name: &str) -> usize {
        let loose = keys::loose(name);
        match self.0.iter().position(|known| *known == loose) {
            Some(index) => index,
            None => {
                self.0.push(loose);
                self.0.len() - 1
            }
        }
    }
}

/// How an object's keys are matched to a table's names.
enum KeyRule {
    /// The loose key rule: the key's normal form, on the stack, against the names' normal
    /// forms.
    Loose,
    /// Exact keys.
    Exact,
}

/// A one-pass dispatch over an object's entries: put the key in the rule's normal form on
/// the stack, `match` its hash to a slot, confirm the name, then run `store`.
fn expand_key_dispatch(
    rt: &TokenStream,
    names: &[String],
    spans: &[Span],
    rule: &KeyRule,
    store: &TokenStream,
) -> TokenStream {
    if names.is_empty() {
        return quote!(let _ = (key, value););
    }
    let count = names.len();
    let max_len = names.iter().map(String::len).max().unwrap_or(0);
    // Names are compared as zero-padded words, the way the run time holds them. Loose forms
    // never hold a zero byte; exact keys may, so their lengths are compared too.
    let word_count = max_len.div_ceil(8).max(1);
    let padded = names.iter().map(|name| {
        let mut words = keys::pack_words(name.as_bytes());
        words.resize(word_count, 0);
        let words = words
            .iter()
            .map(|word| LitInt::new(&format!("0x{word:016x}_u64"), Span::call_site()));
        quote!([#(#words),*])
    });
    // The loose form keeps only ASCII letters and digits, so a lone surrogate (decoded as
    // U+FFFD) cannot matter; an exact key holding one matches no name.
    let (normal_form, text, lengths) = match rule {
        KeyRule::Loose => (quote!(loose), quote!(key.to_str_lossy()), None),
        KeyRule::Exact => {
            let lengths = names.iter().map(String::len);
            (
                quote!(exact),
                quote!(match key.to_str() {
                    ::core::option::Option::Some(text) => text,
                    ::core::option::Option::None => return,
                }),
                Some(quote!(const LENGTHS: [usize; #count] = [#(#lengths),*];)),
            )
        }
    };
    let is_name = |index: &TokenStream| {
        let length = lengths
            .is_some()
            .then(|| quote!(name.len() == LENGTHS[#index] &&));
        quote!(#length name.is(&NAMES[#index]))
    };
    let arms = group_by_hash(
        names
            .iter()
            .zip(spans)
            .enumerate()
            .map(|(index, (name, span))| (keys::table_hash(name.as_bytes()), index, *span)),
    );
    let arms = arms.iter().filter_map(|(hash, (candidates, span))| {
        let hash = hash_literal(*hash, *span);
        let (last, others) = candidates.split_last()?;
        let choice = others
            .iter()
            .rev()
            .fold(quote!(#last), |otherwise, candidate| {
                let is_candidate = is_name(&quote!(#candidate));
                quote!(if #is_candidate { #candidate } else { #otherwise })
            });
        Some(quote_spanned!(*span=> #hash => #choice,))
    });
    let confirm = is_name(&quote!(slot));
    // The key's words go on the stack, unless the longest name is long.
    let key_name = if word_count <= STACK_NAME_BYTES / 8 {
        quote!(#rt::KeyName::<#word_count>::#normal_form(&text))
    } else {
        quote!(#rt::LongKeyName::#normal_form(&text, #word_count))
    };
    quote! {
        const NAMES: [[u64; #word_count]; #count] = [#(#padded),*];
        #lengths
        let text = #text;
        let ::core::option::Option::Some(name) = #key_name else {
            return;
        };
        let slot: ::core::primitive::usize = match name.hash() {
            #(#arms)*
            _ => return,
        };
        if #confirm {
            #store
        }
    }
}

/// What a matched top-level property does when the event data is built.
enum SlotAction {
    /// Feeds an event-data field; `rank` orders the rows of a field fed by several.
    Field { field: usize, rank: Option<u16> },
    /// Is the products array.
    Products,
    /// Feeds the line item read from the top level, as the product row at this index.
    TopLevelProduct(usize),
}

fn expand_event_data_conversion(rt: &TokenStream, table: &str, mapping: &Mapping) -> TokenStream {
    let doc = format!(
        " Converts Segment `properties` to Pinterest event data with the `{table}` table's \
         bindings, in one pass over the properties.\n\n \
         Top-level properties match by the loose key rule (ignoring case and every character \
         other than ASCII letters, digits and `.`; the first matching key wins). Only truthy \
         values are copied, unchanged. When several properties feed one field, the later row \
         of the table wins."
    );
    let builder_doc = format!(
        " Builds the event data of the `{table}` table from top-level Segment properties given \
         one at a time, in document order: [`event_data`] over any key/value source. The work \
         grows with the properties given, not with the size of the table."
    );
    let mut names = TopLevelNames(Vec::new());
    let mut spans: Vec<Span> = Vec::new();
    let mut actions: Vec<Vec<SlotAction>> = Vec::new();
    let mut act = |name: &str, span: Span, action: SlotAction| {
        let index = names.index(name);
        if index == spans.len() {
            spans.push(span);
            actions.push(Vec::new());
        }
        actions[index].push(action);
    };
    let record = &mapping.event_data;
    for (index, row) in record.rows.iter().enumerate() {
        let shared = record
            .rows
            .iter()
            .filter(|other| other.field == row.field)
            .count()
            > 1;
        // Ranks start at 1: 0 means the field has no value yet.
        let rank = shared.then(|| u16::try_from(index + 1).unwrap_or(u16::MAX));
        act(
            &row.source,
            row.span,
            SlotAction::Field {
                field: row.field,
                rank,
            },
        );
    }
    if let Some(line_items) = &mapping.line_items {
        act(&line_items.source, line_items.span, SlotAction::Products);
        for (index, row) in line_items.record.rows.iter().enumerate() {
            act(&row.source, row.span, SlotAction::TopLevelProduct(index));
        }
    }
    let names = names.0;
    let dispatch = expand_key_dispatch(
        rt,
        &names,
        &spans,
        &KeyRule::Loose,
        &quote!(self.matched.offer(slot, key, value);),
    );
    let ranked_fields: Vec<usize> = {
        let mut fields: Vec<usize> = actions
            .iter()
            .flatten()
            .filter_map(|action| match action {
                SlotAction::Field {
                    field,
                    rank: Some(_),
                } => Some(*field),
                _ => None,
            })
            .collect();
        fields.sort_unstable();
        fields.dedup();
        fields
    };
    let rank_ident = |field: usize| format_ident!("rank_{}", field);
    let rank_declarations = ranked_fields.iter().map(|field| {
        let rank = rank_ident(*field);
        quote!(let mut #rank: u16 = 0;)
    });
    let arms = actions.iter().enumerate().map(|(slot, slot_actions)| {
        let steps = slot_actions.iter().map(|action| match action {
            SlotAction::Field { field, rank: None } => {
                let ident = &record.fields[*field].ident;
                quote! {
                    if #rt::JsonValue::is_truthy(value) {
                        data.#ident = ::core::option::Option::Some(value);
                    }
                }
            }
            SlotAction::Field {
                field,
                rank: Some(rank),
            } => {
                let ident = &record.fields[*field].ident;
                let current = rank_ident(*field);
                quote! {
                    if #rt::JsonValue::is_truthy(value) && #current < #rank {
                        data.#ident = ::core::option::Option::Some(value);
                        #current = #rank;
                    }
                }
            }
            SlotAction::Products => quote!(products = ::core::option::Option::Some(value);),
            SlotAction::TopLevelProduct(index) => {
                quote!(top_level[#index] = ::core::option::Option::Some(value);)
            }
        });
        quote!(#slot => { #(#steps)* })
    });
    let apply = if names.is_empty() {
        quote!(let _ = self;)
    } else {
        quote! {
            for (slot, value) in self.matched.into_values() {
                match slot {
                    #(#arms)*
                    _ => {}
                }
            }
        }
    };
    let (products_declarations, line_items) = match &mapping.line_items {
        Some(line_items) => {
            let product_rows = line_items.record.rows.len();
            let line_item_fns = expand_line_item_conversion(rt, line_items);
            (
                quote! {
                    let mut products: ::core::option::Option<V> = ::core::option::Option::None;
                    let mut top_level: [::core::option::Option<V>; #product_rows] = [::core::option::Option::None; #product_rows];
                },
                quote! {
                    #line_item_fns
                    let mut line_items = ::std::vec::Vec::new();
                    let from_array = products.is_some_and(|products| {
                        #rt::JsonValue::for_each_element(products, |product| {
                            line_items.push(line_item_from_product(product));
                        })
                    });
                    if from_array {
                        #rt::trim_trailing_holes(&mut line_items);
                    } else if let ::core::option::Option::Some(item) = line_item(top_level) {
                        line_items.push(::core::option::Option::Some(item));
                    }
                    data.line_items = line_items;
                },
            )
        }
        None => (TokenStream::new(), TokenStream::new()),
    };
    quote! {
        #[doc = #doc]
        pub fn event_data<'a, V>(properties: V) -> EventData<V>
        where
            V: #rt::JsonValue<'a>,
        {
            let mut builder = EventDataBuilder::new();
            properties.for_each_entry(|key, value| builder.property(key, value));
            builder.build()
        }

        #[doc = #builder_doc]
        pub struct EventDataBuilder<'a, V> {
            /// The first key matching each name the table reads, with its value.
            matched: #rt::Matched<'a, V>,
        }

        impl<'a, V> ::core::default::Default for EventDataBuilder<'a, V>
        where
            V: #rt::JsonValue<'a>,
        {
            fn default() -> Self {
                Self::new()
            }
        }

        impl<'a, V> EventDataBuilder<'a, V>
        where
            V: #rt::JsonValue<'a>,
        {
            /// A builder that has seen no property.
            pub fn new() -> Self {
                Self {
                    matched: #rt::Matched::new(),
                }
            }

            /// Offers the next top-level property.
            pub fn property(&mut self, key: #rt::Key<'a>, value: V) {
                #dispatch
            }

            /// The event data.
            pub fn build(self) -> EventData<V> {
                let mut data = EventData::default();
                #(#rank_declarations)*
                #products_declarations
                #apply
                #line_items
                data
            }
        }
    }
}

/// Two helper functions local to `event_data`: the line item of one product (exact keys), and
/// the line item of a set of source values (shared with the top-level fallback).
fn expand_line_item_conversion(rt: &TokenStream, line_items: &LineItems) -> TokenStream {
    let record = &line_items.record;
    let names: Vec<String> = record.rows.iter().map(|row| row.source.clone()).collect();
    let spans: Vec<Span> = record.rows.iter().map(|row| row.span).collect();
    let count = names.len();
    let sources = 0..count;
    let fields = record
        .rows
        .iter()
        .map(|row| &record.fields[row.field].ident);
    let distinct = record.fields.iter().map(|field| &field.ident);
    let any = if record.fields.is_empty() {
        quote!(false)
    } else {
        quote!(#(item.#distinct.is_some())||*)
    };
    let dispatch = expand_key_dispatch(
        rt,
        &names,
        &spans,
        &KeyRule::Exact,
        &quote!(sources[slot] = ::core::option::Option::Some(value);),
    );
    quote! {
        fn line_item<'a, V>(sources: [::core::option::Option<V>; #count]) -> ::core::option::Option<LineItem<V>>
        where
            V: #rt::JsonValue<'a>,
        {
            let mut item = LineItem::default();
            // In table order: of several sources of one field, the last truthy one wins.
            #(
                item.#fields = #rt::truthy(sources[#sources]).or(item.#fields);
            )*
            let any = #any;
            any.then_some(item)
        }

        fn line_item_from_product<'a, V>(product: V) -> ::core::option::Option<LineItem<V>>
        where
            V: #rt::JsonValue<'a>,
        {
            let mut sources = [::core::option::Option::None; #count];
            product.for_each_entry(|key, value| {
                #dispatch
            });
            line_item(sources)
        }
    }
}
