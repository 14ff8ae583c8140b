//! `scaidns login` and `scaidns logout`: store or forget a profile's server and API key in the
//! config file. The key is read from standard input (a prompt without echo at a terminal), or
//! from `--api-key`/`SCAIDNS_API_KEY` when given; it is checked against the server before it
//! is stored, and never printed.

use std::io::{BufRead, IsTerminal, Read, Write};

use serde_json::json;

use super::connection::client_for;
use crate::cli::{Cli, Output};
use crate::config_file::{self, ConfigFile, Profile};
use crate::output::{Failure, USAGE, print_json};

/// The longest line accepted as a key: keys are short; this bounds a mistaken pipe.
const MAX_KEY_LEN: usize = 4096;

/// `scaidns login [--profile NAME] --url URL`.
pub async fn login(cli: &Cli, output: Output) -> Result<(), Failure> {
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
    let key = match cli.api_key.clone().filter(|k| !k.trim().is_empty()) {
        Some(key) => key,
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
            "url": url,
            "config_file": file.path().display().to_string(),
            "user": { "id": me.id, "email": me.email, "tenant_id": me.tenant.id },
        })),
        Output::Text => println!(
            "logged in to {url} as {who} (tenant {}); profile {name:?} saved in {}",
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

/// The key from standard input: a prompt without echo at a terminal, else its first line.
fn read_key() -> Result<String, Failure> {
    let stdin = std::io::stdin();
    let at_terminal = stdin.is_terminal();
    if at_terminal {
        eprint!("API key: ");
        let _ = std::io::stderr().flush();
        set_echo(false);
    }
    let mut line = String::new();
    let read = stdin
        .lock()
        .take(MAX_KEY_LEN as u64 + 1)
        .read_line(&mut line);
    if at_terminal {
        set_echo(true);
        eprintln!();
    }
    read.map_err(|e| Failure::new(USAGE, format!("cannot read the API key: {e}")))?;
    let key = line.trim();
    if key.is_empty() || key.len() > MAX_KEY_LEN {
        return Err(Failure::new(
            USAGE,
            "no API key: give it on standard input (or at the prompt), or with --api-key",
        ));
    }
    Ok(key.to_owned())
}

/// Turns the terminal's echo off or on (through `stty`, which acts on its standard input,
/// the terminal), so a typed key is not shown.
fn set_echo(on: bool) {
    let _ = std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(std::process::Stdio::inherit())
        .status();
}
