//! The OpenAPI document: the operations of [`crate::api`] under `/api/v1`, refined for strict
//! clients by [`crate::spec_refinement`]. Served by the app, checked against bodies by
//! the request-body check, and compared with the committed `openapi/scaidns.json` by a test.

use std::sync::OnceLock;

use poem_openapi::OpenApiService;

use crate::api::{Api, api};

/// The OpenAPI service: every operation under `/api/v1`.
pub fn api_service() -> OpenApiService<Api, ()> {
    OpenApiService::new(api(), "ScaiDNS API", env!("CARGO_PKG_VERSION"))
        .description(
            "Multi-tenant control plane for authoritative DNS. Authenticate with `X-API-Key`. \
             Every error has the body `{\"detail\", \"code\", \"request_id\"}`.",
        )
        .url_prefix("/api/v1")
}

/// The OpenAPI document as pretty JSON, refined for strict clients ([`crate::spec_refinement`]).
/// Needs no database.
pub fn spec_json() -> String {
    let generated = api_service().spec();
    let Ok(mut spec) = serde_json::from_str::<serde_json::Value>(&generated) else {
        return generated;
    };
    crate::spec_refinement::refine(&mut spec);
    serde_json::to_string_pretty(&spec).unwrap_or(generated)
}

/// The document the server serves and checks bodies against, built on its first use: building
/// it walks every operation's types and peaks at about 11 MB of heap, which a server should not
/// pay at start-up for a document it may never serve (docs/decisions.md, "Idle memory").
pub fn served_spec() -> &'static str {
    static SPEC: OnceLock<String> = OnceLock::new();
    SPEC.get_or_init(spec_json)
}

/// The Swagger UI page of `/docs` (its script and the document inlined, about 2 MB), built on its
/// first request for the same reason as [`served_spec`].
pub fn docs_page() -> &'static str {
    static PAGE: OnceLock<String> = OnceLock::new();
    PAGE.get_or_init(|| api_service().swagger_ui_html())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_built_on_first_use_are_the_generated_ones() {
        assert_eq!(served_spec(), spec_json());
        // Built once: later calls hand out the same string.
        assert!(std::ptr::eq(served_spec(), served_spec()));
        let page = docs_page();
        assert!(page.contains("<html"), "not a page");
        assert!(
            page.contains("\"ScaiDNS API\""),
            "the document is not inlined"
        );
        assert!(std::ptr::eq(page, docs_page()));
    }
}
