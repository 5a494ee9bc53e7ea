//! A table's tracking plan: the Segment events a team has planned, read from the file that
//! `#[mapping(plan = "…")]` names, in any of the formats that Segment's and other tools write.
//!
//! | format | how it is told apart | where each event is |
//! |---|---|---|
//! | Segment Public API, list rules | `{"data": {"rules": [...]}}` | a rule of `type` `TRACK`, named by its `key` |
//! | Segment Public API plan, Typewriter 8 and later's `plan.json` | `{"rules": [...]}` | the same rules |
//! | Segment Config API plan, Typewriter 7's `plan.json` | `{"rules": {"events": [...]}}` | an event, named by its `name`; `rules.global` the properties of every event |
//! | A map of event name to JSON Schema | an object of objects without `rules` | each member |
//!
//! A Public API rule's `jsonSchema` describes the whole message (its `properties` member holds
//! the schema of the event's properties); Typewriter 8 unwraps it when it saves the plan and
//! marks it with `eventMetadata`, which tells the two apart. Of several versions of a rule,
//! the highest is the plan's, as in Typewriter. Rules of other types (`COMMON`, `IDENTIFY`,
//! `PAGE`, `GROUP`, `SCREEN`) plan no track event.

use std::collections::HashMap;
use std::path::Path;

use pinterest_mapping_vocabulary::keys;
use serde_json::Value;
use syn::LitStr;

/// A table's plan, read from its file and indexed for Segment's alias rule.
pub struct Loaded {
    /// The file as the table names it, and where.
    pub file: String,
    pub span: proc_macro2::Span,
    /// Its absolute path, which the generated code includes so that an edit rebuilds it;
    /// none for the built-in plan.
    pub path: Option<String>,
    pub plan: Plan,
    /// Each planned event's name under the alias rule (lowercase, without separators), in
    /// the plan's order.
    forms: Vec<String>,
    /// The same forms, sorted, for finding a form and those that begin with a prefix.
    sorted_forms: Vec<String>,
    /// The top-level properties some planned event defines, by name in the plan's order (for
    /// suggestions).
    properties: Vec<String>,
    /// The JSON types each of those properties may have over every event that defines it,
    /// by loose name (lowercase, letters and digits only: the rule of the table's property
    /// rows): its keys are the properties the plan defines.
    property_types: HashMap<String, Types>,
    /// For each array property whose items the plan describes (by loose name): the fields
    /// of its items, by name in the plan's order.
    item_fields: HashMap<String, Vec<String>>,
    /// The types of each field of an array's items, by the array's loose name and the
    /// field's: its keys are the fields the plan defines.
    item_field_types: HashMap<(String, String), Types>,
}

/// A set of JSON Schema types, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Types(u8);

impl Types {
    /// The names of JSON Schema's types, in the order of their bits.
    const NAMES: [&'static str; 7] = [
        "null", "boolean", "integer", "number", "string", "array", "object",
    ];
    pub const ANY: Types = Types(0b111_1111);
    pub const INTEGER: Types = Types(1 << 2);
    /// A number: an integer is one too.
    pub const NUMBER: Types = Types(1 << 2 | 1 << 3);
    pub const STRING: Types = Types(1 << 4);

    /// The types a schema allows: its `type`, a name or a list of them; any, without one.
    fn of(schema: &Value) -> Types {
        let named = |name: &str| match name {
            // A number may be integral: it can fill an integer's place.
            "number" => Types::NUMBER,
            _ => Types::NAMES
                .iter()
                .position(|known| *known == name)
                .map_or(Types::ANY, |bit| Types(1 << bit)),
        };
        match schema.get("type") {
            Some(Value::String(name)) => named(name),
            Some(Value::Array(names)) => names
                .iter()
                .map(|name| name.as_str().map_or(Types::ANY, named))
                .fold(Types::default(), Types::union),
            _ => Types::ANY,
        }
    }

    fn union(self, other: Types) -> Types {
        Types(self.0 | other.0)
    }

    /// Whether a value of one of these types can be one of `wanted`'s.
    pub fn meets(self, wanted: Types) -> bool {
        self.0 & wanted.0 != 0
    }

    /// The types, named for a message: `a string`, `null or a string`.
    pub fn describe(self) -> String {
        let mut described: Vec<String> = Types::NAMES
            .iter()
            .enumerate()
            .filter(|(bit, _)| self.0 & (1 << bit) != 0)
            // `number` says it of an integer too.
            .filter(|(bit, _)| !(*bit == 2 && self.0 & (1 << 3) != 0))
            .map(|(_, name)| match *name {
                "null" => "null".to_owned(),
                "array" | "object" | "integer" => format!("an {name}"),
                other => format!("a {other}"),
            })
            .collect();
        match described.pop() {
            None => "of no type".to_owned(),
            Some(last) if described.is_empty() => last,
            Some(last) => format!("{} or {last}", described.join(", ")),
        }
    }
}

impl Loaded {
    /// For each planned event, in the plan's order, the first of `rows` (each the words of
    /// a row's name) that its messages reach under Segment's alias rule, if any.
    pub fn first_rows(&self, rows: &[&[String]]) -> Vec<Option<usize>> {
        // The first row of each forward form, and of each action-first form: a planned
        // event's form is looked up whole, and each of its prefixes, in time proportional to
        // its length rather than to the table's rows.
        let mut forward: HashMap<String, usize> = HashMap::new();
        let mut action_first: HashMap<String, usize> = HashMap::new();
        for (index, words) in rows.iter().enumerate() {
            forward.entry(words.concat()).or_insert(index);
            if let Some(words) = keys::action_first(words) {
                action_first.entry(words.concat()).or_insert(index);
            }
        }
        self.forms
            .iter()
            .map(|form| {
                let whole = forward.get(form.as_str()).copied();
                let prefix = (1..=form.len())
                    .filter(|&end| form.is_char_boundary(end))
                    .filter_map(|end| action_first.get(&form[..end]).copied())
                    .min();
                match (whole, prefix) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                }
            })
            .collect()
    }

    /// Whether a message of some planned event reaches the row whose name has these words,
    /// under Segment's alias rule: its name is the row's, or begins with the row's name in
    /// the older action-first order.
    pub fn plans(&self, words: &[String]) -> bool {
        if self.sorted_forms.binary_search(&words.concat()).is_ok() {
            return true;
        }
        keys::action_first(words).is_some_and(|action_first| {
            // The first form not below the prefix begins with it, if any form does.
            let prefix = action_first.concat();
            let first = self
                .sorted_forms
                .partition_point(|form| form.as_str() < prefix.as_str());
            self.sorted_forms
                .get(first)
                .is_some_and(|form| form.starts_with(&prefix))
        })
    }

    /// Whether the plan defines a top-level property of this loose form; `None` when it
    /// defines none at all (a plan of event names only), so that nothing can be checked.
    pub fn defines_property(&self, loose: &str) -> Option<bool> {
        (!self.properties.is_empty()).then(|| self.property_types.contains_key(loose))
    }

    /// The top-level properties the plan defines, in the plan's order.
    pub fn property_names(&self) -> Vec<&str> {
        self.properties.iter().map(String::as_str).collect()
    }

    /// Whether the items of the array property `array` (loose) have a field of this loose
    /// form; `None` when the plan describes no fields of its items; also those fields.
    pub fn defines_item_field(&self, array: &str, loose: &str) -> Option<(bool, Vec<&str>)> {
        let names = self.item_fields.get(array)?;
        Some((
            self.types(loose, Some(array)).is_some(),
            names.iter().map(String::as_str).collect(),
        ))
    }

    /// The JSON types the plan allows a top-level property (loose name) over every event
    /// that defines it, or, with `array`, a field of that array's items.
    pub fn types(&self, loose: &str, array: Option<&str>) -> Option<Types> {
        match array {
            None => self.property_types.get(loose).copied(),
            Some(array) => self
                .item_field_types
                .get(&(array.to_owned(), loose.to_owned()))
                .copied(),
        }
    }

    /// The planned event names, in the plan's order.
    pub fn names(&self) -> Vec<&str> {
        self.plan
            .events
            .iter()
            .map(|event| event.name.as_str())
            .collect()
    }
}

/// Segment's spec as a plan (`plan = segment_spec`): the E-commerce v2 and Video events with
/// their documented properties, and the page call's; its `description` says where from.
const SEGMENT_SPEC: &str = include_str!("segment_spec.json");

/// The name a table gives the built-in plan of Segment's spec.
pub const SEGMENT_SPEC_NAME: &str = "segment_spec";

/// The plan of Segment's spec; the table names it at `span`.
pub fn segment_spec(span: proc_macro2::Span) -> syn::Result<Loaded> {
    let plan = read(SEGMENT_SPEC).map_err(|reason| {
        syn::Error::new(
            span,
            format!("the built-in plan of Segment's spec is unreadable: {reason}"),
        )
    })?;
    Ok(Loaded::new(SEGMENT_SPEC_NAME.to_owned(), span, None, plan))
}

/// Reads the plan `file` names, relative to the manifest directory of the crate being
/// compiled; the error stands at `file`.
pub fn load(file: &LitStr) -> syn::Result<Loaded> {
    let name = file.value();
    let error = |reason: String| {
        syn::Error::new(
            file.span(),
            format!(
                "cannot read the tracking plan `{}`: {reason}",
                name.escape_debug()
            ),
        )
    };
    let directory = std::env::var_os("CARGO_MANIFEST_DIR").ok_or_else(|| {
        error("CARGO_MANIFEST_DIR is not set, and the plan's file is relative to it (build with Cargo)".to_owned())
    })?;
    let path = Path::new(&directory).join(&name);
    let text = std::fs::read_to_string(&path).map_err(|io| {
        error(match io.kind() {
            std::io::ErrorKind::NotFound => {
                "no such file (the path is relative to this crate's `Cargo.toml`)".to_owned()
            }
            std::io::ErrorKind::InvalidData => "it is not UTF-8 text".to_owned(),
            _ => io.to_string(),
        })
    })?;
    let plan = read(&text).map_err(error)?;
    let path = path
        .to_str()
        .ok_or_else(|| error("its path is not UTF-8".to_owned()))?
        .to_owned();
    Ok(Loaded::new(name, file.span(), Some(path), plan))
}

impl Loaded {
    fn new(file: String, span: proc_macro2::Span, path: Option<String>, plan: Plan) -> Loaded {
        let forms: Vec<String> = plan
            .events
            .iter()
            .map(|event| keys::event_words(&event.name).concat())
            .collect();
        let mut sorted_forms = forms.clone();
        sorted_forms.sort_unstable();
        let mut properties = Vec::new();
        let mut property_types: HashMap<String, Types> = HashMap::new();
        let mut item_fields: HashMap<String, Vec<String>> = HashMap::new();
        let mut item_field_types: HashMap<(String, String), Types> = HashMap::new();
        for schema in plan
            .events
            .iter()
            .filter_map(|event| event.properties.as_ref())
            .chain(&plan.common)
        {
            for (name, property) in members(schema) {
                let loose = keys::loose(name);
                let types = property_types.entry(loose.clone()).or_insert_with(|| {
                    properties.push(name.clone());
                    Types::default()
                });
                *types = types.union(Types::of(property));
                let Some(items) = property.get("items") else {
                    continue;
                };
                for (field, schema) in members(items) {
                    let types = item_field_types
                        .entry((loose.clone(), keys::loose(field)))
                        .or_insert_with(|| {
                            item_fields
                                .entry(loose.clone())
                                .or_default()
                                .push(field.clone());
                            Types::default()
                        });
                    *types = types.union(Types::of(schema));
                }
            }
        }
        Loaded {
            file,
            span,
            path,
            plan,
            forms,
            sorted_forms,
            properties,
            property_types,
            item_fields,
            item_field_types,
        }
    }

    /// A plan read from `text` (not from a file): for tests, benchmarks and fuzzers.
    pub fn from_text(file: &str, text: &str) -> Result<Loaded, String> {
        Ok(Loaded::new(
            file.to_owned(),
            proc_macro2::Span::call_site(),
            None,
            read(text)?,
        ))
    }
}

/// The plan as read: its track events, in the file's order (a map's in name order, whatever
/// `serde_json`'s features).
#[derive(Debug, Default)]
pub struct Plan {
    pub events: Vec<PlannedEvent>,
    /// The JSON Schemas of properties every call may have: the Public API's `COMMON` rules
    /// and its `PAGE` rules (a page call's properties are event data too).
    pub common: Vec<Value>,
}

/// A planned track event.
#[derive(Debug)]
pub struct PlannedEvent {
    /// The event's name, as the plan spells it.
    pub name: String,
    /// The JSON Schema of its `properties`, when the plan gives one.
    pub properties: Option<Value>,
}

/// Reads a plan from the text of its file; `Err` says why it is not one, naming the place in
/// the file (never quoting its values).
pub fn read(text: &str) -> Result<Plan, String> {
    let value: Value = serde_json::from_str(text).map_err(|error| {
        format!(
            "it is not JSON (line {}, column {}: {})",
            error.line(),
            error.column(),
            syntax_reason(&error)
        )
    })?;
    let Value::Object(top) = value else {
        return Err(format!(
            "it holds {}, where a tracking plan is an object",
            type_name(&value)
        ));
    };
    if let Some(data) = top.get("data") {
        let rules = data.get("rules").ok_or(
            "its `data` has no `rules`: a Public API answer is that of listing a plan's rules",
        )?;
        return public_api_rules(rules, "data.rules");
    }
    match top.get("rules") {
        Some(rules @ Value::Array(_)) => public_api_rules(rules, "rules"),
        Some(Value::Object(rules)) => config_api_events(rules),
        Some(other) => Err(format!(
            "its `rules` is {}, where Segment's plans hold an array (Public API) or an object \
             with `events` (Config API)",
            type_name(other)
        )),
        None => event_map(&top),
    }
}

/// Segment's Public API rules: each `TRACK` rule an event, its highest version kept.
fn public_api_rules(rules: &Value, at: &str) -> Result<Plan, String> {
    let Value::Array(rules) = rules else {
        return Err(format!(
            "`{at}` is {}, not an array of rules",
            type_name(rules)
        ));
    };
    let mut plan = Plan::default();
    // The version of each event kept so far, and where it is in the plan.
    let mut kept: HashMap<String, (f64, usize)> = HashMap::new();
    for (index, rule) in rules.iter().enumerate() {
        let place = format!("`{at}[{index}]`");
        let Value::Object(rule) = rule else {
            return Err(format!("{place} is {}, not a rule", type_name(rule)));
        };
        let kind = match rule.get("type") {
            Some(Value::String(kind)) => kind.as_str(),
            Some(other) => {
                return Err(format!(
                    "{place}'s `type` is {}, not a string",
                    type_name(other)
                ));
            }
            None => return Err(format!("{place} has no `type`")),
        };
        if kind.eq_ignore_ascii_case("COMMON") || kind.eq_ignore_ascii_case("PAGE") {
            if let Some(properties) = match rule.get("jsonSchema") {
                Some(schema) => message_properties(schema, &place)?,
                None => None,
            } {
                plan.common.push(properties);
            }
            continue;
        }
        if !kind.eq_ignore_ascii_case("TRACK") {
            continue;
        }
        let name = event_name(rule.get("key"), &place, "key", "is a track rule without a")?;
        let version = rule.get("version").and_then(Value::as_f64).unwrap_or(0.0);
        let schema = rule.get("jsonSchema");
        let properties = match schema {
            // Typewriter 8 saved it unwrapped: the schema is the properties'.
            Some(schema) if schema.get("eventMetadata").is_some() => Some(schema.clone()),
            Some(schema) => message_properties(schema, &place)?,
            None => None,
        };
        let event = PlannedEvent { name, properties };
        match kept.get_mut(&event.name) {
            Some((kept_version, position)) => {
                if version > *kept_version {
                    *kept_version = version;
                    plan.events[*position] = event;
                }
            }
            None => {
                kept.insert(event.name.clone(), (version, plan.events.len()));
                plan.events.push(event);
            }
        }
    }
    Ok(plan)
}

/// Segment's Config API plan (Typewriter 7): `rules.events`, each with a `name` and its
/// schema of the whole message in `rules`.
fn config_api_events(rules: &serde_json::Map<String, Value>) -> Result<Plan, String> {
    let events = match rules.get("events") {
        Some(Value::Array(events)) => events,
        Some(other) => {
            return Err(format!(
                "`rules.events` is {}, not an array of events",
                type_name(other)
            ));
        }
        None => return Err("its `rules` has no `events`".to_owned()),
    };
    let mut plan = Plan::default();
    for (index, event) in events.iter().enumerate() {
        let place = format!("`rules.events[{index}]`");
        let name = event_name(event.get("name"), &place, "name", "has no")?;
        let properties = match event.get("rules") {
            Some(schema) => message_properties(schema, &place)?,
            None => None,
        };
        plan.events.push(PlannedEvent { name, properties });
    }
    // The properties every event may have.
    if let Some(global) = rules.get("global")
        && let Some(properties) = message_properties(global, "`rules.global`")?
    {
        plan.common.push(properties);
    }
    Ok(plan)
}

/// A map of event names to the JSON Schema of each event's properties.
fn event_map(top: &serde_json::Map<String, Value>) -> Result<Plan, String> {
    let mut plan = Plan::default();
    for (name, schema) in sorted(top) {
        if name.trim().is_empty() {
            return Err("it plans an event with an empty name".to_owned());
        }
        match schema {
            Value::Object(_) | Value::Bool(true) => {}
            other => {
                return Err(format!(
                    "its event `{}` has {}, where a JSON Schema of the event's properties is \
                     an object",
                    name.escape_debug(),
                    type_name(other)
                ));
            }
        }
        plan.events.push(PlannedEvent {
            name: name.clone(),
            properties: Some(schema.clone()),
        });
    }
    Ok(plan)
}

/// A planned event's name, the `member` of the rule at `place`: a string that is not blank;
/// `missing` says what the rule is without it.
fn event_name(
    name: Option<&Value>,
    place: &str,
    member: &str,
    missing: &str,
) -> Result<String, String> {
    match name {
        Some(Value::String(name)) if !name.trim().is_empty() => Ok(name.clone()),
        Some(Value::String(_)) => Err(format!("{place}'s `{member}` is empty")),
        Some(other) => Err(format!(
            "{place}'s `{member}` is {}, not a string",
            type_name(other)
        )),
        None => Err(format!("{place} {missing} `{member}`")),
    }
}

/// The schema of a message's `properties`, from the schema of the whole message.
fn message_properties(schema: &Value, place: &str) -> Result<Option<Value>, String> {
    match schema {
        Value::Object(schema) => Ok(schema
            .get("properties")
            .and_then(|members| members.get("properties"))
            .cloned()),
        Value::Bool(_) => Ok(None),
        other => Err(format!(
            "{place}'s schema is {}, not a JSON Schema",
            type_name(other)
        )),
    }
}

/// The members an object schema defines in its `properties`.
fn members(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    schema
        .get("properties")
        .and_then(Value::as_object)
        .map(sorted)
        .unwrap_or_default()
        .into_iter()
}

/// An object's members in name order. `serde_json` keeps them so, or in the file's order when
/// a crate of the build enables its `preserve_order` feature: sorting them here makes the
/// plan, and so every message and the generated code, the same in every build.
fn sorted(object: &serde_json::Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut members: Vec<(&String, &Value)> = object.iter().collect();
    members.sort_unstable_by_key(|(name, _)| *name);
    members
}

/// What kind of JSON value `value` is, for messages that never quote it.
fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `serde_json`'s reason without its position (given apart) and without any quoted input.
fn syntax_reason(error: &serde_json::Error) -> String {
    let text = error.to_string();
    let reason = text
        .rsplit_once(" at line ")
        .map_or(text.as_str(), |(reason, _)| reason);
    match error.classify() {
        serde_json::error::Category::Eof => "the file ends too soon".to_owned(),
        _ => reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(plan: &Plan) -> Vec<&str> {
        plan.events
            .iter()
            .map(|event| event.name.as_str())
            .collect()
    }

    #[test]
    fn reads_a_public_api_answer_keeping_track_rules_at_their_highest_version() {
        let plan = read(
            r#"{"data": {"rules": [
                {"type": "COMMON", "key": null, "version": 1, "jsonSchema": {}},
                {"type": "TRACK", "key": "Order Completed", "version": 1, "jsonSchema":
                    {"properties": {"properties": {"properties": {"total": {"type": "string"}}}}}},
                {"type": "TRACK", "key": "Order Completed", "version": 2, "jsonSchema":
                    {"properties": {"properties": {"properties": {"total": {"type": "number"}}}}}},
                {"type": "IDENTIFY", "key": "", "version": 1, "jsonSchema": {}},
                {"type": "TRACK", "key": "Product Viewed", "version": 1}
            ], "pagination": {"current": "MA=="}}}"#,
        )
        .unwrap();
        assert_eq!(names(&plan), ["Order Completed", "Product Viewed"]);
        assert_eq!(
            plan.events[0].properties,
            Some(serde_json::json!({"properties": {"total": {"type": "number"}}}))
        );
        assert_eq!(plan.events[1].properties, None);
    }

    #[test]
    fn reads_typewriter_8_plans_unwrapped_and_typewriter_7_plans() {
        let unwrapped = read(
            r#"{"id": "tp_1", "name": "Shop", "rules": [
                {"type": "TRACK", "key": "Order Completed", "version": 1, "jsonSchema":
                    {"eventMetadata": {"name": "Order Completed", "type": "TRACK"},
                     "properties": {"total": {"type": "number"}}, "type": "object"}}
            ]}"#,
        )
        .unwrap();
        assert_eq!(
            unwrapped.events[0]
                .properties
                .as_ref()
                .and_then(|schema| schema.pointer("/properties/total/type")),
            Some(&Value::from("number"))
        );
        let config_api = read(
            r#"{"name": "workspaces/w/tracking-plans/rs_1", "rules": {"events": [
                {"name": "Order Completed", "version": 1, "rules":
                    {"properties": {"properties": {"properties": {"total": {"type": "number"}}}}}}
            ]}}"#,
        )
        .unwrap();
        assert_eq!(names(&config_api), ["Order Completed"]);
        assert!(config_api.events[0].properties.is_some());
        // Segment's Config API answer: `global` holds what every event may have.
        let global = read(
            r#"{"name": "p", "rules": {"identify_traits": [], "events": [],
                "global": {"type": "object", "properties": {"context": {}, "traits": {},
                    "properties": {"type": "object", "properties": {"plan": {"type": ["string"]}}}}}}}"#,
        )
        .unwrap();
        assert_eq!(
            global.common,
            [serde_json::json!({"type": "object", "properties": {"plan": {"type": ["string"]}}})]
        );
    }

    #[test]
    fn reads_a_map_of_event_names_to_schemas() {
        let plan = read(r#"{"Order Completed": {"type": "object"}, "Signed Up": true}"#).unwrap();
        assert_eq!(names(&plan), ["Order Completed", "Signed Up"]);
    }

    #[test]
    fn says_why_a_file_is_not_a_plan_without_quoting_it() {
        for (text, reason) in [
            (
                "",
                "it is not JSON (line 1, column 0: the file ends too soon)",
            ),
            (
                "{\"a\": secret}",
                "it is not JSON (line 1, column 7: expected value)",
            ),
            (
                "[1]",
                "it holds an array, where a tracking plan is an object",
            ),
            (
                r#"{"rules": 3}"#,
                "its `rules` is a number, where Segment's plans hold an array (Public API) or an object with `events` (Config API)",
            ),
            (
                r#"{"rules": [{"type": "TRACK", "key": 7}]}"#,
                "`rules[0]`'s `key` is a number, not a string",
            ),
            (r#"{"rules": [{"key": "a"}]}"#, "`rules[0]` has no `type`"),
            (
                r#"{"rules": {"events": [{"version": 1}]}}"#,
                "`rules.events[0]` has no `name`",
            ),
            (
                r#"{"Order Completed": "secret"}"#,
                "its event `Order Completed` has a string, where a JSON Schema of the event's properties is an object",
            ),
            (
                r#"{"data": {}}"#,
                "its `data` has no `rules`: a Public API answer is that of listing a plan's rules",
            ),
        ] {
            assert_eq!(read(text).unwrap_err(), reason, "{text}");
        }
    }
}
