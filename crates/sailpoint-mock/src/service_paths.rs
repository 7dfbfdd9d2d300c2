//! The per-service paths (`/sources/v1/…`, `/password-sync-groups/v1/…`,
//! `/password-policies/v1/…`, `/search/v1`): the same resources as the year paths, from
//! the same state. A request to one is matched against its service's
//! operation table (its experimental flags, its page sizes, its rate-limit
//! budget), then its URI is rewritten to the year form the routes serve
//! (`/sources/v1/{id}` → `/services/sources/{id}`) before routing.

use axum::extract::Request;
use axum::http::Uri;
use axum::middleware::Next;
use axum::response::Response;
use sailpoint_runtime::Operation;

use crate::tenant::find_in;

/// The services whose resources the mock keeps, with their operation tables.
pub(crate) static SERVED: &[(&str, &[Operation])] = &[
    ("sources", sailpoint_sources::OPERATIONS),
    ("password-policies", sailpoint_password_policies::OPERATIONS),
    ("password-sync-groups", sailpoint_password_sync_groups::OPERATIONS),
    ("password-management", sailpoint_password_management::OPERATIONS),
    ("search", sailpoint_search::OPERATIONS),
    ("triggers", sailpoint_triggers::OPERATIONS),
];

/// The first segment of a rewritten path: the routes' `{version}`.
pub(crate) const PREFIX: &str = "services";

/// What the rewrite found: the service and its operation.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServiceOperation {
    pub service: &'static str,
    pub operation: &'static Operation,
}

/// The service operation `method path` calls, and the year-form path.
fn resolve(method: &str, path: &str) -> Option<(ServiceOperation, String)> {
    let mut segments = path.trim_start_matches('/').splitn(3, '/');
    let (first, version) = (segments.next()?, segments.next()?);
    let rest = segments.next().unwrap_or_default();
    let is_version = version.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    if !is_version {
        return None;
    }
    SERVED.iter().find_map(|(service, ops)| {
        let operation = find_in(ops, method, path)?;
        let rewritten = if rest.is_empty() { format!("/{PREFIX}/{first}") } else { format!("/{PREFIX}/{first}/{rest}") };
        Some((ServiceOperation { service, operation }, rewritten))
    })
}

/// The middleware: rewrites a per-service request and records its operation.
pub(crate) async fn rewrite(mut req: Request, next: Next) -> Response {
    if let Some((found, path)) = resolve(req.method().as_str(), req.uri().path()) {
        let target = match req.uri().query() {
            Some(q) => format!("{path}?{q}"),
            None => path,
        };
        if let Ok(uri) = target.parse::<Uri>() {
            *req.uri_mut() = uri;
            req.extensions_mut().insert(found);
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_paths_map_to_the_year_routes() {
        let (found, path) = resolve("GET", "/sources/v1/abc/schemas").unwrap();
        assert_eq!(
            (found.service, found.operation.operation_id, path.as_str()),
            ("sources", "getSourceSchemasV1", "/services/sources/abc/schemas")
        );
        let (found, path) = resolve("GET", "/password-sync-groups/v1").unwrap();
        assert_eq!((found.operation.operation_id, path.as_str()), ("getPasswordSyncGroupsV1", "/services/password-sync-groups"));
        assert!(resolve("GET", "/v2024/sources").is_none(), "year paths are left alone");
        assert!(resolve("GET", "/sources/v1/a/b/c/d/e").is_none(), "no such operation");
    }
}
