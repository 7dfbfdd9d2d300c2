//! A parameter's inline enum that is a component's enum, value for value,
//! uses that component's type.
//!
//! The spec repeats enums inline: the `scheduleType` parameter of
//! get/update/deleteSourceSchedule lists the values of
//! `SourceSchedule.type`, and typify makes three more enums of them
//! (`GetSourceScheduleScheduleType`, …), which do not convert into each
//! other. Where exactly one component enum has the same values (a
//! component that is an enum, or an inline enum property of one), the
//! parameter refers to it: a property's enum becomes a component under the
//! name typify gave it already (`SourceScheduleType`), so that no type is
//! renamed. Enums with other values, more than one possible owner, a
//! default, or nullability are left as they are.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::{Log, operation_id, operations};
use crate::names::{pascal, type_name};

pub const WHY: &str = "a parameter's inline enum that is a component's enum uses the component's type";

/// A plain string enum's values, sorted; `None` for anything else.
fn values(schema: &Value) -> Option<Vec<String>> {
    let s = schema.as_object()?;
    if s.get("type").and_then(Value::as_str) != Some("string")
        || s.contains_key("$ref")
        || s.contains_key("default")
        || s.get("nullable") == Some(&json!(true))
    {
        return None;
    }
    let mut values: Vec<String> =
        s.get("enum")?.as_array()?.iter().map(|v| v.as_str().map(str::to_string)).collect::<Option<_>>()?;
    values.sort();
    values.dedup();
    (values.len() >= 2).then_some(values)
}

/// Where a component enum lives.
#[derive(Clone, PartialEq, Eq, Debug)]
enum Owner {
    /// `components.schemas[name]` is the enum.
    Component(String),
    /// `components.schemas[name].properties[property]` is.
    Property(String, String),
}

/// Values → every component enum with those values.
fn component_enums(doc: &Value) -> BTreeMap<Vec<String>, Vec<Owner>> {
    let mut out: BTreeMap<Vec<String>, Vec<Owner>> = BTreeMap::new();
    for (name, schema) in doc.pointer("/components/schemas").and_then(Value::as_object).into_iter().flatten() {
        if let Some(v) = values(schema) {
            out.entry(v).or_default().push(Owner::Component(name.clone()));
        }
        for (property, p) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
            if let Some(v) = values(p) {
                out.entry(v).or_default().push(Owner::Property(name.clone(), property.clone()));
            }
        }
    }
    out
}

/// The component the enum of `owner` is, made one if it is a property's.
fn component_of(doc: &mut Value, owner: &Owner) -> Option<String> {
    let (name, property) = match owner {
        Owner::Component(name) => return Some(name.clone()),
        Owner::Property(name, property) => (name, property),
    };
    // The name typify gives the property's enum.
    let hoisted = format!("{}{}", type_name(name), pascal(property));
    let schemas = doc.pointer_mut("/components/schemas").and_then(Value::as_object_mut)?;
    if schemas.contains_key(&hoisted) {
        return None;
    }
    let p = schemas.get_mut(name)?.get_mut("properties")?.get_mut(property)?;
    let schema = std::mem::replace(p, json!({"$ref": format!("#/components/schemas/{hoisted}")}));
    schemas.insert(hoisted.clone(), schema);
    Some(hoisted)
}

pub fn run(doc: &mut Value, log: &mut Log) {
    let owners = component_enums(doc);
    // Property enums hoisted so far: owner → component name.
    let mut hoisted: Vec<(Owner, String)> = Vec::new();
    for (path, method) in operations(doc) {
        let oid = operation_id(doc["paths"][&path][&method].as_object().expect("operation"));
        let count = doc["paths"][&path][&method].get("parameters").and_then(Value::as_array).map_or(0, Vec::len);
        for i in 0..count {
            let param = &doc["paths"][&path][&method]["parameters"][i];
            let Some(v) = values(&param["schema"]) else { continue };
            let name = param["name"].as_str().unwrap_or_default().to_string();
            let Some([owner]) = owners.get(&v).map(Vec::as_slice) else { continue };
            let component = match hoisted.iter().find(|(o, _)| o == owner) {
                Some((_, c)) => c.clone(),
                None => {
                    let Some(c) = component_of(doc, owner) else { continue };
                    if let Owner::Property(schema, property) = owner {
                        log.note("a component's enum property made a component of its own", format!("{schema}.{property}: {c}"));
                    }
                    hoisted.push((owner.clone(), c.clone()));
                    c
                }
            };
            let schema = &mut doc["paths"][&path][&method]["parameters"][i]["schema"];
            let mut reference = Map::new();
            reference.insert("$ref".into(), json!(format!("#/components/schemas/{component}")));
            *schema = Value::Object(reference);
            log.note("parameter enum uses the component enum with its values", format!("{oid}.{name}: {component}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn parameters_share_the_one_component_enum_with_their_values() {
        let kinds = json!({"type": "string", "enum": ["ACCOUNT_AGGREGATION", "GROUP_AGGREGATION"]});
        let param = |name: &str, schema: &Value| json!({"in": "query", "name": name, "schema": schema});
        let sorts = json!({"type": "string", "enum": ["ASC", "DESC"]});
        let mut doc = json!({
            "paths": {"/s/{id}/schedules": {
                "get": {"operationId": "getSchedule", "parameters": [
                    param("scheduleType", &kinds),
                    param("order", &sorts),
                    param("other", &json!({"type": "string", "enum": ["A", "B"], "default": "A"}))
                ]},
                "delete": {"operationId": "deleteSchedule", "parameters": [param("scheduleType", &kinds)]}
            }},
            "components": {"schemas": {
                "SourceSchedule": {"type": "object", "properties": {"type": kinds, "cron": {"type": "string"}}},
                "SortA": sorts, "SortB": sorts,
                "Letters": {"type": "string", "enum": ["A", "B"]}
            }}
        });
        let log = run_twice(run, &mut doc);
        let schemas = &doc["components"]["schemas"];
        assert_eq!(schemas["SourceScheduleType"], kinds, "hoisted under typify's name");
        assert_eq!(schemas["SourceSchedule"]["properties"]["type"], json!({"$ref": "#/components/schemas/SourceScheduleType"}));
        let ops = &doc["paths"]["/s/{id}/schedules"];
        for op in ["get", "delete"] {
            assert_eq!(ops[op]["parameters"][0]["schema"], json!({"$ref": "#/components/schemas/SourceScheduleType"}));
        }
        assert_eq!(ops["get"]["parameters"][1]["schema"], sorts, "two possible owners: left alone");
        assert_eq!(ops["get"]["parameters"][2]["schema"]["default"], "A", "a default: left alone");
        assert_eq!(log.count(), 3, "{log:?}");
    }
}
