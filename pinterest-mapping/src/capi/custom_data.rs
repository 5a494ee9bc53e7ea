//! `custom_data`, translated from the event data of the Tag call: each documented field with a
//! place in the API becomes that field, with the API's type; the rest reach the Tag only.

use std::borrow::Cow;

use super::FieldWarning;
use super::event::{Content, CustomData, Decimal};
use crate::json::{Json, JsonValue};
use crate::table::{DataField, LineItemField};
use crate::tag::{CallData, CallLineItem, DataValue};

/// The `custom_data` of a Tag call's event data. A value of the wrong shape is left out, with
/// a warning naming its field.
pub(crate) fn custom_data<'a>(
    data: &CallData<'a>,
    warnings: &mut Vec<FieldWarning>,
) -> CustomData<'a> {
    let mut custom = CustomData::default();
    // The quantities' sum, while every line item has one.
    let mut quantities = None;
    for (key, value) in data.entries() {
        let Some(field) = DataField::documented(key) else {
            continue;
        };
        let Some(api) = field.conversions_field() else {
            continue;
        };
        // The destination's own strings are page names, which have no place here.
        let DataValue::Json(json) = *value else {
            continue;
        };
        let mut warn =
            |problem| warnings.push(FieldWarning::new(format!("custom_data.{api}"), problem));
        match field {
            DataField::Value => {
                custom.value = decimal(json).ok_or(NOT_A_NUMBER).map_err(&mut warn).ok();
            }
            DataField::Currency => custom.currency = string(json).map_err(&mut warn).ok(),
            DataField::OrderId => custom.order_id = text(json).map_err(&mut warn).ok(),
            DataField::SearchQuery => custom.search_string = text(json).map_err(&mut warn).ok(),
            DataField::OrderQuantity => custom.num_items = count(json).map_err(&mut warn).ok(),
            _ => {}
        }
    }
    match data.get("line_items") {
        Some(DataValue::LineItems(items)) => {
            let items = items.iter().map(|item| item.map(CallLineItem::fields));
            quantities = contents(items, &mut custom, warnings);
        }
        // A custom property named `line_items` may hold any JSON: products are read from an
        // array of objects, by the line-item fields' names.
        Some(DataValue::Json(json)) => {
            let mut items = Vec::new();
            let is_array = json.for_each_element(|item| {
                let mut fields = Vec::new();
                let is_object = item.for_each_entry(|key, value| {
                    if let Some(field) =
                        key.to_str().and_then(|key| LineItemField::documented(&key))
                    {
                        fields.push((field, value));
                    }
                });
                items.push(is_object.then_some(fields));
            });
            if is_array {
                let items = items.into_iter().map(|item| item.map(Vec::into_iter));
                quantities = contents(items, &mut custom, warnings);
            }
        }
        _ => {}
    }
    // Without an `order_quantity`, the number of items is the sum of the quantities, when
    // every line item has one.
    if custom.num_items.is_none() {
        custom.num_items = quantities;
    }
    custom
}

/// Fills `contents` and `content_ids` from line items, each its fields or `None` for a hole;
/// returns the sum of their quantities when every one has one (and there is one at least).
fn contents<'a, F>(
    items: impl Iterator<Item = Option<F>>,
    custom: &mut CustomData<'a>,
    warnings: &mut Vec<FieldWarning>,
) -> Option<i64>
where
    F: Iterator<Item = (LineItemField, Json<'a>)>,
{
    let mut quantities = Some(0_i64);
    let mut any = false;
    for (index, item) in items.enumerate() {
        any = true;
        let mut content = Content::default();
        for (field, value) in item.into_iter().flatten() {
            let Some(api) = field.conversions_field() else {
                continue;
            };
            let mut warn = |problem| {
                warnings.push(FieldWarning::new(
                    format!("custom_data.contents[{index}].{api}"),
                    problem,
                ));
            };
            match field {
                LineItemField::ProductId => content.id = text(value).map_err(&mut warn).ok(),
                LineItemField::ProductPrice => {
                    content.item_price = decimal(value).ok_or(NOT_A_NUMBER).map_err(&mut warn).ok();
                }
                LineItemField::ProductQuantity => {
                    content.quantity = count(value).map_err(&mut warn).ok();
                }
                LineItemField::ProductName => {
                    content.item_name = text(value).map_err(&mut warn).ok();
                }
                LineItemField::ProductCategory => {
                    content.item_category = text(value).map_err(&mut warn).ok();
                }
                LineItemField::ProductBrand => {
                    content.item_brand = text(value).map_err(&mut warn).ok();
                }
                _ => {}
            }
        }
        quantities = quantities
            .zip(content.quantity)
            .and_then(|(sum, quantity)| sum.checked_add(quantity));
        if content.is_empty() {
            continue;
        }
        if let Some(id) = &content.id {
            custom.content_ids.push(id.clone());
        }
        custom.contents.push(content);
    }
    quantities.filter(|_| any)
}

const NOT_A_NUMBER: &str = "not a number (or a string holding one)";

/// A number, or a string holding one, as the API's string.
fn decimal(value: Json<'_>) -> Option<Decimal<'_>> {
    match value.to_str() {
        Some(text) => Decimal::new(text),
        None if value.type_name() == "a number" => Decimal::new(value.text()),
        None => None,
    }
}

/// A string.
fn string(value: Json<'_>) -> Result<Cow<'_, str>, &'static str> {
    value.to_str().ok_or("not a string")
}

/// A string, or a number as its text.
fn text(value: Json<'_>) -> Result<Cow<'_, str>, &'static str> {
    match value.to_str() {
        Some(text) => Ok(text),
        None if value.type_name() == "a number" => Ok(Cow::Borrowed(value.text())),
        None => Err("not a string or a number"),
    }
}

/// A whole number of items (a number or a string holding one, `3` or `3.0`), not negative.
fn count(value: Json<'_>) -> Result<i64, &'static str> {
    const PROBLEM: &str = "not a whole number of items";
    let text: Cow<'_, str> = match value.to_str() {
        Some(text) => text,
        None if value.type_name() == "a number" => Cow::Borrowed(value.text()),
        None => return Err(PROBLEM),
    };
    let number = Decimal::new(text).ok_or(PROBLEM)?;
    if let Ok(whole) = number.as_str().parse::<i64>() {
        return (whole >= 0).then_some(whole).ok_or(PROBLEM);
    }
    let float: f64 = number.as_str().parse().map_err(|_| PROBLEM)?;
    // Exactly whole and within the range doubles hold integers exactly.
    if float.fract() == 0.0 && (0.0..=9_007_199_254_740_992.0).contains(&float) {
        #[allow(clippy::cast_possible_truncation)]
        return Ok(float as i64);
    }
    Err(PROBLEM)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tag::CallLineItems;

    fn json(text: &str) -> Json<'_> {
        Json::parse(text).unwrap()
    }

    fn translated(data: &CallData<'_>) -> (String, Vec<String>) {
        let mut warnings = Vec::new();
        let custom = custom_data(data, &mut warnings);
        (
            serde_json::to_string(&custom).unwrap(),
            warnings.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn documented_fields_take_the_apis_types() {
        let mut data = CallData::default();
        for (key, value) in [
            ("search_query", r#""shoes""#),
            ("value", "30.50"),
            ("currency", r#""USD""#),
            ("order_id", "12345"),
            ("coupon", r#""MAY""#),
            ("promo_code", r#""P""#),
            ("order_quantity", r#""3""#),
        ] {
            data.set(key, DataValue::Json(json(value)));
        }
        data.set("name", DataValue::Str(""));
        assert_eq!(
            translated(&data),
            (
                r#"{"currency":"USD","value":"30.50","num_items":3,"order_id":"12345","search_string":"shoes"}"#.to_owned(),
                Vec::new()
            )
        );
    }

    #[test]
    fn line_items_become_contents_and_content_ids() {
        let mut items = CallLineItems::default();
        items.push_item([
            (LineItemField::ProductId, json(r#""p-1""#)),
            (LineItemField::ProductPrice, json("18.99")),
            (LineItemField::ProductQuantity, json("2")),
            (LineItemField::ProductVariant, json(r#""red""#)),
        ]);
        items.push_item([(LineItemField::ProductVariant, json(r#""blue""#))]);
        items.push_item([
            (LineItemField::ProductName, json(r#""Lego""#)),
            (LineItemField::ProductQuantity, json("1.0")),
            (LineItemField::ProductCategory, json(r#""Toys""#)),
            (LineItemField::ProductBrand, json(r#""Hasbro""#)),
            (LineItemField::Custom("colour"), json(r#""green""#)),
        ]);
        let mut data = CallData::default();
        data.set("line_items", DataValue::LineItems(items));
        assert_eq!(
            translated(&data).0,
            r#"{"content_ids":["p-1"],"contents":[{"id":"p-1","item_price":"18.99","quantity":2},{"quantity":1,"item_name":"Lego","item_category":"Toys","item_brand":"Hasbro"}]}"#
        );
    }

    #[test]
    fn num_items_sums_quantities_only_when_every_item_has_one() {
        let with_quantities = |quantities: &[Option<&'static str>]| {
            let mut items = CallLineItems::default();
            for quantity in quantities {
                match quantity {
                    Some(quantity) => {
                        items.push_item([(LineItemField::ProductQuantity, json(quantity))]);
                    }
                    None => items.push_hole(),
                }
            }
            let mut data = CallData::default();
            data.set("line_items", DataValue::LineItems(items));
            let mut warnings = Vec::new();
            custom_data(&data, &mut warnings).num_items
        };
        assert_eq!(with_quantities(&[Some("2"), Some("3")]), Some(5));
        assert_eq!(with_quantities(&[Some("2"), None]), None);
        assert_eq!(with_quantities(&[]), None);
        let mut data = CallData::default();
        data.set("order_quantity", DataValue::Json(json("7")));
        let mut items = CallLineItems::default();
        items.push_item([(LineItemField::ProductQuantity, json("1"))]);
        data.set("line_items", DataValue::LineItems(items));
        assert_eq!(custom_data(&data, &mut Vec::new()).num_items, Some(7));
    }

    #[test]
    fn wrong_shapes_are_left_out_with_a_warning() {
        let mut items = CallLineItems::default();
        items.push_item([
            (LineItemField::ProductId, json(r#"{"a":1}"#)),
            (LineItemField::ProductPrice, json(r#""free""#)),
            (LineItemField::ProductQuantity, json("2.5")),
        ]);
        items.push_item([(LineItemField::ProductQuantity, json("-1"))]);
        let mut data = CallData::default();
        data.set("value", DataValue::Json(json(r#""$30""#)));
        data.set("currency", DataValue::Json(json("840")));
        data.set("order_id", DataValue::Json(json("true")));
        data.set("order_quantity", DataValue::Json(json("1e400")));
        data.set("line_items", DataValue::LineItems(items));
        let (custom, warnings) = translated(&data);
        assert_eq!(custom, "{}");
        assert_eq!(
            warnings,
            [
                "`custom_data.value` left out: not a number (or a string holding one)",
                "`custom_data.currency` left out: not a string",
                "`custom_data.order_id` left out: not a string or a number",
                "`custom_data.num_items` left out: not a whole number of items",
                "`custom_data.contents[0].id` left out: not a string or a number",
                "`custom_data.contents[0].item_price` left out: not a number (or a string holding one)",
                "`custom_data.contents[0].quantity` left out: not a whole number of items",
                "`custom_data.contents[1].quantity` left out: not a whole number of items",
            ]
        );
    }

    #[test]
    fn a_custom_line_items_array_is_read_by_field_names() {
        let mut data = CallData::default();
        data.set(
            "line_items",
            DataValue::Json(json(r#"[{"product_id": 5, "product_price": "1.5", "x": 1}, 7, {"product_quantity": 2}]"#)),
        );
        assert_eq!(
            translated(&data).0,
            r#"{"content_ids":["5"],"contents":[{"id":"5","item_price":"1.5"},{"quantity":2}]}"#
        );
        data.set("line_items", DataValue::Json(json(r#""not products""#)));
        assert_eq!(translated(&data).0, "{}");
    }
}
