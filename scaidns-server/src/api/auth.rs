//! `/api/v1/auth/*` and `/api/v1/me` (spec api-identity §3.4): the OAuth proxy that lets the
//! frontend log in through the identity provider (authorization code + PKCE, RFC 7636; refresh
//! tokens rotate at ScaiKey) and the caller's own identity. Tokens pass through and are never
//! logged or stored.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::service::{Actor, Me as Caller, OpContext, TokenSet};

use crate::api::ApiTags;
use crate::auth::{ApiAuth, op_context};
use crate::error::ApiResult;
use crate::state::AppState;

/// OAuth settings for the frontend.
#[derive(Debug, Clone, Object)]
pub struct AuthConfigResponse {
    /// Where the browser logs in.
    pub authorization_endpoint: String,
    /// The provider's token endpoint.
    pub token_endpoint: String,
    /// ScaiDNS's own user-info endpoint (`/api/v1/auth/me`).
    pub userinfo_endpoint: String,
    /// Where the browser logs out, if the provider has one.
    pub end_session_endpoint: Option<String>,
    /// The provider's JWKS.
    pub jwks_uri: String,
    /// The issuer.
    pub issuer: String,
    /// ScaiDNS's OAuth client id.
    pub client_id: String,
    /// Scopes to request.
    pub scopes: Vec<String>,
}

/// An authorization code to exchange.
#[derive(Clone, Object)]
pub struct AuthTokenRequest {
    /// The code from the provider's redirect.
    pub code: String,
    /// The PKCE verifier whose S256 challenge went to the authorize endpoint.
    pub code_verifier: String,
    /// The redirect URI sent to the authorize endpoint.
    pub redirect_uri: String,
}

/// A refresh token to exchange.
#[derive(Clone, Object)]
pub struct AuthRefreshRequest {
    /// The refresh token; it is spent, use the new one returned.
    pub refresh_token: String,
}

/// Tokens from the provider.
#[derive(Clone, Object)]
pub struct AuthTokenResponse {
    /// The access token (a JWT).
    pub access_token: String,
    /// The new refresh token.
    pub refresh_token: Option<String>,
    /// `Bearer`.
    pub token_type: String,
    /// Lifetime of the access token in seconds.
    pub expires_in: Option<u64>,
    /// The OIDC ID token.
    pub id_token: Option<String>,
}

impl From<TokenSet> for AuthTokenResponse {
    fn from(t: TokenSet) -> Self {
        Self {
            access_token: t.access_token,
            refresh_token: t.refresh_token,
            token_type: t.token_type,
            expires_in: t.expires_in,
            id_token: t.id_token,
        }
    }
}

/// The caller's tenant.
#[derive(Debug, Clone, Object)]
pub struct MeTenant {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Id at the identity provider.
    pub scaikey_tenant_id: Option<String>,
}

/// The caller.
#[derive(Debug, Clone, Object)]
pub struct Me {
    /// User id (absent for a group's API key).
    pub id: Option<String>,
    /// Id at the identity provider.
    pub scaikey_user_id: Option<String>,
    /// E-mail.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// The tenant the request acts in.
    pub tenant: MeTenant,
    /// Holds `platform_admin`.
    pub is_platform_admin: bool,
    /// Holds `tenant_admin` in its tenant.
    pub is_tenant_admin: bool,
    /// Ids of the user's groups.
    pub groups: Vec<String>,
    /// `jwt` or `api_key`.
    pub auth_method: String,
}

/// `{"data": …}`.
#[derive(Debug, Clone, Object)]
pub struct MeResponse {
    /// The caller.
    pub data: Me,
}

/// `{"status": "ok"}`.
#[derive(Debug, Clone, Object)]
pub struct LogoutResponse {
    /// `ok`.
    pub status: String,
}

fn me_response(me: Caller, ctx: &OpContext) -> Json<MeResponse> {
    let user = me.user.as_ref();
    let name = user.and_then(|u| {
        let full = [u.first_name.as_deref(), u.last_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!full.is_empty()).then_some(full)
    });
    Json(MeResponse {
        data: Me {
            id: user.map(|u| u.id.to_string()),
            scaikey_user_id: user.and_then(|u| u.scaikey_user_id.clone()),
            email: user.map(|u| u.email.clone()),
            name,
            tenant: MeTenant {
                id: me.tenant.id.to_string(),
                name: me.tenant.name,
                slug: me.tenant.slug,
                scaikey_tenant_id: me.tenant.scaikey_tenant_id,
            },
            is_platform_admin: ctx.is_platform_admin(),
            is_tenant_admin: user.is_some_and(|u| u.is_tenant_admin),
            groups: me.groups.iter().map(ToString::to_string).collect(),
            auth_method: match ctx.actor {
                Actor::ApiKey { .. } => "api_key",
                _ => "jwt",
            }
            .to_owned(),
        },
    })
}

/// Authentication endpoints.
pub struct AuthApi;

#[OpenApi(tag = "ApiTags::Auth")]
impl AuthApi {
    /// OAuth settings for the frontend (no authentication).
    #[oai(path = "/auth/config", method = "get", operation_id = "auth_config")]
    async fn auth_config(&self, state: Data<&AppState>) -> ApiResult<Json<AuthConfigResponse>> {
        let settings = state.service.auth_config().await?;
        let base = state
            .config
            .external_url
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_owned();
        Ok(Json(AuthConfigResponse {
            authorization_endpoint: settings.authorization_endpoint,
            token_endpoint: settings.token_endpoint,
            userinfo_endpoint: format!("{base}/api/v1/auth/me"),
            end_session_endpoint: settings.end_session_endpoint,
            jwks_uri: settings.jwks_uri,
            issuer: settings.issuer,
            client_id: settings.client_id,
            scopes: settings.scopes,
        }))
    }

    /// Exchange an authorization code and its PKCE verifier for tokens.
    #[oai(path = "/auth/token", method = "post", operation_id = "auth_token")]
    async fn auth_token(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<AuthTokenRequest>,
    ) -> ApiResult<Json<AuthTokenResponse>> {
        crate::rate_limit_edge::check_anonymous(&state, req).await?;
        let b = body.0;
        let tokens = state
            .service
            .auth_token(&b.code, &b.code_verifier, &b.redirect_uri)
            .await?;
        Ok(Json(tokens.into()))
    }

    /// Exchange a refresh token for new tokens (the old refresh token is spent).
    #[oai(path = "/auth/refresh", method = "post", operation_id = "auth_refresh")]
    async fn auth_refresh(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<AuthRefreshRequest>,
    ) -> ApiResult<Json<AuthTokenResponse>> {
        crate::rate_limit_edge::check_anonymous(&state, req).await?;
        let tokens = state.service.auth_refresh(&body.0.refresh_token).await?;
        Ok(Json(tokens.into()))
    }

    /// The caller: user, tenant, flags and groups.
    #[oai(path = "/auth/me", method = "get", operation_id = "auth_me")]
    async fn auth_me(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<MeResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(me_response(state.service.auth_me(&ctx).await?, &ctx))
    }

    /// Log out: ScaiDNS keeps no session, so this only confirms; the frontend drops its tokens
    /// and sends the browser to the provider's end-session endpoint.
    #[oai(path = "/auth/logout", method = "post", operation_id = "auth_logout")]
    async fn auth_logout(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<LogoutResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        state.service.auth_logout(&ctx).await?;
        Ok(Json(LogoutResponse {
            status: "ok".to_owned(),
        }))
    }

    /// The caller (same as `/auth/me`).
    #[oai(path = "/me", method = "get", operation_id = "me_get")]
    async fn me_get(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<MeResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(me_response(state.service.me_get(&ctx).await?, &ctx))
    }
}
