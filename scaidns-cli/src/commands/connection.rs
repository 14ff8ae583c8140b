//! Which server and key a client command uses: flags, then the environment (clap reads both
//! into `--url`/`--api-key`), then the config file's profile, then the local default URL.

use scaidns_client::Client;

use crate::cli::Cli;
use crate::config_file::{self, ConfigFile, Profile};
use crate::output::{Failure, USAGE};

/// The server a client command talks to when nothing names one.
pub const DEFAULT_URL: &str = "http://127.0.0.1:8000";

/// What the CLI's requests carry as `User-Agent` (the audit log records it).
const USER_AGENT: &str = concat!("scaidns-cli/", env!("CARGO_PKG_VERSION"));

/// The resolved server and key.
pub struct Connection {
    /// Server root URL.
    pub url: String,
    /// API key, if any source had one.
    pub api_key: Option<String>,
}

/// Resolves the connection for `cli`. The profile's key is used only with the profile's own
/// URL: `--url https://elsewhere` must not carry a stored key to another server.
pub fn resolve(cli: &Cli) -> Result<Connection, Failure> {
    let flag_key = cli.api_key.clone().filter(|k| !k.trim().is_empty());
    let flag_url = cli.url.clone().filter(|u| !u.trim().is_empty());
    // The file is read only when something is missing, so scripts with both set never depend
    // on it (or on HOME).
    let profile = if flag_key.is_some() && flag_url.is_some() {
        None
    } else {
        let file = ConfigFile::load(&config_file::default_path()?)?;
        let name = file.profile_name(cli.profile.as_deref());
        match file.profile(&name) {
            Some(profile) => Some(profile),
            None if cli.profile.is_some() => {
                return Err(Failure::new(
                    USAGE,
                    format!(
                        "no profile {name:?} in {}; create it with `scaidns login --profile {name} --url URL`",
                        file.path().display()
                    ),
                ));
            }
            None => None,
        }
    };
    let profile = profile.unwrap_or_default();
    let url = flag_url
        .clone()
        .or_else(|| profile.url.clone())
        .unwrap_or_else(|| DEFAULT_URL.to_owned());
    let api_key = flag_key.or_else(|| stored_key_for(&profile, &url));
    Ok(Connection { url, api_key })
}

/// The profile's key when `url` is the profile's server (a profile without a URL is for the
/// default server).
fn stored_key_for(profile: &Profile, url: &str) -> Option<String> {
    let home = profile.url.as_deref().unwrap_or(DEFAULT_URL);
    config_file::same_url(home, url)
        .then(|| profile.api_key.clone())
        .flatten()
}

/// The authenticated API client for client commands.
pub fn client(cli: &Cli) -> Result<Client, Failure> {
    let conn = resolve(cli)?;
    let key = conn.api_key.ok_or_else(|| {
        Failure::new(
            USAGE,
            "an API key is needed: pass --api-key, set SCAIDNS_API_KEY, or run `scaidns login`",
        )
    })?;
    client_for(&conn.url, &key)
}

/// A client for `url` authenticating with `key`.
pub fn client_for(url: &str, key: &str) -> Result<Client, Failure> {
    Client::with_api_key_as(url, key, USER_AGENT).map_err(|e| Failure::new(USAGE, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_key_goes_only_to_its_own_server() {
        let profile = Profile {
            url: Some("https://dns.example/".into()),
            api_key: Some("sk_x".into()),
        };
        assert_eq!(
            stored_key_for(&profile, "https://dns.example").as_deref(),
            Some("sk_x")
        );
        assert_eq!(stored_key_for(&profile, "https://evil.example"), None);
        let local = Profile {
            url: None,
            api_key: Some("sk_l".into()),
        };
        assert_eq!(stored_key_for(&local, DEFAULT_URL).as_deref(), Some("sk_l"));
    }
}
