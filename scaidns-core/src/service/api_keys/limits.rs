//! What a new key may be: its IP allow-list and scopes well formed, and within the
//! restrictions of the key that creates it (narrowed, never widened).

use crate::error::{Error, Result};
use crate::identity::api_key::ApiKey;
use crate::rbac::PermSet;
use crate::rbac::scopes::first_uncovered;
use chrono::{DateTime, Utc};
use ipnet::IpNet;

pub(super) fn parse_whitelist(entries: &[String]) -> Result<Vec<IpNet>> {
    entries
        .iter()
        .enumerate()
        .map(|(i, raw)| {
            let s = raw.trim();
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| {
                    Error::invalid(
                        format!("ip_whitelist[{i}]"),
                        format!("'{s}' is not a CIDR block"),
                    )
                })
        })
        .collect()
}

/// What a new key may be, as [`narrow_to`] compares it with the key that creates it.
pub(super) struct KeyLimits<'a> {
    pub(super) scopes: &'a mut Vec<String>,
    pub(super) ip_whitelist: &'a mut Vec<IpNet>,
    pub(super) expires_at: &'a mut Option<DateTime<Utc>>,
    pub(super) rate_limit: &'a mut Option<u32>,
}

/// Keeps a new key within the restrictions of the key that creates it (API keys are narrowed,
/// never widened): its scopes must be covered by the creator's, its networks inside the
/// creator's, it expires no later, and it is throttled no less (`default_rate_limit` is the
/// limit of a key without its own). Absent restrictions are inherited.
pub(super) fn narrow_to(
    creator: &ApiKey,
    new: KeyLimits<'_>,
    default_rate_limit: u32,
) -> Result<()> {
    let KeyLimits {
        scopes,
        ip_whitelist,
        expires_at,
        rate_limit,
    } = new;
    // A key without a limit of its own follows the raise rule of its callers instead.
    if let Some(limit) = creator.rate_limit {
        match rate_limit {
            Some(wanted) if *wanted > limit => {
                return Err(Error::forbidden(
                    "rate_limit_not_held",
                    format!(
                        "rate_limit: a key may not allow more than the {limit} requests per minute of the key that creates it"
                    ),
                ));
            }
            None if limit < default_rate_limit => *rate_limit = Some(limit),
            _ => {}
        }
    }
    if !creator.scopes.is_empty() {
        if scopes.is_empty() {
            scopes.clone_from(&creator.scopes);
        }
        if let Some((i, s)) = first_uncovered(&creator.scopes, scopes) {
            return Err(Error::forbidden(
                "scope_not_held",
                format!("scopes[{i}]: this key may not grant '{s}'"),
            ));
        }
    }
    if !creator.ip_whitelist.is_empty() {
        if ip_whitelist.is_empty() {
            ip_whitelist.clone_from(&creator.ip_whitelist);
        }
        if let Some((i, net)) = ip_whitelist
            .iter()
            .enumerate()
            .find(|(_, n)| !creator.ip_whitelist.iter().any(|c| c.contains(*n)))
        {
            return Err(Error::forbidden(
                "network_not_held",
                format!("ip_whitelist[{i}]: {net} is outside this key's allow-list"),
            ));
        }
    }
    if let Some(limit) = creator.expires_at {
        match expires_at {
            Some(at) if *at > limit => {
                return Err(Error::forbidden(
                    "expiry_not_held",
                    "expires_at: a key may not outlive the key that creates it",
                ));
            }
            Some(_) => {}
            None => *expires_at = Some(limit),
        }
    }
    Ok(())
}

pub(super) fn validate_scopes(scopes: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::with_capacity(scopes.len());
    for (i, scope) in scopes.iter().enumerate() {
        let s = scope.trim();
        let ok = !s.is_empty()
            && s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-:*.".contains(&b));
        if !ok || PermSet::parse_one(s).is_err() {
            return Err(Error::invalid(
                format!("scopes[{i}]"),
                format!("'{s}' is not a permission (see GET /api/v1/roles/permissions)"),
            ));
        }
        if !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    Ok(out)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::identity::api_key::{ApiKeyStatus, PermissionSource};
    use crate::ids::{ApiKeyId, TenantId, UserId};

    /// An active user key with no restrictions but `rate_limit`.
    pub(crate) fn key_limited_to(rate_limit: Option<u32>) -> ApiKey {
        let now = Utc::now();
        ApiKey {
            id: ApiKeyId::new(),
            tenant_id: TenantId::new(),
            name: "k".into(),
            description: None,
            key_prefix: String::new(),
            key_hash: String::new(),
            status: ApiKeyStatus::Active,
            permission_source: PermissionSource::User,
            permission_source_id: UserId::new().to_string(),
            scopes: vec![],
            rate_limit,
            ip_whitelist: vec![],
            expires_at: None,
            last_used_at: None,
            last_used_ip: None,
            use_count: 0,
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn narrowed_rate(creator: Option<u32>, wanted: Option<u32>) -> Result<Option<u32>> {
        let (mut scopes, mut nets, mut expiry, mut rate) = (vec![], vec![], None, wanted);
        narrow_to(
            &key_limited_to(creator),
            KeyLimits {
                scopes: &mut scopes,
                ip_whitelist: &mut nets,
                expires_at: &mut expiry,
                rate_limit: &mut rate,
            },
            60,
        )?;
        Ok(rate)
    }

    #[test]
    fn a_throttled_key_mints_keys_no_less_throttled() {
        assert_eq!(narrowed_rate(Some(5), None).unwrap(), Some(5));
        assert_eq!(narrowed_rate(Some(5), Some(3)).unwrap(), Some(3));
        assert_eq!(
            narrowed_rate(Some(5), Some(6)).unwrap_err().code(),
            "rate_limit_not_held"
        );
        assert_eq!(
            narrowed_rate(Some(600), Some(601)).unwrap_err().code(),
            "rate_limit_not_held"
        );
        // A raised creator leaves an unset child at the default; an unthrottled one narrows nothing.
        assert_eq!(narrowed_rate(Some(600), None).unwrap(), None);
        assert_eq!(narrowed_rate(None, Some(500)).unwrap(), Some(500));
    }

    #[test]
    fn whitelist_and_scopes() {
        let nets = parse_whitelist(&[
            "10.0.0.0/8".into(),
            "192.0.2.7".into(),
            "2001:db8::1/64".into(),
        ])
        .unwrap();
        assert_eq!(nets[1].to_string(), "192.0.2.7/32");
        assert_eq!(nets[2].to_string(), "2001:db8::/64");
        assert_eq!(
            parse_whitelist(&["x".into()]).unwrap_err().field(),
            Some("ip_whitelist[0]")
        );
        assert_eq!(
            validate_scopes(&["domains:read".into(), "domains:read".into()])
                .unwrap()
                .len(),
            1
        );
        assert!(validate_scopes(&["Domains read".into()]).is_err());
    }
}
