//! `/api/v1/admin/config` (spec api-zones §11.1) and `/api/v1/admin/authoritative-domains`
//! (§11.3). Platform admins only. The catalogue of keys, their bounds and what reads them are
//! in `scaidns_core::service::platform_config`; docs/configuration.md lists them.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::service::platform_config::ConfigEntry;

use crate::api::ApiTags;
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;
use crate::timestamp::Timestamp;

/// One configuration key.
#[derive(Debug, Clone, Object)]
pub struct ConfigItem {
    /// The key (`validation.challenge_ttl`).
    pub key: String,
    /// The value in effect, as a decimal string.
    pub value: String,
    /// What it means.
    pub description: String,
    /// Its type (`integer`).
    #[oai(rename = "type")]
    pub value_type: String,
    /// Smallest value.
    pub min: u32,
    /// Largest value.
    pub max: u32,
    /// The starting value: the environment's, else the built-in default.
    pub default: String,
    /// Where `value` comes from: `default`, `env` or `api`.
    pub source: String,
    /// The environment variable that gives the starting value, if any.
    pub env: Option<String>,
    /// When a change takes effect: `immediately` (on every replica within
    /// `CONFIG_MAX_STALENESS`, on this one before the change is answered) or `new_objects`
    /// (likewise, but only for keys and challenges created from then on).
    pub applies: String,
    /// When it was last set through the API.
    pub updated_at: Option<Timestamp>,
    /// Who set it (e-mail or id).
    pub updated_by: Option<String>,
}

impl From<ConfigEntry> for ConfigItem {
    fn from(e: ConfigEntry) -> Self {
        Self {
            key: e.spec.key.to_owned(),
            value: e.value.to_string(),
            description: e.spec.description.to_owned(),
            value_type: "integer".to_owned(),
            min: e.spec.min,
            max: e.spec.max,
            default: e.default.to_string(),
            source: e.source.as_str().to_owned(),
            env: e.spec.env.map(str::to_owned),
            applies: e.spec.applies.as_str().to_owned(),
            updated_at: e.updated_at.map(Into::into),
            updated_by: e.updated_by,
        }
    }
}

/// Every configuration key.
#[derive(Debug, Clone, Object)]
pub struct ConfigList {
    /// The keys, in catalogue order.
    pub configs: Vec<ConfigItem>,
}

/// A new value.
#[derive(Debug, Clone, Object)]
pub struct ConfigSetRequest {
    /// The value as a decimal string (`"7200"`).
    pub value: String,
}

/// The authoritative domains.
#[derive(Debug, Clone, Object)]
pub struct AuthoritativeDomains {
    /// Domain names, lowercase, without trailing dot, sorted.
    pub domains: Vec<String>,
}

/// Platform configuration endpoints.
pub struct PlatformConfigApi;

#[OpenApi(tag = "ApiTags::Admin")]
impl PlatformConfigApi {
    /// Every configuration key with its value and where the value comes from (platform
    /// admin).
    #[oai(path = "/admin/config", method = "get", operation_id = "config_list")]
    async fn config_list(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<ConfigList>> {
        let ctx = op_context(&state, &auth, req).await?;
        let configs = state.service.config_list(&ctx).await?;
        Ok(Json(ConfigList {
            configs: configs.into_iter().map(Into::into).collect(),
        }))
    }

    /// One configuration key (platform admin); 404 `config_key_not_found`.
    #[oai(
        path = "/admin/config/:key",
        method = "get",
        operation_id = "config_get"
    )]
    async fn config_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// The key.
        key: Path<String>,
    ) -> ApiResult<Json<ConfigItem>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(state.service.config_get(&ctx, &key.0).await?.into()))
    }

    /// Set a configuration key (platform admin). The value is stored and wins over the
    /// environment; 404 `config_key_not_found`, 422 for a value of the wrong type or out of
    /// range.
    #[oai(
        path = "/admin/config/:key",
        method = "patch",
        operation_id = "config_set"
    )]
    async fn config_set(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        /// The key.
        key: Path<String>,
        body: Json<ConfigSetRequest>,
    ) -> ApiResult<Json<ConfigItem>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(Json(
            state
                .service
                .config_set(&ctx, &key.0, &body.0.value)
                .await?
                .into(),
        ))
    }

    /// The domains this instance is authoritative for (platform admin).
    #[oai(
        path = "/admin/authoritative-domains",
        method = "get",
        operation_id = "authoritative_domains_get"
    )]
    async fn authoritative_domains_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<AuthoritativeDomains>> {
        let ctx = op_context(&state, &auth, req).await?;
        let domains = state.service.authoritative_domains_get(&ctx).await?;
        Ok(Json(AuthoritativeDomains { domains }))
    }

    /// Replace the authoritative domains (platform admin); 422 naming the first bad name.
    #[oai(
        path = "/admin/authoritative-domains",
        method = "put",
        operation_id = "authoritative_domains_set"
    )]
    async fn authoritative_domains_set(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
        body: Json<AuthoritativeDomains>,
    ) -> ApiResult<Json<AuthoritativeDomains>> {
        let ctx = op_context(&state, &auth, req).await?;
        let domains = state
            .service
            .authoritative_domains_set(&ctx, body.0.domains)
            .await?;
        Ok(Json(AuthoritativeDomains { domains }))
    }
}
