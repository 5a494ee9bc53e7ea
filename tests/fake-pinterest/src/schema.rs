//! Pinterest's own schema for the Conversions API: the vendored excerpt of its OpenAPI
//! description (`docs/pinterest-capi-openapi.yaml`), its schemas checked as JSON Schema
//! 2020-12, under which a `$ref` with `required` beside it (the `user_data` identity rule)
//! applies both.

use boon::{Compiler, Draft, SchemaIndex, Schemas};
use serde_json::Value;

/// The OpenAPI excerpt, as vendored.
pub const OPENAPI: &str = include_str!("../../../docs/pinterest-capi-openapi.yaml");

/// Where the document is registered: a name, never fetched.
const LOCATION: &str = "urn:pinterest:openapi";

/// Pinterest's schemas, compiled.
pub struct Schema {
    schemas: Schemas,
    request: SchemaIndex,
    response: SchemaIndex,
}

impl Schema {
    /// Compiles the request body (`ConversionEvents`) and the response
    /// (`ConversionApiResponse`) schemas of the vendored description.
    ///
    /// # Panics
    ///
    /// The vendored description does not read or compile: the repository is broken.
    pub fn load() -> Schema {
        let document: Value = serde_norway::from_str(OPENAPI)
            .unwrap_or_else(|error| panic!("pinterest-capi-openapi.yaml: {error}"));
        let mut compiler = Compiler::new();
        compiler.set_default_draft(Draft::V2020_12);
        compiler
            .add_resource(LOCATION, document)
            .unwrap_or_else(|error| panic!("pinterest-capi-openapi.yaml: {error}"));
        let mut schemas = Schemas::new();
        let mut compile = |name: &str| {
            compiler
                .compile(
                    &format!("{LOCATION}#/components/schemas/{name}"),
                    &mut schemas,
                )
                .unwrap_or_else(|error| panic!("{name}: {error:#}"))
        };
        let request = compile("ConversionEvents");
        let response = compile("ConversionApiResponse");
        Schema {
            schemas,
            request,
            response,
        }
    }

    /// Whether `body` is a request the API takes; the first violation otherwise.
    ///
    /// # Errors
    ///
    /// What the schema refuses.
    pub fn check_request(&self, body: &Value) -> Result<(), String> {
        self.schemas
            .validate(body, self.request)
            .map_err(|error| error.to_string())
    }

    /// Whether `body` is a response as the API describes it.
    ///
    /// # Errors
    ///
    /// What the schema refuses.
    pub fn check_response(&self, body: &Value) -> Result<(), String> {
        self.schemas
            .validate(body, self.response)
            .map_err(|error| error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> Value {
        serde_json::json!({
            "event_name": "checkout",
            "action_source": "web",
            "event_time": 1_795_867_200,
            "event_id": "m-1",
            "user_data": {"em": ["8c87b489ce35cf2e2f39f80e282cb2e804932a56a213983eeeb428407d43b52d"]},
        })
    }

    /// The schema is strict where Pinterest is: the checks that follow would pass a schema
    /// that accepted anything.
    #[test]
    fn refuses_what_pinterest_refuses() {
        let schema = Schema::load();
        assert_eq!(
            schema.check_request(&serde_json::json!({"data": [event()]})),
            Ok(())
        );
        let mut unknown_key = event();
        unknown_key["partner"] = Value::from("x");
        let mut custom_key = event();
        custom_key["custom_data"] = serde_json::json!({"coupon": "MAY"});
        let mut number_value = event();
        number_value["custom_data"] = serde_json::json!({"value": 30.5});
        let mut string_quantity = event();
        string_quantity["custom_data"] = serde_json::json!({"contents": [{"quantity": "2"}]});
        let mut ip_alone = event();
        ip_alone["user_data"] = serde_json::json!({"client_ip_address": "203.0.113.9"});
        let mut no_event_id = event();
        no_event_id
            .as_object_mut()
            .map(|event| event.remove("event_id"));
        for (name, body) in [
            ("an unknown key", serde_json::json!({"data": [unknown_key]})),
            (
                "a custom_data key",
                serde_json::json!({"data": [custom_key]}),
            ),
            (
                "a number value",
                serde_json::json!({"data": [number_value]}),
            ),
            (
                "a string quantity",
                serde_json::json!({"data": [string_quantity]}),
            ),
            (
                "an IP address alone",
                serde_json::json!({"data": [ip_alone]}),
            ),
            ("no event_id", serde_json::json!({"data": [no_event_id]})),
            ("no event", serde_json::json!({"data": []})),
            (
                "a key beside data",
                serde_json::json!({"data": [event()], "test": true}),
            ),
        ] {
            assert!(schema.check_request(&body).is_err(), "{name} passed");
        }
        let too_many: Vec<Value> = std::iter::repeat_with(event).take(1_001).collect();
        assert!(
            schema
                .check_request(&serde_json::json!({"data": too_many}))
                .is_err()
        );
    }
}
