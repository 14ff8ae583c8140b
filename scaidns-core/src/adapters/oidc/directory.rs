//! ScaiKey's directory API as an [`IdentityDirectory`] (for `scaidns sync`).
//!
//! ScaiDNS authenticates as itself with the client-credentials grant (RFC 6749 §4.4) at the
//! discovered token endpoint and calls the admin API under `SCAIKEY_URL` with that bearer
//! token: `/api/v1/partners`, `/api/v1/tenants`, `/api/v1/tenants/{t}/groups`,
//! `/api/v1/tenants/{t}/groups/{g}/members` and
//! `/api/v1/tenants/{t}/applications/{app}/effective-users`, each paged with `page` and
//! `per_page`. A page may be a bare array or an object holding the items under `data`,
//! `items` or `results`; the last page is the first one shorter than its `per_page` (or the
//! one reaching `total`).

use async_trait::async_trait;
use serde_json::Value;
use tokio::sync::Mutex;

use super::OidcProvider;
use super::http::HttpError;
use crate::error::{Error, Result};
use crate::identity::upstream::{
    UpstreamGroup, UpstreamPartner, UpstreamTenant, UpstreamUser, text_at,
};
use crate::ports::idp_directory::IdentityDirectory;

/// Items per page requested.
const PER_PAGE: usize = 100;
/// A bound on pages, so a provider that ignores `page` cannot loop us forever.
const MAX_PAGES: u32 = 10_000;

fn upstream(err: &HttpError) -> Error {
    err.to_upstream_error("ScaiKey directory")
}

/// The ScaiKey directory client.
pub struct ScaiKeyDirectory<'a> {
    provider: &'a OidcProvider,
    base: String,
    application_id: String,
    token: Mutex<Option<String>>,
}

impl std::fmt::Debug for ScaiKeyDirectory<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScaiKeyDirectory")
            .field("base", &self.base)
            .field("application_id", &self.application_id)
            .finish_non_exhaustive()
    }
}

impl<'a> ScaiKeyDirectory<'a> {
    /// A client for the API under `base_url` (`SCAIKEY_URL`), reading the users assigned to
    /// `application_id` (`SCAIKEY_APPLICATION_ID`), authenticated with the provider's client
    /// credentials.
    pub fn new(provider: &'a OidcProvider, base_url: &str, application_id: &str) -> Self {
        Self {
            provider,
            base: base_url.trim_end_matches('/').to_owned(),
            application_id: application_id.to_owned(),
            token: Mutex::new(None),
        }
    }

    async fn token(&self) -> Result<String> {
        let mut slot = self.token.lock().await;
        if let Some(token) = slot.as_ref() {
            return Ok(token.clone());
        }
        let token = super::service_token::fetch(self.provider, "sync").await?;
        *slot = Some(token.clone());
        Ok(token)
    }

    /// Every item of a paged list at `path`.
    async fn all(&self, path: &str) -> Result<Vec<Value>> {
        let token = self.token().await?;
        let mut items = Vec::new();
        for page in 1..=MAX_PAGES {
            let url = format!("{}{path}?page={page}&per_page={PER_PAGE}", self.base);
            let body: Value = self
                .provider
                .http()
                .get_json(&url, Some(&token))
                .await
                .map_err(|e| upstream(&e))?;
            // A provider may cap `per_page` below what was asked; it then says so.
            let size = body
                .get("per_page")
                .and_then(Value::as_u64)
                .map_or(PER_PAGE, |n| usize::try_from(n).unwrap_or(PER_PAGE));
            let (batch, total) = page_items(body);
            let short = batch.is_empty() || batch.len() < size;
            items.extend(batch);
            if short || total.is_some_and(|t| items.len() as u64 >= t) {
                break;
            }
        }
        Ok(items)
    }
}

/// The items of one page and the total, if the page says.
fn page_items(body: Value) -> (Vec<Value>, Option<u64>) {
    match body {
        Value::Array(items) => (items, None),
        Value::Object(mut map) => {
            let total = map.get("total").and_then(Value::as_u64);
            let items = ["data", "items", "results"]
                .iter()
                .find_map(|k| match map.remove(*k) {
                    Some(Value::Array(items)) => Some(items),
                    _ => None,
                })
                .unwrap_or_default();
            (items, total)
        }
        _ => (Vec::new(), None),
    }
}

fn segment(id: &str) -> String {
    super::http::form_encode(id)
}

#[async_trait]
impl IdentityDirectory for ScaiKeyDirectory<'_> {
    async fn partners(&self) -> Result<Vec<UpstreamPartner>> {
        let items = self.all("/api/v1/partners").await?;
        Ok(items
            .iter()
            .filter_map(UpstreamPartner::from_value)
            .collect())
    }

    async fn tenants(&self) -> Result<Vec<UpstreamTenant>> {
        let items = self.all("/api/v1/tenants").await?;
        Ok(items
            .iter()
            .filter_map(UpstreamTenant::from_value)
            .collect())
    }

    async fn effective_users(&self, tenant: &str) -> Result<Vec<UpstreamUser>> {
        let path = format!(
            "/api/v1/tenants/{}/applications/{}/effective-users",
            segment(tenant),
            segment(&self.application_id)
        );
        let items = self.all(&path).await?;
        Ok(items
            .iter()
            .filter_map(|v| UpstreamUser::from_value(v, Some(tenant)))
            .collect())
    }

    async fn groups(&self, tenant: &str) -> Result<Vec<UpstreamGroup>> {
        let path = format!("/api/v1/tenants/{}/groups", segment(tenant));
        let items = self.all(&path).await?;
        Ok(items
            .iter()
            .filter_map(|v| UpstreamGroup::from_value(v, Some(tenant)))
            .collect())
    }

    async fn group_members(&self, tenant: &str, group: &str) -> Result<Vec<String>> {
        let path = format!(
            "/api/v1/tenants/{}/groups/{}/members",
            segment(tenant),
            segment(group)
        );
        let items = self.all(&path).await?;
        Ok(items
            .iter()
            .filter_map(|v| match v {
                Value::String(id) => Some(id.clone()),
                other => text_at(other, &["user_id"])
                    .or_else(|| text_at(other, &["user", "id"]))
                    .or_else(|| text_at(other, &["id"])),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::page_items;
    use serde_json::json;

    #[test]
    fn page_shapes() {
        assert_eq!(page_items(json!([1, 2])).0.len(), 2);
        let (items, total) = page_items(json!({"data": [1], "total": 7}));
        assert_eq!((items.len(), total), (1, Some(7)));
        assert_eq!(page_items(json!({"items": [1, 2, 3]})).0.len(), 3);
        assert!(page_items(json!("x")).0.is_empty());
    }
}
