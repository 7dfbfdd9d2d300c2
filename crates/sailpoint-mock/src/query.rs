//! Collection queries: `filters` (a subset: `eq`, `sw`, `co`, `in`, joined
//! by `and`), `sorters`, `limit`/`offset`.

use serde_json::Value;

/// One condition of a `filters` expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Eq(String, Value),
    StartsWith(String, String),
    Contains(String, String),
    In(String, Vec<Value>),
}

/// The value at a dotted path, as text (`""` when absent or null).
pub fn field_text(item: &Value, path: &str) -> String {
    text(field(item, path))
}

fn field<'v>(item: &'v Value, path: &str) -> &'v Value {
    path.split('.').fold(item, |v, k| v.get(k).unwrap_or(&Value::Null))
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

impl Condition {
    pub fn matches(&self, item: &Value) -> bool {
        match self {
            Condition::Eq(f, v) => text(field(item, f)).eq_ignore_ascii_case(&text(v)),
            Condition::StartsWith(f, p) => text(field(item, f)).to_lowercase().starts_with(&p.to_lowercase()),
            Condition::Contains(f, p) => text(field(item, f)).to_lowercase().contains(&p.to_lowercase()),
            Condition::In(f, vs) => {
                let t = text(field(item, f));
                vs.iter().any(|v| text(v).eq_ignore_ascii_case(&t))
            }
        }
    }
}

/// A tokenizer for filter expressions: words, quoted strings, parentheses, commas.
fn tokens(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut t = String::from("\"");
            loop {
                match chars.next() {
                    Some('\\') => t.extend(chars.next()),
                    Some('"') => break,
                    Some(c) => t.push(c),
                    None => return Err("unterminated string in filters".into()),
                }
            }
            out.push(t);
        } else if c == '(' || c == ')' || c == ',' {
            out.push(c.to_string());
            chars.next();
        } else {
            let mut t = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == '(' || c == ')' || c == ',' {
                    break;
                }
                t.push(c);
                chars.next();
            }
            out.push(t);
        }
    }
    Ok(out)
}

fn literal(t: &str) -> Value {
    match t.strip_prefix('"') {
        Some(s) => Value::String(s.to_string()),
        None => match t {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            _ => t
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number)
                .unwrap_or(Value::String(t.to_string())),
        },
    }
}

/// Parses `name sw "AD" and type eq "x" and id in ("a","b")`.
pub fn parse_filters(s: &str) -> Result<Vec<Condition>, String> {
    let t = tokens(s)?;
    let mut out = Vec::new();
    let mut i = 0;
    while i < t.len() {
        let (f, op) = (t.get(i).cloned().unwrap_or_default(), t.get(i + 1).map(|s| s.to_ascii_lowercase()));
        let bad = || format!("unsupported filter near `{}`", t[i..].join(" "));
        match op.as_deref() {
            Some("eq") | Some("sw") | Some("co") => {
                let v = t.get(i + 2).ok_or_else(bad)?;
                out.push(match op.as_deref() {
                    Some("eq") => Condition::Eq(f, literal(v)),
                    Some("sw") => Condition::StartsWith(f, text(&literal(v))),
                    _ => Condition::Contains(f, text(&literal(v))),
                });
                i += 3;
            }
            Some("in") => {
                if t.get(i + 2).map(String::as_str) != Some("(") {
                    return Err(bad());
                }
                let mut j = i + 3;
                let mut vals = Vec::new();
                while j < t.len() && t[j] != ")" {
                    if t[j] != "," {
                        vals.push(literal(&t[j]));
                    }
                    j += 1;
                }
                if j >= t.len() {
                    return Err(bad());
                }
                out.push(Condition::In(f, vals));
                i = j + 1;
            }
            _ => return Err(bad()),
        }
        match t.get(i).map(|s| s.to_ascii_lowercase()) {
            None => break,
            Some(a) if a == "and" => i += 1,
            Some(_) => return Err(format!("unsupported filter near `{}` (only `and` joins conditions)", t[i..].join(" "))),
        }
    }
    Ok(out)
}

/// Sort keys from sort fields (`name`, `-created`): (field, descending).
pub fn sort_keys<'s>(fields: impl IntoIterator<Item = &'s str>) -> Vec<(String, bool)> {
    fields
        .into_iter()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_prefix('-') {
            Some(f) => (f.to_string(), true),
            None => (s.trim_start_matches('+').to_string(), false),
        })
        .collect()
}

/// Compares an item with sort values (one per key, as text).
pub fn compare(item: &Value, keys: &[(String, bool)], values: &[String]) -> std::cmp::Ordering {
    for (i, (f, desc)) in keys.iter().enumerate() {
        let o = field_text(item, f).cmp(values.get(i).unwrap_or(&String::new()));
        let o = if *desc { o.reverse() } else { o };
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

/// The sort values of an item.
pub fn sort_values(item: &Value, keys: &[(String, bool)]) -> Vec<String> {
    keys.iter().map(|(f, _)| field_text(item, f)).collect()
}

/// Sorts by `sorters` (`name,-created`).
pub fn sort(items: &mut [Value], sorters: &str) {
    let keys = sort_keys(sorters.split(','));
    items.sort_by(|a, b| compare(a, &keys, &sort_values(b, &keys)));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters() {
        let c = parse_filters(r#"name sw "AD" and type eq "DIRECT" and id in ("a", "b")"#).unwrap();
        assert_eq!(c.len(), 3);
        assert!(c.iter().all(|c| c.matches(&json!({"name": "AD prod", "type": "DIRECT", "id": "b"}))));
        assert!(!c[2].matches(&json!({"id": "z"})));
        assert!(parse_filters("name xx 1").is_err());
        assert!(parse_filters("name eq \"open").is_err());
        assert!(parse_filters("name eq \"a\" or id eq \"b\"").is_err());
        let mut v = vec![json!({"n": "b"}), json!({"n": "a"})];
        sort(&mut v, "-n");
        assert_eq!(v[0]["n"], "b");
    }
}
