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
    /// Why the profile's stored key was not used (it belongs to another server), for the
    /// "an API key is needed" message.
    pub withheld: Option<String>,
}

/// Resolves the connection for `cli`. URL and key are paired by where they come from: the
/// profile's URL only with the profile's key, a key from `--api-key`/`SCAIDNS_API_KEY` only
/// with `--url`/`SCAIDNS_URL` or the default URL, and the profile's key only to its own
/// server (`--url https://elsewhere` must not carry a stored key to another server).
/// Combinations where one of them would be silently ignored are refused.
pub fn resolve(cli: &Cli) -> Result<Connection, Failure> {
    let flag_key = cli.api_key.clone().filter(|k| !k.trim().is_empty());
    let flag_url = cli.url.clone().filter(|u| !u.trim().is_empty());
    let named_profile = cli.profile.as_deref().filter(|p| !p.trim().is_empty());
    if let (Some(_), Some(_), Some(name)) = (&flag_key, &flag_url, named_profile) {
        return Err(Failure::new(
            USAGE,
            format!(
                "--profile/SCAIDNS_PROFILE ({name:?}) with both --url/SCAIDNS_URL and \
                 --api-key/SCAIDNS_API_KEY: the profile would be ignored; drop one of them"
            ),
        ));
    }
    // The file is read only when something is missing, so scripts with both set never depend
    // on it (or on HOME).
    if let (Some(url), Some(key)) = (&flag_url, &flag_key) {
        return Ok(Connection {
            url: url.clone(),
            api_key: Some(key.clone()),
            withheld: None,
        });
    }
    let file = ConfigFile::load(&config_file::default_path()?)?;
    let name = file.profile_name(named_profile);
    let profile = match file.profile(&name) {
        Some(profile) => profile,
        None if named_profile.is_some() => {
            return Err(Failure::new(
                USAGE,
                format!(
                    "no profile {name:?} in {}; create it with `scaidns login --profile {name} --url URL`",
                    file.path().display()
                ),
            ));
        }
        None => Profile::default(),
    };
    if let Some(key) = flag_key {
        // A key from the flag or the environment never goes to the profile's server: an
        // exported production key with SCAIDNS_PROFILE=lab must not reach lab.
        if let Some(profile_url) = profile.url.as_deref()
            && !config_file::same_url(profile_url, DEFAULT_URL)
        {
            return Err(Failure::new(
                USAGE,
                format!(
                    "the API key from --api-key/SCAIDNS_API_KEY has no URL, and profile {name:?} \
                     is for {}: its URL is used only with its own key; pass --url (or set \
                     SCAIDNS_URL), or unset SCAIDNS_API_KEY to use the profile",
                    config_file::display_origin(profile_url)
                ),
            ));
        }
        return Ok(Connection {
            url: DEFAULT_URL.to_owned(),
            api_key: Some(key),
            withheld: None,
        });
    }
    let url = flag_url
        .or_else(|| profile.url.clone())
        .unwrap_or_else(|| DEFAULT_URL.to_owned());
    let api_key = stored_key_for(&profile, &url);
    let withheld = (api_key.is_none() && profile.api_key.is_some()).then(|| {
        format!(
            "profile {name:?} has a key for {}, not for {}, so it was not sent",
            config_file::display_origin(profile.url.as_deref().unwrap_or(DEFAULT_URL)),
            config_file::display_origin(&url)
        )
    });
    Ok(Connection {
        url,
        api_key,
        withheld,
    })
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
    client_and_key(cli).map(|(client, _)| client)
}

/// The authenticated API client and the key it sends (to notice when a command is about to
/// disable that very key).
pub fn client_and_key(cli: &Cli) -> Result<(Client, String), Failure> {
    let conn = resolve(cli)?;
    let Some(key) = conn.api_key else {
        let why = conn.withheld.map(|w| format!(" ({w})")).unwrap_or_default();
        return Err(Failure::new(
            USAGE,
            format!(
                "an API key is needed{why}: pass --api-key, set SCAIDNS_API_KEY, or run `scaidns login`"
            ),
        ));
    };
    Ok((client_for(&conn.url, &key)?, key))
}

/// A client without a credential, for the endpoints that need none (the OAuth proxy, token
/// validation, health): the server is resolved as for other commands, and no key is sent.
pub fn anonymous(cli: &Cli) -> Result<Client, Failure> {
    let conn = resolve(cli)?;
    Client::builder()
        .base_url(conn.url)
        .user_agent(USER_AGENT)
        .retry(scaidns_client::RetryPolicy::none())
        .build()
        .map_err(|e| Failure::new(USAGE, e.to_string()))
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
