//! Names: how components are compared and how progenitor spells identifiers.

/// Lower-case ASCII letters and digits only: two names that differ only in
/// case or punctuation become the same Rust identifier, so they clash.
pub fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// `v2024` → `V2024`, `access-profiles` → `AccessProfiles` (each part's
/// first letter upper-cased, the rest kept).
pub fn pascal(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut cs = p.chars();
            cs.next().map(|f| f.to_ascii_uppercase().to_string() + cs.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The method name progenitor gives an operation id (its `sanitize` with
/// snake case), which is also what `OperationInfo::operation_id` holds.
pub fn method_name(operation_id: &str) -> String {
    sanitize(operation_id, heck::ToSnakeCase::to_snake_case)
}

/// The type name typify gives a component schema.
pub fn type_name(component: &str) -> String {
    sanitize(component, heck::ToPascalCase::to_pascal_case)
}

fn sanitize(input: &str, to_case: fn(&str) -> String) -> String {
    let cleaned: String =
        input.replace('\'', "").chars().map(|c| if unicode_ident::is_xid_continue(c) { c } else { '-' }).collect();
    let out = match input {
        "+1" => "plus1".to_string(),
        "-1" => "minus1".to_string(),
        _ => to_case(&cleaned),
    };
    let out = match out.chars().next() {
        None => to_case("x"),
        Some(c) if unicode_ident::is_xid_start(c) => out,
        Some(_) => format!("_{out}"),
    };
    if syn::parse_str::<syn::Ident>(&out).is_ok() { out } else { format!("{out}_") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_like_progenitor() {
        assert_eq!(method_name("listSources"), "list_sources");
        assert_eq!(method_name("getOAuthClient"), "get_o_auth_client");
        assert_eq!(method_name("type"), "type_");
        assert_eq!(type_name("access-profile"), "AccessProfile");
        assert_eq!(norm("Access_Profile"), "accessprofile");
        assert_eq!(pascal("v2024"), "V2024");
        assert_eq!(pascal("access-profiles"), "AccessProfiles");
    }
}
