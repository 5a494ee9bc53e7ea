use super::*;

fn error(text: &str) -> String {
    Settings::from_json(text).unwrap_err().to_string()
}

#[test]
fn defaults_when_keys_are_absent_or_null() {
    assert_eq!(Settings::from_json("{}").unwrap(), Settings::default());
    let nulls = r#"{"tid":null,"pinterestEventMapping":null,"pinterestCustomProperties":null,
                    "useEnhancedMatchLoad":null,"mapMessageIdToEventId":null}"#;
    assert_eq!(Settings::from_json(nulls).unwrap(), Settings::default());
}

#[test]
fn reads_every_key_and_ignores_unknown_ones() {
    let settings = Settings::from_json(
        r#"{"tid":"t","pinterestEventMapping":{"B":"Lead","a":"Signup","B":"Custom"},
            "pinterestCustomProperties":["x","a.b"],"useEnhancedMatchLoad":true,
            "mapMessageIdToEventId":true,"disableAutoISOConversion":true,"unknown":[1,2]}"#,
    )
    .unwrap();
    assert_eq!(
        settings,
        Settings {
            tag: TagSettings {
                tid: "t".to_owned(),
                event_mapping: vec![
                    ("B".to_owned(), "Custom".to_owned()),
                    ("a".to_owned(), "Signup".to_owned())
                ],
                custom_properties: vec!["x".to_owned(), "a.b".to_owned()],
                use_enhanced_match_load: true,
                map_message_id_to_event_id: true,
            },
            disable_auto_iso_conversion: true,
            ..Settings::default()
        }
    );
}

#[test]
fn reads_the_conversions_api_keys() {
    let settings = Settings::from_json(
        r#"{"ad_account_id":"549755885175","conversion_token":"pina_x","maxEventAgeDays":3,
            "sendPartnerEventsAsCustom":true}"#,
    )
    .unwrap();
    assert_eq!(settings.conversions.ad_account_id, "549755885175");
    assert_eq!(
        settings
            .conversions
            .conversion_token
            .as_ref()
            .map(ConversionToken::expose),
        Some("pina_x")
    );
    assert_eq!(settings.conversions.max_event_age_days, 3);
    assert!(settings.conversions.send_partner_events_as_custom);
    assert!(!format!("{settings:?}").contains("pina_x"));
    assert_eq!(
        Settings::from_json(r#"{"ad_account_id":549755885175,"conversion_token":""}"#).unwrap(),
        Settings {
            conversions: ConversionSettings {
                ad_account_id: "549755885175".to_owned(),
                ..ConversionSettings::default()
            },
            ..Settings::default()
        }
    );
    assert_eq!(Settings::default().conversions.max_event_age_days, 7);
    assert_eq!(
        error(r#"{"ad_account_id":"act_123"}"#),
        "`ad_account_id` must be the ad account's number: digits only, at most 18"
    );
    assert_eq!(
        error(r#"{"ad_account_id":"1234567890123456789"}"#),
        "`ad_account_id` must be the ad account's number: digits only, at most 18"
    );
    assert_eq!(
        error(r#"{"ad_account_id":true}"#),
        "`ad_account_id` must be a string of digits, found a boolean"
    );
    assert_eq!(
        error(r#"{"conversion_token":5}"#),
        "`conversion_token` must be a string, found a number"
    );
    for days in ["0", "366", "1.5", "-1"] {
        assert_eq!(
            error(&format!(r#"{{"maxEventAgeDays":{days}}}"#)),
            "`maxEventAgeDays` must be a whole number of days from 1 to 365"
        );
    }
    assert_eq!(
        error(r#"{"maxEventAgeDays":"7"}"#),
        "`maxEventAgeDays` must be a number of days, found a string"
    );
    assert_eq!(
        error(r#"{"sendPartnerEventsAsCustom":"yes"}"#),
        "`sendPartnerEventsAsCustom` must be true or false, found a string"
    );
}

/// The settings read, and the warnings given, as strings.
fn read(text: &str) -> (Settings, Vec<String>) {
    let (settings, warnings) = Settings::from_json_with_warnings(text).unwrap();
    (settings, warnings.iter().map(ToString::to_string).collect())
}

fn mapping(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(event, pinterest)| ((*event).to_owned(), (*pinterest).to_owned()))
        .collect()
}

#[test]
fn an_array_event_mapping_maps_its_indices() {
    let (settings, warnings) = read(r#"{"tid":"1","pinterestEventMapping":["Lead","Signup"]}"#);
    assert_eq!(
        settings.tag.event_mapping,
        mapping(&[("0", "Lead"), ("1", "Signup")])
    );
    assert_eq!(
        warnings,
        [
            "`pinterestEventMapping` is an array: Segment's integration reads its indices (`0`, \
          `1`, …) as the event names: did you mean an object of event names, such as \
          `{\"Order Completed\": \"Checkout\"}`?"
        ]
    );
    let (settings, _) = read(r#"{"pinterestEventMapping":["Lead",{"key":"a","value":"Lead"},5]}"#);
    assert_eq!(
        settings.tag.event_mapping,
        mapping(&[("0", "Lead"), ("1", ""), ("2", "")])
    );
}

#[test]
fn an_array_of_key_value_objects_maps_its_indices_and_names_the_object_meant() {
    let (settings, warnings) = read(
        r#"{"tid":"1","pinterestEventMapping":[{"key":"Order Completed","value":"Lead"},
            {"value":"Signup","key":"Signed Up"},{"key":"A","value":"Custom"},{"key":"B","value":"Lead"}]}"#,
    );
    // Segment's `for…in` visits "0" to "3": no event name of these matches.
    assert_eq!(
        settings.tag.event_mapping,
        mapping(&[("0", ""), ("1", ""), ("2", ""), ("3", "")])
    );
    assert_eq!(
        warnings,
        [
            "`pinterestEventMapping` is an array of `{key, value}` objects: Segment's integration \
          reads its indices (`0`, `1`, …) as the event names, so it maps no event of these: did \
          you mean the object `{\"Order Completed\": \"Lead\", \"Signed Up\": \"Signup\", \"A\": \
          \"Custom\", …}`?"
        ]
    );
    let destination = crate::Destination::new(settings);
    assert_eq!(
        destination.event_for("Order Completed"),
        crate::PinterestEvent::Checkout
    );
}

#[test]
fn a_string_or_a_scalar_event_mapping_is_read_as_segment_reads_it() {
    let (settings, warnings) = read(r#"{"tid":"1","pinterestEventMapping":"Le🦀"}"#);
    assert_eq!(
        settings.tag.event_mapping,
        mapping(&[("0", "L"), ("1", "e"), ("2", "\u{fffd}"), ("3", "\u{fffd}")])
    );
    assert_eq!(
        warnings,
        [
            "`pinterestEventMapping` is a string: Segment's integration reads the indices of its \
          characters (`0`, `1`, …) as the event names: did you mean an object of event names, \
          such as `{\"Order Completed\": \"Checkout\"}`?"
        ]
    );
    for scalar in ["5", "true"] {
        let (settings, warnings) = read(&format!(
            r#"{{"tid":"1","pinterestEventMapping":{scalar}}}"#
        ));
        assert!(settings.tag.event_mapping.is_empty());
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].ends_with(
                ": Segment's integration finds no event names in it: every event maps by the \
                 table: did you mean an object of event names, such as `{\"Order Completed\": \
                 \"Checkout\"}`?"
            ),
            "{warnings:?}"
        );
    }
}

#[test]
fn event_mapping_values_that_are_not_strings_send_the_segment_event_name() {
    let (settings, warnings) = read(
        r#"{"tid":"1","pinterestEventMapping":{"Order Completed":false,"A":0,"B":{"x":1},"C":"Lead"}}"#,
    );
    assert_eq!(
        settings.tag.event_mapping,
        mapping(&[("Order Completed", ""), ("A", ""), ("B", ""), ("C", "Lead")])
    );
    assert_eq!(
        warnings,
        [
            "`pinterestEventMapping[\"Order Completed\"]` is a boolean: not a Pinterest event: \
             the Segment event name is sent unchanged",
            "`pinterestEventMapping[\"A\"]` is a number: not a Pinterest event: the Segment event \
             name is sent unchanged",
            "`pinterestEventMapping[\"B\"]` is an object: not a Pinterest event: the Segment event \
             name is sent unchanged",
        ]
    );
    // The entry applies, as Segment's first match does: the table is not consulted.
    let destination = crate::Destination::new(settings);
    assert_eq!(
        destination.event_for("order completed").as_str(),
        "order completed"
    );
}

#[test]
fn custom_properties_of_other_types_are_read_as_segment_reads_them() {
    let (settings, warnings) = read(r#"{"tid":"1","pinterestCustomProperties":"plan, tier"}"#);
    assert_eq!(
        settings.tag.custom_properties,
        ["p", "l", "a", "n", ",", " ", "t", "i", "e", "r"]
    );
    assert_eq!(
        warnings,
        [
            "`pinterestCustomProperties` is a string: Segment's integration reads each of its \
          characters as a property name: did you mean `[\"plan\", \"tier\"]`?"
        ]
    );
    let (settings, warnings) =
        read(r#"{"tid":"1","pinterestCustomProperties":["a",5,1.50,true,null,{},["b","c"]]}"#);
    assert_eq!(
        settings.tag.custom_properties,
        ["a", "5", "1.5", "true", "null", "[object Object]", "b,c"]
    );
    assert_eq!(
        warnings,
        [
            "`pinterestCustomProperties[1]` is a number: Segment's integration reads it as the \
             property name `5`",
            "`pinterestCustomProperties[2]` is a number: Segment's integration reads it as the \
             property name `1.5`",
            "`pinterestCustomProperties[3]` is a boolean: Segment's integration reads it as the \
             property name `true`",
            "`pinterestCustomProperties[4]` is null: Segment's integration reads it as the \
             property name `null`",
            "`pinterestCustomProperties[5]` is an object: Segment's integration reads it as the \
             property name `[object Object]`",
            "`pinterestCustomProperties[6]` is an array: Segment's integration reads it as the \
             property name `b,c`",
        ]
    );
    let (settings, warnings) =
        read(r#"{"tid":"1","pinterestCustomProperties":{"length":3,"0":"plan","1":7}}"#);
    assert_eq!(settings.tag.custom_properties, ["plan", "7", "undefined"]);
    assert_eq!(
        warnings,
        [
            "`pinterestCustomProperties` is an object: Segment's integration reads it as an array \
          by its `length` key: did you mean an array of property names, such as `[\"plan\"]`?"
        ]
    );
    let (settings, warnings) = read(r#"{"tid":"1","pinterestCustomProperties":12}"#);
    assert!(settings.tag.custom_properties.is_empty());
    assert_eq!(
        warnings,
        [
            "`pinterestCustomProperties` is a number: Segment's integration finds no property \
          names in it: did you mean an array of property names, such as `[\"plan\"]`?"
        ]
    );
}

#[test]
fn flags_of_other_types_are_read_by_their_truthiness() {
    let (settings, warnings) = read(
        r#"{"tid":"1","useEnhancedMatchLoad":"false","mapMessageIdToEventId":0,
            "disableAutoISOConversion":[]}"#,
    );
    assert!(settings.tag.use_enhanced_match_load);
    assert!(!settings.tag.map_message_id_to_event_id);
    assert!(settings.disable_auto_iso_conversion);
    assert_eq!(
        warnings,
        [
            "`useEnhancedMatchLoad` is the string \"false\": Segment's integration reads it as \
             true: did you mean `false`?",
            "`mapMessageIdToEventId` is the number 0: Segment's integration reads it as false: \
             did you mean `false`?",
            "`disableAutoISOConversion` is an array: Segment's integration reads it as true: did \
             you mean `true`?",
        ]
    );
    let (settings, warnings) = read(r#"{"tid":"1","mapMessageIdToEventId":"enabled"}"#);
    assert!(settings.tag.map_message_id_to_event_id);
    assert_eq!(
        warnings,
        [
            "`mapMessageIdToEventId` is a string: Segment's integration reads it as true: did you \
          mean `true` or `false`?"
        ]
    );
}

#[test]
fn a_number_tag_id_is_read_as_its_digits() {
    let (settings, warnings) = read(r#"{"tid":2620795819800}"#);
    assert_eq!(settings.tag.tid, "2620795819800");
    assert_eq!(
        warnings,
        [
            "`tid` is a number: read as the tag ID `2620795819800`: did you mean the string \
          `\"2620795819800\"`?"
        ]
    );
    let (_, found) = Settings::from_json_with_warnings(r#"{"tid":2620795819800}"#).unwrap();
    assert!(found[0].is_tag_only());
    let (settings, warnings) = read(r#"{"tid":0}"#);
    assert_eq!(settings.tag.tid, "");
    assert_eq!(
        warnings,
        [
            "`tid` is a number: Segment's integration reads it as no tag ID",
            "`tid` is missing or empty: every message will produce no Tag call",
        ]
    );
}

#[test]
fn wrong_types_name_the_key() {
    assert_eq!(
        error(r#"{"tid":true}"#),
        "`tid` must be a string, found a boolean"
    );
    assert_eq!(
        error(r#"{"tid":["1"]}"#),
        "`tid` must be a string, found an array"
    );
}

#[test]
fn rejects_non_objects_and_invalid_json() {
    assert_eq!(
        error("[]"),
        "settings must be a JSON object, found an array"
    );
    assert_eq!(
        error("{"),
        "settings are not valid JSON: expected a string key at column 2, found the end of the text"
    );
}

#[test]
fn the_example_is_valid() {
    let example = Settings::example();
    assert_eq!(example.tag.tid, "2620795819800");
    assert_eq!(example.tag.event_mapping.len(), 3);
    assert_eq!(example.tag.custom_properties, ["custom_prop"]);
}

#[test]
fn a_null_resets_a_key_set_before_it() {
    let settings =
        Settings::from_json(r#"{"tid":"t","maxEventAgeDays":3,"tid":null,"maxEventAgeDays":null}"#)
            .unwrap();
    assert_eq!(settings, Settings::default());
}

#[test]
fn serde_reads_and_writes_segment_keys() {
    let text = r#"{"tid":"t","pinterestEventMapping":{"Z":"Lead","a":""},"pinterestCustomProperties":["p"],"useEnhancedMatchLoad":true,"mapMessageIdToEventId":false,"disableAutoISOConversion":false,"ad_account_id":"549755885175","conversion_token":"pina_x","maxEventAgeDays":3,"sendPartnerEventsAsCustom":true}"#;
    let settings: Settings = serde_json::from_str(text).unwrap();
    assert_eq!(settings, Settings::from_json(text).unwrap());
    assert_eq!(serde_json::to_string(&settings).unwrap(), text);
    let default = serde_json::to_string(&Settings::default()).unwrap();
    assert_eq!(Settings::from_json(&default).unwrap(), Settings::default());
    assert!(!default.contains("conversion_token"));
    let error = serde_json::from_str::<Settings>(r#"{"tid":true}"#).unwrap_err();
    assert_eq!(error.to_string(), "`tid` must be a string, found a boolean");
    let coerced: Settings =
        serde_json::from_str(r#"{"pinterestEventMapping":[{"key":"A","value":"Lead"}]}"#).unwrap();
    assert_eq!(coerced.tag.event_mapping, mapping(&[("0", "")]));
}

#[test]
fn the_builder_sets_each_key() {
    let built = Settings::builder()
        .tid("t")
        .map_event("Z", "Lead")
        .map_event("a", "Signup")
        .map_event("Z", "")
        .custom_property("p")
        .use_enhanced_match_load(true)
        .map_message_id_to_event_id(true)
        .disable_auto_iso_conversion(true)
        .ad_account_id("549755885175")
        .conversion_token(ConversionToken::new("pina_x"))
        .max_event_age_days(0)
        .send_partner_events_as_custom(true)
        .build();
    let read = Settings::from_json(
        r#"{"tid":"t","pinterestEventMapping":{"Z":"","a":"Signup"},"pinterestCustomProperties":["p"],
            "useEnhancedMatchLoad":true,"mapMessageIdToEventId":true,"disableAutoISOConversion":true,
            "ad_account_id":"549755885175","conversion_token":"pina_x","maxEventAgeDays":1,
            "sendPartnerEventsAsCustom":true}"#,
    )
    .unwrap();
    assert_eq!(built, read);
    assert_eq!(
        Settings::builder()
            .max_event_age_days(1000)
            .build()
            .conversions
            .max_event_age_days,
        365
    );
}

fn warnings(text: &str) -> Vec<String> {
    let (_, warnings) = Settings::from_json_with_warnings(text).unwrap();
    warnings.iter().map(ToString::to_string).collect()
}

#[test]
fn unknown_keys_are_named_with_the_key_meant() {
    assert_eq!(
        warnings(
            r#"{"Tid":"1","tid":"1","pinterestEventMaping":{},"usEnhancedMatchLoad":true,"tag":1,"x":null}"#
        ),
        [
            "unknown key `Tid`, ignored: did you mean `tid`?",
            "unknown key `pinterestEventMaping`, ignored: did you mean `pinterestEventMapping`?",
            "unknown key `usEnhancedMatchLoad`, ignored: did you mean `useEnhancedMatchLoad`?",
            "unknown key `tag`, ignored",
            "unknown key `x`, ignored",
        ]
    );
    assert!(warnings(super::EXAMPLE).is_empty());
}

#[test]
fn a_missing_or_empty_tag_id_is_named() {
    for text in [r"{}", r#"{"tid":""}"#, r#"{"tid":null}"#] {
        assert_eq!(
            warnings(text),
            ["`tid` is missing or empty: every message will produce no Tag call"],
            "{text}"
        );
    }
    let (_, found) = Settings::from_json_with_warnings("{}").unwrap();
    assert!(found[0].is_tag_only());
}

#[test]
fn mapping_values_near_a_standard_code_are_named() {
    assert_eq!(
        warnings(
            r#"{"tid":"1","pinterestEventMapping":{"Order Completed":"Chekout","Signed Up":"signup",
                "A":"ADDTOCART","B":"Leads","C":"Checkout","D":"","E":"Newsletter","F":"Lea"}}"#
        ),
        [
            "`pinterestEventMapping[\"Order Completed\"]` is `Chekout`, a partner-defined event: \
             did you mean the standard event `Checkout`?",
            "`pinterestEventMapping[\"Signed Up\"]` is `signup`, a partner-defined event: did you \
             mean the standard event `Signup`?",
            "`pinterestEventMapping[\"A\"]` is `ADDTOCART`, a partner-defined event: did you mean \
             the standard event `AddToCart`?",
            "`pinterestEventMapping[\"B\"]` is `Leads`, a partner-defined event: did you mean the \
             standard event `Lead`?",
            "`pinterestEventMapping[\"F\"]` is `Lea`, a partner-defined event: did you mean the \
             standard event `Lead`?",
        ]
    );
}

#[test]
fn an_event_mapped_again_in_another_case_is_named() {
    assert_eq!(
        warnings(
            r#"{"tid":"1","pinterestEventMapping":{"Order Completed":"Checkout","order completed":"Lead","Order Completed":"Signup"}}"#
        ),
        [
            "`pinterestEventMapping[\"order completed\"]` never applies: \
             `pinterestEventMapping[\"Order Completed\"]` comes first, and event names match \
             ignoring case"
        ]
    );
}
