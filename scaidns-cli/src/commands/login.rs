//! `scaidns login` and `scaidns logout`: store or forget a profile's server and API key in the
//! config file. The key is read from standard input (a prompt without echo at a terminal), or
//! from `--api-key`/`SCAIDNS_API_KEY` when given (with a warning on stderr); it is checked
//! against the server before it is stored, and never printed.

use std::io::{BufRead, IsTerminal, Read};

use serde_json::json;

use super::connection::client_for;
use crate::cli::{Cli, Output};
use crate::config_file::{self, ConfigFile, Profile};
use crate::output::{Failure, USAGE, origin, print_json};

/// The longest line accepted as a key: keys are short; this bounds a mistaken pipe.
const MAX_KEY_LEN: usize = 4096;

/// `scaidns login [--profile NAME] --url URL [--insecure]`.
pub async fn login(cli: &Cli, insecure: bool, output: Output) -> Result<(), Failure> {
    let mut file = ConfigFile::load(&config_file::default_path()?)?;
    let name = file.profile_name(cli.profile.as_deref());
    let stored = file.profile(&name).unwrap_or_default();
    let url = cli
        .url
        .clone()
        .filter(|u| !u.trim().is_empty())
        .or(stored.url)
        .ok_or_else(|| {
            Failure::new(
                USAGE,
                format!("login needs the server: pass --url URL (profile {name:?} has none)"),
            )
        })?;
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|e| Failure::new(USAGE, format!("the server URL is not a URL: {e}")))?;
    check_transport(&parsed, insecure)?;
    let shown = origin(&parsed);
    let key = match cli.api_key.clone().filter(|k| !k.trim().is_empty()) {
        Some(key) if cli.api_key_on_command_line => {
            eprintln!(
                "warning: a key given with --api-key is visible to other users (ps) and kept in \
                 shell history; give it on standard input instead (`scaidns login < key.txt`)"
            );
            key
        }
        Some(key) => {
            eprintln!("note: storing the key from SCAIDNS_API_KEY (unset it to be prompted)");
            key
        }
        None => read_key()?,
    };
    // Only a key the server accepts is stored.
    let me = client_for(&url, &key)?.me_get().await?.into_inner().data;
    file.set_profile(
        &name,
        &Profile {
            url: Some(url.clone()),
            api_key: Some(key),
        },
    );
    file.save()?;
    let who = me
        .email
        .clone()
        .or_else(|| me.id.clone())
        .unwrap_or_else(|| me.auth_method.clone());
    match output {
        Output::Json => print_json(&json!({
            "profile": name,
            "url": shown,
            "config_file": file.path().display().to_string(),
            "user": { "id": me.id, "email": me.email, "tenant_id": me.tenant.id },
        })),
        Output::Text => println!(
            "logged in to {shown} as {who} (tenant {}); profile {name:?} saved in {}",
            me.tenant.slug,
            file.path().display()
        ),
    }
    Ok(())
}

/// `scaidns logout [--profile NAME]`: removes the profile from the config file. The key
/// itself stays valid on the server (it may be used elsewhere): `scaidns api-keys revoke` ends it.
pub fn logout(cli: &Cli, output: Output) -> Result<(), Failure> {
    let mut file = ConfigFile::load(&config_file::default_path()?)?;
    let name = file.profile_name(cli.profile.as_deref());
    let removed = file.remove_profile(&name);
    if removed {
        file.save()?;
    }
    match output {
        Output::Json => print_json(&json!({ "profile": name, "removed": removed })),
        Output::Text if removed => {
            println!("removed profile {name:?} from {}", file.path().display())
        }
        Output::Text => println!("no profile {name:?} in {}", file.path().display()),
    }
    Ok(())
}

/// Plain http:// would send the key (and every later request's) unencrypted: only to a
/// loopback host (a local server), or with `--insecure`.
fn check_transport(url: &reqwest::Url, insecure: bool) -> Result<(), Failure> {
    let loopback = match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback || insecure => Ok(()),
        "http" => Err(Failure::new(
            USAGE,
            format!(
                "refusing to send an API key over plain http to {}: use https, or pass \
                 --insecure if this network is trusted",
                origin(url)
            ),
        )),
        other => Err(Failure::new(
            USAGE,
            format!("--url must be http or https, not {other:?}"),
        )),
    }
}

/// The key from standard input: a prompt without echo at a terminal, else its first line.
fn read_key() -> Result<String, Failure> {
    read_secret("API key", MAX_KEY_LEN)
}

/// A secret (`what`: "API key", "refresh token", …) from standard input: a prompt without
/// echo at a terminal (rpassword restores the echo on every path), else its first line; at
/// most `max_len` bytes, so a mistaken pipe is refused rather than sent.
pub(super) fn read_secret(what: &str, max_len: usize) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    let line = if stdin.is_terminal() {
        rpassword::prompt_password(format!("{what}: "))
            .map_err(|e| Failure::new(USAGE, format!("cannot read the {what}: {e}")))?
    } else {
        let mut line = String::new();
        stdin
            .lock()
            .take(max_len as u64 + 1)
            .read_line(&mut line)
            .map_err(|e| Failure::new(USAGE, format!("cannot read the {what}: {e}")))?;
        line
    };
    let secret = line.trim();
    if secret.len() > max_len {
        return Err(Failure::new(
            USAGE,
            format!("the {what} read is longer than {max_len} bytes: is that the right input?"),
        ));
    }
    if secret.is_empty() {
        return Err(Failure::new(
            USAGE,
            format!("no {what}: give it on standard input (or at the prompt)"),
        ));
    }
    Ok(secret.to_owned())
}
