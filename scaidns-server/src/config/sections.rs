//! Reading the settings, one group per function: where the data lives and its secrets, the DNS
//! backend, the network edge, logging, and DNS policy. Each records its problems in the
//! [`Reader`] and returns usable defaults, so loading reports everything in one pass.

use std::net::SocketAddr;
use std::path::Path;

use ipnet::IpNet;

use super::reader::{Reader, list, normalize_database_url, one_of, parse_server};
use super::secret::{Secret, dev_secret};
use super::values::{BackendConfig, Environment, LogFormat, LogLevel, ZoneKind};

/// `ENVIRONMENT` (production unless set; `--dev` forces development).
pub(super) fn environment(r: &mut Reader<'_>, dev: bool) -> Environment {
    if dev {
        return Environment::Development;
    }
    r.parse("ENVIRONMENT", Environment::Production, |raw| {
        one_of(
            raw,
            &[
                ("development", Environment::Development),
                ("staging", Environment::Staging),
                ("production", Environment::Production),
            ],
        )
    })
}

/// `DATABASE_URL`; development defaults to a SQLite file in the data directory.
pub(super) fn database_url(r: &mut Reader<'_>, devmode: bool, data_dir: &Path) -> String {
    match r.get("DATABASE_URL") {
        Some(raw) => normalize_database_url(&raw).unwrap_or_else(|p| {
            r.invalid.push(("DATABASE_URL", p));
            String::new()
        }),
        None if devmode => format!("sqlite:{}", data_dir.join("scaidns.sqlite3").display()),
        None => {
            r.missing.push("DATABASE_URL");
            String::new()
        }
    }
}

/// A required secret; development generates it into `data_dir/file` instead.
pub(super) fn secret(
    r: &mut Reader<'_>,
    devmode: bool,
    data_dir: &Path,
    name: &'static str,
    file: &str,
) -> Secret {
    match r.get(name) {
        Some(v) => Secret::new(v),
        None if devmode => match dev_secret(data_dir, file) {
            Ok(s) => s,
            Err(e) => {
                r.invalid.push((
                    name,
                    format!("could not create {}: {e}", data_dir.join(file).display()),
                ));
                Secret::new("")
            }
        },
        None => {
            r.missing.push(name);
            Secret::new("")
        }
    }
}

/// `DNS_BACKEND` and the chosen backend's settings.
pub(super) fn backend(r: &mut Reader<'_>, devmode: bool) -> BackendConfig {
    // Outside development the embedded (in-memory) server is never a silent fallback: without
    // DNS_BACKEND=embedded the PowerDNS settings are required.
    let default_backend = if r.get("PDNS_API_URL").is_some() || !devmode {
        "powerdns"
    } else {
        "embedded"
    };
    let backend_name = r.parse("DNS_BACKEND", default_backend, |raw| {
        one_of(raw, &[("powerdns", "powerdns"), ("embedded", "embedded")])
    });
    if backend_name != "powerdns" {
        let address = r.parse(
            "EMBEDDED_DNS_ADDRESS",
            SocketAddr::from(([127, 0, 0, 1], 1053)),
            |raw| parse_server(raw, 53),
        );
        let alias_resolvers = r.parse("EMBEDDED_ALIAS_RESOLVERS", Vec::new(), |raw| {
            list(raw).map(|s| parse_server(s, 53)).collect()
        });
        return BackendConfig::Embedded {
            address,
            alias_resolvers,
        };
    }
    let api_url = r.required("PDNS_API_URL").unwrap_or_default();
    let api_key = Secret::new(r.required("PDNS_API_KEY").unwrap_or_default());
    let server_id = r
        .get("PDNS_SERVER_ID")
        .unwrap_or_else(|| "localhost".to_owned());
    let zone_kind = r.parse("PDNS_ZONE_KIND", ZoneKind::Native, |raw| {
        one_of(
            raw,
            &[("native", ZoneKind::Native), ("master", ZoneKind::Master)],
        )
    });
    if !(api_url.is_empty() || api_url.starts_with("http://") || api_url.starts_with("https://")) {
        r.invalid.push((
            "PDNS_API_URL",
            "must start with http:// or https://".to_owned(),
        ));
    }
    BackendConfig::PowerDns {
        api_url: api_url.trim_end_matches('/').to_owned(),
        api_key,
        server_id,
        zone_kind,
    }
}

/// `BIND_ADDRESS`.
pub(super) fn bind_address(r: &mut Reader<'_>) -> SocketAddr {
    r.parse(
        "BIND_ADDRESS",
        SocketAddr::from(([127, 0, 0, 1], 8000)),
        |raw| {
            raw.parse::<SocketAddr>()
                .map_err(|_| format!("'{raw}' is not an IP:port"))
        },
    )
}

/// `TRUSTED_PROXIES`: addresses or CIDR blocks whose `X-Forwarded-For` is believed.
pub(super) fn trusted_proxies(r: &mut Reader<'_>) -> Vec<IpNet> {
    r.parse("TRUSTED_PROXIES", Vec::new(), |raw| {
        list(raw)
            .map(|s| {
                scaidns_core::ip_network::parse(s)
                    .ok_or_else(|| format!("'{s}' is not an IP address or CIDR block"))
            })
            .collect()
    })
}

/// `DEBUG`, and its value when that is not a boolean: the variable is shared with other
/// programs (Node's `DEBUG=express:*`), so such a value is ignored rather than fatal.
pub(super) fn debug(r: &Reader<'_>) -> (bool, Option<String>) {
    match r.get("DEBUG") {
        None => (false, None),
        Some(raw) => match super::reader::boolean(&raw) {
            Some(on) => (on, None),
            None => (false, Some(raw)),
        },
    }
}

/// `LOG_LEVEL` and `LOG_FORMAT`; with `DEBUG` set the level defaults to DEBUG.
pub(super) fn logging(r: &mut Reader<'_>, debug: bool) -> (LogLevel, LogFormat) {
    let default_level = if debug {
        LogLevel::Debug
    } else {
        LogLevel::Info
    };
    let level = r.parse("LOG_LEVEL", default_level, |raw| {
        one_of(
            raw,
            &[
                ("DEBUG", LogLevel::Debug),
                ("INFO", LogLevel::Info),
                ("WARNING", LogLevel::Warning),
                ("WARN", LogLevel::Warning),
                ("ERROR", LogLevel::Error),
            ],
        )
    });
    let format = r.parse("LOG_FORMAT", LogFormat::Text, |raw| {
        one_of(raw, &[("text", LogFormat::Text), ("json", LogFormat::Json)])
    });
    (level, format)
}

/// `PLATFORM_NAMESERVERS`, as absolute host names.
pub(super) fn platform_nameservers(r: &mut Reader<'_>) -> Vec<String> {
    r.parse("PLATFORM_NAMESERVERS", Vec::new(), |raw| {
        list(raw)
            .map(|ns| {
                let ns = ns.to_ascii_lowercase();
                if ns.contains('.') && !ns.contains(char::is_whitespace) {
                    Ok(if ns.ends_with('.') {
                        ns
                    } else {
                        format!("{ns}.")
                    })
                } else {
                    Err(format!("'{ns}' is not a host name"))
                }
            })
            .collect()
    })
}

/// `VALIDATION_RESOLVERS`.
pub(super) fn validation_resolvers(r: &mut Reader<'_>, devmode: bool) -> Vec<SocketAddr> {
    // No traffic leaves the machine by default outside production (interface decision 25).
    let default_resolvers = if devmode {
        Vec::new()
    } else {
        ["1.1.1.1", "8.8.8.8", "9.9.9.9"]
            .iter()
            .filter_map(|s| parse_server(s, 53).ok())
            .collect()
    };
    r.parse("VALIDATION_RESOLVERS", default_resolvers, |raw| {
        list(raw).map(|s| parse_server(s, 53)).collect()
    })
}

/// `TTL_MIN` and `TTL_MAX`, in order.
pub(super) fn ttl_bounds(r: &mut Reader<'_>) -> (u32, u32) {
    let ttl_min = r.number("TTL_MIN", 60_u32, 0);
    let ttl_max = r.number("TTL_MAX", 604_800_u32, 1);
    if ttl_min > ttl_max {
        r.invalid.push((
            "TTL_MAX",
            format!("{ttl_max} is smaller than TTL_MIN ({ttl_min})"),
        ));
    }
    (ttl_min, ttl_max)
}

/// `DNSSEC_DEFAULT_ALGORITHM`: one of the algorithm numbers signing supports.
pub(super) fn dnssec_algorithm(r: &mut Reader<'_>) -> u8 {
    r.parse("DNSSEC_DEFAULT_ALGORITHM", 13, |raw| {
        match raw.parse::<u8>() {
            Ok(n @ (8 | 10 | 13 | 14 | 15)) => Ok(n),
            _ => Err(format!("'{raw}' is not one of 8, 10, 13, 14, 15")),
        }
    })
}

/// `CORS_ORIGINS`: a JSON array (as the deployment guide writes it) or a comma-separated list
/// of origins, each `scheme://host[:port]`. A wildcard is refused: list the origins.
pub(super) fn cors_origins(r: &mut Reader<'_>) -> Vec<String> {
    r.parse("CORS_ORIGINS", Vec::new(), |raw| {
        let items: Vec<String> = if raw.starts_with('[') {
            serde_json::from_str(raw)
                .map_err(|_| format!("'{raw}' is not a JSON array of origin strings"))?
        } else {
            list(raw).map(str::to_owned).collect()
        };
        items.iter().map(|item| origin(item)).collect()
    })
}

/// The origin `raw` names, serialized as browsers send it in `Origin` (lower-case host, no
/// default port), so comparing strings is comparing origins. Paths, queries and user names
/// are refused rather than dropped: they say the value is not what the operator thinks.
pub fn origin(raw: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    if trimmed == "*" {
        return Err("'*' is not allowed: list the origins".to_owned());
    }
    let bad = || {
        format!(
            "'{raw}' is not an origin such as https://app.example.com (scheme, host and port only)"
        )
    };
    let url = url::Url::parse(trimmed).map_err(|_| bad())?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none();
    if !bare {
        return Err(bad());
    }
    Ok(url.origin().ascii_serialization())
}
