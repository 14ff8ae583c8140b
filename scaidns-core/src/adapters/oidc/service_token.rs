//! ScaiDNS's own access token for ScaiKey's admin API: the client-credentials grant (RFC 6749
//! §4.4) at the discovered token endpoint, with ScaiDNS's client id and secret.

use serde::Deserialize;

use super::OidcProvider;
use super::http::BasicAuth;
use crate::error::{Error, Result};

#[derive(Deserialize)]
struct ServiceToken {
    access_token: String,
}

/// A fresh service token. `purpose` names what needs it in the error for missing credentials
/// ("sync", "user administration").
pub(crate) async fn fetch(provider: &OidcProvider, purpose: &str) -> Result<String> {
    let config = provider.config();
    let (Some(client_id), Some(secret)) = (&config.client_id, &config.client_secret) else {
        return Err(Error::invalid(
            "SCAIKEY_CLIENT_SECRET",
            format!("{purpose} needs SCAIKEY_CLIENT_ID and SCAIKEY_CLIENT_SECRET"),
        ));
    };
    let discovery = provider.discovery().await?;
    let token: ServiceToken = provider
        .http()
        .post_form(
            &discovery.token_endpoint,
            &[("grant_type", "client_credentials")],
            Some(BasicAuth {
                user: client_id,
                password: secret,
            }),
        )
        .await
        .map_err(|e| e.to_upstream_error("ScaiKey token endpoint"))?;
    Ok(token.access_token)
}
