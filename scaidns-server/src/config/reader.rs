//! Reading variables: each getter records what is missing or malformed instead of stopping,
//! so one start-up message lists every problem; and the parsers of the value formats shared
//! by several variables.

use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// Reads and parses variables, remembering every problem.
pub(super) struct Reader<'a> {
    pub(super) vars: &'a HashMap<String, String>,
    pub(super) missing: Vec<&'static str>,
    pub(super) invalid: Vec<(&'static str, String)>,
}

impl Reader<'_> {
    pub(super) fn get(&self, name: &str) -> Option<String> {
        self.vars
            .get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    }

    pub(super) fn required(&mut self, name: &'static str) -> Option<String> {
        let value = self.get(name);
        if value.is_none() {
            self.missing.push(name);
        }
        value
    }

    pub(super) fn parse<T>(
        &mut self,
        name: &'static str,
        default: T,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> T {
        match self.get(name) {
            None => default,
            Some(raw) => parse(&raw).unwrap_or_else(|problem| {
                self.invalid.push((name, problem));
                default
            }),
        }
    }

    pub(super) fn number<T: FromStr + Copy + fmt::Display + PartialOrd>(
        &mut self,
        name: &'static str,
        default: T,
        min: T,
    ) -> T {
        self.parse(name, default, |raw| match raw.parse::<T>() {
            Ok(v) if v >= min => Ok(v),
            _ => Err(format!("'{raw}' is not a number of at least {min}")),
        })
    }

    pub(super) fn flag(&mut self, name: &'static str, default: bool) -> bool {
        self.parse(name, default, |raw| {
            boolean(raw).ok_or_else(|| format!("'{raw}' is not a boolean (true/false)"))
        })
    }
}

/// `raw` as a flag, when it is one of the usual spellings.
pub(super) fn boolean(raw: &str) -> Option<bool> {
    match raw.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

pub(super) fn one_of<T: Copy>(raw: &str, choices: &[(&str, T)]) -> Result<T, String> {
    choices
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(raw))
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(n, _)| *n).collect();
            format!("'{raw}' is not one of {}", names.join(", "))
        })
}

/// `ip` or `ip:port` (IPv6 with a port as `[::1]:53`).
pub fn parse_server(raw: &str, default_port: u16) -> Result<SocketAddr, String> {
    let s = raw.trim();
    s.parse::<SocketAddr>()
        .or_else(|_| {
            s.parse::<IpAddr>()
                .map(|ip| SocketAddr::new(ip, default_port))
        })
        .map_err(|_| format!("'{s}' is not an IP address or IP:port"))
}

pub(super) fn list(raw: &str) -> impl Iterator<Item = &str> {
    raw.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// Accepts the seed's SQLAlchemy-style URLs and maps them onto what sqlx understands.
pub fn normalize_database_url(raw: &str) -> Result<String, String> {
    let (scheme, rest) = raw.split_once(':').ok_or_else(|| "not a URL".to_owned())?;
    match scheme.to_ascii_lowercase().as_str() {
        "mysql" | "mariadb" | "mysql+asyncmy" | "mysql+aiomysql" | "mysql+pymysql" => {
            Ok(format!("mysql:{rest}"))
        }
        "postgres" | "postgresql" | "postgresql+asyncpg" | "postgresql+psycopg" => {
            Ok(format!("postgres:{rest}"))
        }
        "sqlite" | "sqlite+aiosqlite" => Ok(format!("sqlite:{rest}")),
        other => Err(format!(
            "unsupported database '{other}' (use mysql://, mariadb://, mysql+asyncmy://, postgres:// or sqlite:)"
        )),
    }
}

/// A duration: `500ms`, `2s`, or a number of seconds (`0.5`).
pub(super) fn duration(raw: &str) -> Result<std::time::Duration, String> {
    let raw = raw.trim();
    let (number, unit) = match raw.strip_suffix("ms") {
        Some(n) => (n, 0.001),
        None => (raw.strip_suffix('s').unwrap_or(raw), 1.0),
    };
    number
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && *n >= 0.0 && *n * unit <= 86_400.0)
        .map(|n| std::time::Duration::from_secs_f64(n * unit))
        .ok_or_else(|| format!("'{raw}' is not a duration such as 500ms, 1s or 2"))
}
