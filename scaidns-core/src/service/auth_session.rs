//! The OAuth proxy behind `/api/v1/auth/*` (spec api-identity §3.4): the frontend logs in
//! through the identity provider with an authorization code and PKCE (RFC 7636), and refresh
//! tokens rotate at the provider. Tokens pass through and are never logged or stored; the
//! server reaches the provider only through these methods.

use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::ports::identity_provider::IdentityProvider;

use crate::ports::identity_provider::{OAuthSettings, TokenClaims, TokenSet, Verified};

use super::token_auth::first_sight_email;
use super::{Me, OpContext, ScaiDns};

/// 503 when the deployment has no identity provider.
fn not_configured() -> Error {
    Error::new(
        ErrorKind::Unavailable,
        "identity_provider_not_configured",
        "No identity provider is configured",
    )
}

/// What [`ScaiDns::auth_validate`] found.
#[derive(Debug, Clone, PartialEq)]
pub enum TokenValidation {
    /// Signature, issuer, audience and times check out.
    Valid(Box<TokenClaims>),
    /// Refused; the reason is the code a request with the token would get (`token_expired`,
    /// `tenant_suspended`…).
    Invalid(String),
}

impl ScaiDns {
    fn provider(&self) -> Result<&Arc<dyn IdentityProvider>> {
        self.identity_provider.as_ref().ok_or_else(not_configured)
    }

    /// The OAuth settings the frontend needs (no authentication).
    pub async fn auth_config(&self) -> Result<OAuthSettings> {
        self.provider()?.oauth_settings().await
    }

    /// Exchanges an authorization code and its PKCE verifier for tokens (no authentication;
    /// the caller rate-limits by address).
    pub async fn auth_token(
        &self,
        code: &str,
        code_verifier: &str,
        redirect_uri: &str,
    ) -> Result<TokenSet> {
        self.provider()?
            .exchange_code(code, code_verifier, redirect_uri)
            .await
    }

    /// Exchanges a refresh token for new tokens; the old one is spent at the provider.
    pub async fn auth_refresh(&self, refresh_token: &str) -> Result<TokenSet> {
        self.provider()?.refresh(refresh_token).await
    }

    /// Validates a token for another service (`POST /auth/validate`): whether a bearer request
    /// with it would be let in (signature, issuer, audience, `exp`/`nbf`, then the tenant and
    /// user it names, read without creating anything). A refused token is an answer, not an
    /// error; 503 when no provider is configured or its keys cannot be had.
    pub async fn auth_validate(&self, token: &str) -> Result<TokenValidation> {
        let claims = match self.provider()?.verify(token).await? {
            Verified::Valid(claims) => claims,
            Verified::Rejected(why) => return Ok(TokenValidation::Invalid(why.code().to_owned())),
        };
        match self.token_standing(&claims).await {
            Ok((user, _)) if user.is_none() && first_sight_email(&claims).is_none() => {
                Ok(TokenValidation::Invalid("email_required".to_owned()))
            }
            Ok(_) => Ok(TokenValidation::Valid(claims)),
            Err(refusal) if refusal.kind() == ErrorKind::Forbidden => {
                Ok(TokenValidation::Invalid(refusal.code().to_owned()))
            }
            Err(e) => Err(e),
        }
    }

    /// Logs out. ScaiDNS keeps no session, so an authenticated caller only gets a confirmation;
    /// the frontend drops its tokens and visits the provider's end-session endpoint.
    pub async fn auth_logout(&self, _ctx: &OpContext) -> Result<()> {
        Ok(())
    }

    /// The caller: user, tenant and groups.
    pub async fn auth_me(&self, ctx: &OpContext) -> Result<Me> {
        self.me(ctx).await
    }

    /// The caller, for `GET /me` (the same answer as [`ScaiDns::auth_me`]).
    pub async fn me_get(&self, ctx: &OpContext) -> Result<Me> {
        self.me(ctx).await
    }
}
