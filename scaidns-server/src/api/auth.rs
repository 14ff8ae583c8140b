//! `/api/v1/auth/*` and `/api/v1/me` (spec api-identity §3.4): the OAuth proxy that lets the
//! frontend log in through the identity provider (authorization code + PKCE, RFC 7636; refresh
//! tokens rotate at ScaiKey) and the caller's own identity. Tokens pass through and are never
//! logged or stored.

use poem::Request;
use poem::web::Data;
use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use scaidns_core::service::{
    Actor, Me as Caller, MeContext as CallerContext, OpContext, TokenSet, TokenValidation,
};

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

/// A token another service wants checked.
#[derive(Clone, Object)]
pub struct AuthValidateRequest {
    /// The JWT (without `Bearer `).
    #[oai(validator(max_length = 16384))]
    pub token: String,
}

/// The claims of a valid token, as ScaiDNS reads them (the configured claim names applied).
#[derive(Debug, Clone, Object)]
pub struct ValidatedClaims {
    /// `iss`.
    pub iss: String,
    /// `sub`.
    pub sub: String,
    /// The tenant claim.
    pub tenant_id: Option<String>,
    /// The e-mail claim.
    pub email: Option<String>,
    /// `email_verified`.
    pub email_verified: Option<bool>,
    /// The roles claim.
    pub roles: Vec<String>,
    /// The scopes claim.
    pub scopes: Vec<String>,
    /// `exp`, seconds since the epoch.
    pub exp: i64,
}

/// `{"valid": true, "sub", "tenant_id", "exp", "claims"}` or `{"valid": false, "reason"}`.
#[derive(Debug, Clone, Object)]
pub struct AuthValidateResponse {
    /// Whether a request with the token would be let in (the token, then its tenant and user).
    pub valid: bool,
    /// Why not: the code a request with it would get (`token_expired`, `tenant_suspended`,
    /// `user_inactive`…).
    #[oai(skip_serializing_if_is_none)]
    pub reason: Option<String>,
    /// `sub`.
    #[oai(skip_serializing_if_is_none)]
    pub sub: Option<String>,
    /// The tenant claim.
    #[oai(skip_serializing_if_is_none)]
    pub tenant_id: Option<String>,
    /// `exp`, seconds since the epoch.
    #[oai(skip_serializing_if_is_none)]
    pub exp: Option<i64>,
    /// The claims.
    #[oai(skip_serializing_if_is_none)]
    pub claims: Option<ValidatedClaims>,
}

impl From<TokenValidation> for AuthValidateResponse {
    fn from(v: TokenValidation) -> Self {
        match v {
            TokenValidation::Valid(c) => {
                let exp = c.expires_at.timestamp();
                Self {
                    valid: true,
                    reason: None,
                    sub: Some(c.subject.clone()),
                    tenant_id: c.tenant.clone(),
                    exp: Some(exp),
                    claims: Some(ValidatedClaims {
                        iss: c.issuer,
                        sub: c.subject,
                        tenant_id: c.tenant,
                        email: c.email,
                        email_verified: c.email_verified,
                        roles: c.roles,
                        scopes: c.scopes,
                        exp,
                    }),
                }
            }
            TokenValidation::Invalid(reason) => Self {
                valid: false,
                reason: Some(reason),
                sub: None,
                tenant_id: None,
                exp: None,
                claims: None,
            },
        }
    }
}

/// The caller's tenant, in full.
#[derive(Debug, Clone, Object)]
pub struct MeContextTenant {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Id at the identity provider.
    pub scaikey_tenant_id: Option<String>,
    /// `active` or `suspended`.
    pub status: String,
    /// Whether it is the platform operator's own tenant.
    pub is_platform: bool,
}

/// What the caller may do.
#[derive(Debug, Clone, Object)]
pub struct MePermissions {
    /// Held everywhere.
    pub platform: Vec<String>,
    /// Held in the request's tenant (the platform ones included).
    pub tenant: Vec<String>,
}

/// The caller with its tenant context.
#[derive(Debug, Clone, Object)]
pub struct MeContextData {
    /// The caller, as `/me` shows it.
    pub user: Me,
    /// The tenant the request acts in.
    pub tenant: MeContextTenant,
    /// The request's permissions (an API key's scopes applied).
    pub permissions: MePermissions,
}

/// `{"data": …}`.
#[derive(Debug, Clone, Object)]
pub struct MeContextResponse {
    /// The caller with its tenant context.
    pub data: MeContextData,
}

fn me_context_response(c: CallerContext, ctx: &OpContext) -> Json<MeContextResponse> {
    let tenant = MeContextTenant {
        id: c.me.tenant.id.to_string(),
        name: c.me.tenant.name.clone(),
        slug: c.me.tenant.slug.clone(),
        scaikey_tenant_id: c.me.tenant.scaikey_tenant_id.clone(),
        status: c.me.tenant.status.to_string(),
        is_platform: c.me.tenant.is_platform,
    };
    Json(MeContextResponse {
        data: MeContextData {
            user: me_response(c.me, ctx).0.data,
            tenant,
            permissions: MePermissions {
                platform: c.platform_permissions,
                tenant: c.tenant_permissions,
            },
        },
    })
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

    /// Validate a JWT on behalf of another service: signature, issuer, audience and times, then
    /// the tenant's and user's status (no authentication: the token is the credential; rate-limited by address). A refused
    /// token answers 200 `{"valid": false, "reason"}`.
    #[oai(
        path = "/auth/validate",
        method = "post",
        operation_id = "auth_validate"
    )]
    async fn auth_validate(
        &self,
        state: Data<&AppState>,
        req: &Request,
        body: Json<AuthValidateRequest>,
    ) -> ApiResult<Json<AuthValidateResponse>> {
        crate::rate_limit_edge::check_anonymous(&state, req).await?;
        let found = state.service.auth_validate(&body.0.token).await?;
        Ok(Json(found.into()))
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

    /// The caller with its full tenant context: user, tenant (with its status) and the
    /// permissions this request holds.
    #[oai(path = "/me/context", method = "get", operation_id = "me_context")]
    async fn me_context(
        &self,
        state: Data<&AppState>,
        auth: ApiAuth,
        req: &Request,
    ) -> ApiResult<Json<MeContextResponse>> {
        let ctx = op_context(&state, &auth, req).await?;
        Ok(me_context_response(
            state.service.me_context(&ctx).await?,
            &ctx,
        ))
    }
}
