//! Path template variables and declared path parameters must agree.
//!
//! progenitor builds the URL from the template and the declared `in: path`
//! parameters; when they differ (25 v2024 operations) it fails or builds a
//! wrong URL. Where every operation of a path declares the same name for
//! a variable (`/sources/{sourceId}/native-change-detection-config`, whose
//! three operations declare `id`), the template variable is renamed to the
//! declared name: the URL is the same, and the setter keeps the name
//! SailPoint's pages and SDKs give the parameter (`.id(…)`). Then, per
//! operation, path-item parameters are copied into it, and:
//! a declared parameter whose name differs from the template variable only
//! in spelling (or is the only candidate) is renamed to the variable; a
//! variable nobody declares becomes a required string parameter; a declared
//! path parameter that is not in the template becomes a query parameter.
//! Duplicate `(in, name)` parameters keep the operation's own (last) one.

use serde_json::{Value, json};

use super::{Log, deref, operation_id, operations};
use crate::names::norm;

pub const WHY: &str = "make the path template and the declared path parameters agree";

fn template_vars(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|s| s.split_once('}')).map(|(v, _)| v.to_string()).collect()
}

/// `(declared, variable)` pairs: a declared path parameter that is the
/// template variable misspelled (or the only candidate for it).
fn misspellings(template_vars: &[String], declared: &[String]) -> Vec<(String, String)> {
    let mut missing: Vec<String> = template_vars.iter().filter(|v| !declared.contains(v)).cloned().collect();
    let mut extra: Vec<String> = declared.iter().filter(|d| !template_vars.contains(d)).cloned().collect();
    let mut pairs = Vec::new();
    for var in missing.clone() {
        let candidate = extra
            .iter()
            .find(|d| norm(d) == norm(&var))
            .cloned()
            .or_else(|| (missing.len() == 1 && extra.len() == 1).then(|| extra[0].clone()));
        if let Some(d) = candidate {
            pairs.push((d.clone(), var.clone()));
            missing.retain(|m| *m != var);
            extra.retain(|e| *e != d);
        }
    }
    pairs
}

/// The names of the path parameters `method` of `path` declares (its own
/// and the path item's).
fn declared_path_params(doc: &Value, path: &str, method: &str) -> Vec<String> {
    let item = &doc["paths"][path];
    let params = item.get("parameters").and_then(Value::as_array).into_iter().flatten();
    let own = item[method].get("parameters").and_then(Value::as_array).into_iter().flatten();
    params
        .chain(own)
        .map(|p| deref(doc, p))
        .filter(|p| p["in"] == "path")
        .filter_map(|p| p["name"].as_str().map(str::to_string))
        .collect()
}

/// Renames template variables to the name every operation of the path
/// declares for them.
fn rename_templates(doc: &mut Value, log: &mut Log) {
    let paths: Vec<String> = doc.get("paths").and_then(Value::as_object).into_iter().flatten().map(|(p, _)| p.clone()).collect();
    for path in paths {
        let methods: Vec<String> = operations(doc).into_iter().filter(|(p, _)| *p == path).map(|(_, m)| m).collect();
        let vars = template_vars(&path);
        let mut agreed: Option<Vec<(String, String)>> = None;
        let mut all_agree = !methods.is_empty();
        for method in &methods {
            let pairs = misspellings(&vars, &declared_path_params(doc, &path, method));
            match &agreed {
                None => agreed = Some(pairs),
                Some(a) if *a == pairs => {}
                Some(_) => all_agree = false,
            }
        }
        let Some(pairs) = agreed.filter(|p| all_agree && !p.is_empty()) else { continue };
        let mut renamed = path.clone();
        for (declared, var) in &pairs {
            renamed = renamed.replace(&format!("{{{var}}}"), &format!("{{{declared}}}"));
        }
        let paths = doc["paths"].as_object_mut().expect("paths");
        if paths.contains_key(&renamed) {
            continue;
        }
        let item = paths.remove(&path).expect("the path");
        paths.insert(renamed.clone(), item);
        let what: Vec<String> = pairs.iter().map(|(d, v)| format!("{{{v}}} -> {{{d}}}")).collect();
        log.note("template variable renamed to the name its operations declare", format!("{path}: {}", what.join(", ")));
    }
}

pub fn run(doc: &mut Value, log: &mut Log) {
    rename_templates(doc, log);
    for (path, method) in operations(doc) {
        let template_vars = template_vars(&path);
        let item_params: Vec<Value> =
            doc["paths"][&path].get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let op = doc["paths"][&path][&method].clone();
        let oid = operation_id(op.as_object().expect("operation"));
        // Resolve every parameter to an inline copy, path-item ones first.
        let mut params: Vec<Value> = Vec::new();
        let own: Vec<Value> = op.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
        let inherited = !item_params.is_empty();
        for p in item_params.iter().chain(own.iter()) {
            let resolved = deref(doc, p).clone();
            let key = (resolved["in"].clone(), resolved["name"].clone());
            if let Some(i) = params.iter().position(|q| (q["in"].clone(), q["name"].clone()) == key) {
                params.remove(i);
                log.note("duplicate (in, name) parameter removed", oid.clone());
            }
            // Path parameters are edited per operation: keep a copy; others keep their ref.
            params.push(if resolved["in"] == "path" { resolved } else { p.clone() });
        }
        let declared: Vec<String> =
            params.iter().filter(|p| p["in"] == "path").filter_map(|p| p["name"].as_str().map(str::to_string)).collect();
        let renames = misspellings(&template_vars, &declared);
        let missing: Vec<String> =
            template_vars.iter().filter(|v| !declared.contains(v) && !renames.iter().any(|(_, r)| r == *v)).cloned().collect();
        let extra: Vec<String> =
            declared.iter().filter(|d| !template_vars.contains(d) && !renames.iter().any(|(r, _)| r == *d)).cloned().collect();
        let mut changed = inherited || own.len() + item_params.len() != params.len();
        for p in params.iter_mut().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap_or_default().to_string();
            if let Some((_, var)) = renames.iter().find(|(d, _)| *d == name) {
                log.note("declared path parameter renamed to the template variable", format!("{oid}: {name} -> {var}"));
                p["name"] = json!(var);
                changed = true;
            } else if extra.contains(&name) {
                log.note("declared path parameter not in the template made a query parameter", format!("{oid}: {name}"));
                p["in"] = json!("query");
                changed = true;
            }
        }
        for var in missing {
            log.note("undeclared template variable added as a string path parameter", format!("{oid}: {var}"));
            params.push(json!({"in": "path", "name": var, "required": true, "schema": {"type": "string"}}));
            changed = true;
        }
        if changed {
            doc["paths"][&path][&method]["parameters"] = Value::Array(params);
        }
    }
    for (_, item) in doc["paths"].as_object_mut().into_iter().flatten() {
        if let Some(map) = item.as_object_mut() {
            map.remove("parameters");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::passes::testing::run_twice;

    #[test]
    fn renames_adds_and_demotes() {
        let mut doc = json!({"paths": {
            "/a/{sourceId}/b/{key}": {
                "parameters": [{"in": "query", "name": "q", "schema": {"type": "string"}}],
                "get": {"operationId": "getA", "parameters": [
                    {"in": "path", "name": "id", "required": true, "schema": {"type": "string"}},
                    {"in": "path", "name": "other", "required": true, "schema": {"type": "string"}},
                    {"in": "query", "name": "q", "schema": {"type": "integer"}}
                ]}
            }
        }});
        let log = run_twice(run, &mut doc);
        let params = doc["paths"]["/a/{sourceId}/b/{key}"]["get"]["parameters"].as_array().unwrap().clone();
        let names: Vec<_> =
            params.iter().map(|p| format!("{}:{}", p["in"].as_str().unwrap(), p["name"].as_str().unwrap())).collect();
        // `id` and `other` are both candidates for `sourceId`: none is renamed by guess.
        assert!(names.contains(&"path:sourceId".to_string()), "{names:?}");
        assert!(names.contains(&"path:key".to_string()));
        assert!(names.contains(&"query:id".to_string()));
        assert_eq!(params.iter().filter(|p| p["name"] == "q").count(), 1);
        assert_eq!(params.iter().find(|p| p["name"] == "q").unwrap()["schema"]["type"], "integer");
        assert!(doc["paths"]["/a/{sourceId}/b/{key}"].get("parameters").is_none());
        assert!(log.count() >= 4);
    }

    #[test]
    fn a_variable_every_operation_declares_otherwise_takes_the_declared_name() {
        let id = json!({"in": "path", "name": "id", "required": true, "schema": {"type": "string"}});
        let mut doc = json!({"paths": {"/s/{sourceId}": {
            "get": {"operationId": "g", "parameters": [id.clone()]},
            "put": {"operationId": "p", "parameters": [id.clone()]}
        }}});
        let log = run_twice(run, &mut doc);
        assert!(doc["paths"].get("/s/{sourceId}").is_none());
        assert_eq!(doc["paths"]["/s/{id}"]["get"]["parameters"][0]["name"], "id");
        assert_eq!(doc["paths"]["/s/{id}"]["put"]["parameters"][0]["name"], "id");
        assert_eq!(log.changes[0].1, ["/s/{sourceId}: {sourceId} -> {id}"]);
        assert_eq!(log.count(), 1);
    }

    #[test]
    fn operations_that_disagree_are_renamed_to_the_template() {
        let mut doc = json!({"paths": {"/s/{sourceId}": {
            "get": {"operationId": "g", "parameters": [{"in": "path", "name": "id", "required": true, "schema": {"type": "string"}}]},
            "put": {"operationId": "p", "parameters": [{"in": "path", "name": "sourceId", "required": true, "schema": {"type": "string"}}]}
        }}});
        let log = run_twice(run, &mut doc);
        assert_eq!(doc["paths"]["/s/{sourceId}"]["get"]["parameters"][0]["name"], "sourceId");
        assert_eq!(log.changes[0].1, ["g: id -> sourceId"]);
    }
}
