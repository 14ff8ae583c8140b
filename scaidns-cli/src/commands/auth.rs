//! `scaidns auth config|token|refresh|validate`: the OAuth proxy and the token check, which
//! need no API key. Tokens are secrets: text output names what was issued and prints the
//! tokens only with `--show-tokens`; `--json` prints the server's answer as it is (a script
//! asked for it). PKCE verifiers, refresh tokens and JWTs are read from standard input, never
//! from arguments.

use scaidns_client::Client;
use scaidns_client::types::{
    AuthRefreshRequest, AuthTokenRequest, AuthTokenResponse, AuthValidateRequest,
};

use super::login::read_secret;
use crate::cli::{AuthCommand, Output};
use crate::output::{Failure, NOT_ALLOWED, or_dash, print_json_of, print_table};

/// The longest token read: the server's bound on a JWT to validate.
const MAX_TOKEN_LEN: usize = 16384;

/// The longest PKCE code verifier (RFC 7636 §4.1: 43 to 128 characters).
const MAX_VERIFIER_LEN: usize = 128;

/// Runs one `auth` subcommand with a client that sends no key.
pub async fn run(client: &Client, cmd: &AuthCommand, output: Output) -> Result<(), Failure> {
    match cmd {
        AuthCommand::Config => {
            let config = client.auth_config().await?.into_inner();
            match output {
                Output::Json => print_json_of(&config),
                Output::Text => print_table(
                    &["SETTING", "VALUE"],
                    &[
                        ("issuer", config.issuer.clone()),
                        ("client_id", config.client_id.clone()),
                        (
                            "authorization_endpoint",
                            config.authorization_endpoint.clone(),
                        ),
                        ("token_endpoint", config.token_endpoint.clone()),
                        ("userinfo_endpoint", config.userinfo_endpoint.clone()),
                        ("jwks_uri", config.jwks_uri.clone()),
                        (
                            "end_session_endpoint",
                            or_dash(config.end_session_endpoint.as_deref()),
                        ),
                        ("scopes", config.scopes.join(" ")),
                    ]
                    .map(|(k, v)| vec![k.to_owned(), v]),
                ),
            }
            Ok(())
        }
        AuthCommand::Token {
            code,
            redirect_uri,
            show_tokens,
        } => {
            let request = AuthTokenRequest {
                code: code.clone(),
                code_verifier: read_secret("PKCE code verifier", MAX_VERIFIER_LEN)?,
                redirect_uri: redirect_uri.clone(),
            };
            let tokens = client.auth_token(&request).await?.into_inner();
            print_tokens(&tokens, *show_tokens, output);
            Ok(())
        }
        AuthCommand::Refresh { show_tokens } => {
            let request = AuthRefreshRequest {
                refresh_token: read_secret("refresh token", MAX_TOKEN_LEN)?,
            };
            let tokens = client.auth_refresh(&request).await?.into_inner();
            print_tokens(&tokens, *show_tokens, output);
            Ok(())
        }
        AuthCommand::Validate => {
            let request = AuthValidateRequest {
                token: read_secret("token", MAX_TOKEN_LEN)?,
            };
            let answer = client.auth_validate(&request).await?.into_inner();
            match output {
                Output::Json => print_json_of(&answer),
                Output::Text if answer.valid => println!(
                    "valid: subject {}, tenant {}, expires {}",
                    or_dash(answer.sub.as_deref()),
                    or_dash(answer.tenant_id.as_deref()),
                    answer
                        .exp
                        .and_then(|exp| chrono::DateTime::from_timestamp(exp, 0))
                        .map_or_else(|| "-".to_owned(), |t| crate::output::when(&t))
                ),
                Output::Text => {}
            }
            if answer.valid {
                Ok(())
            } else {
                Err(Failure::new(
                    NOT_ALLOWED,
                    format!(
                        "the token would be refused: {}",
                        answer.reason.as_deref().unwrap_or("no reason given")
                    ),
                ))
            }
        }
    }
}

/// The tokens: whole with `--json` or `--show-tokens`, else only what was issued.
fn print_tokens(tokens: &AuthTokenResponse, show: bool, output: Output) {
    if output == Output::Json {
        print_json_of(tokens);
        return;
    }
    let lifetime = tokens
        .expires_in
        .map_or_else(String::new, |s| format!(", valid {s} s"));
    let issued: Vec<&str> = [
        Some("access"),
        tokens.refresh_token.as_ref().map(|_| "refresh"),
        tokens.id_token.as_ref().map(|_| "ID"),
    ]
    .into_iter()
    .flatten()
    .collect();
    println!(
        "issued {} token(s) ({}{lifetime})",
        issued.join(", "),
        tokens.token_type
    );
    if show {
        println!("access_token: {}", tokens.access_token);
        if let Some(refresh) = &tokens.refresh_token {
            println!("refresh_token: {refresh}");
        }
        if let Some(id) = &tokens.id_token {
            println!("id_token: {id}");
        }
    } else {
        println!("(not shown: pass --show-tokens or --json to print them)");
    }
}
