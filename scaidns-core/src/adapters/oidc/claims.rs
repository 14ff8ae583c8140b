//! From a verified JWT payload (RFC 7519 §4, RFC 9068 §2.2) to [`TokenClaims`]: registered
//! claims checked against the clock with leeway, the configured claims mapped.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::config::ClaimNames;
use crate::ports::identity_provider::{TokenClaims, TokenRejection};

/// Checks `exp` (required) and `nbf` against `now` and maps the claims; `admin_claims_trusted`
/// is the verifying provider's trust setting, carried on the claims.
pub fn map_claims(
    payload: &Value,
    names: &ClaimNames,
    admin_claims_trusted: bool,
    now: DateTime<Utc>,
    leeway: Duration,
) -> Result<TokenClaims, TokenRejection> {
    let leeway = chrono::Duration::from_std(leeway).unwrap_or_default();
    let exp = timestamp(payload.get("exp")).ok_or(TokenRejection::Malformed)?;
    if now > exp + leeway {
        return Err(TokenRejection::Expired);
    }
    if let Some(raw) = payload.get("nbf") {
        let nbf = timestamp(Some(raw)).ok_or(TokenRejection::Malformed)?;
        if now + leeway < nbf {
            return Err(TokenRejection::NotYetValid);
        }
    }
    let subject = text(payload.get("sub"))
        .filter(|s| !s.is_empty())
        .ok_or(TokenRejection::Malformed)?;
    // Claim names are flat keys of the payload: `realm_access.roles` names a key with a dot in
    // it, not a nested object.
    let roles = match &names.roles {
        Some(name) => list(payload.get(name.as_str()), Split::No),
        None => list(
            payload.get("roles").or_else(|| payload.get("role")),
            Split::No,
        ),
    };
    let scopes = match &names.scopes {
        Some(name) => list(payload.get(name.as_str()), Split::OnWhitespace),
        None => list(
            payload.get("scope").or_else(|| payload.get("scp")),
            Split::OnWhitespace,
        ),
    };
    Ok(TokenClaims {
        subject,
        issuer: text(payload.get("iss")).unwrap_or_default(),
        tenant: text(payload.get(names.tenant.as_str())),
        email: text(payload.get(names.email.as_str())),
        email_verified: payload.get("email_verified").and_then(Value::as_bool),
        given_name: text(payload.get("given_name")),
        family_name: text(payload.get("family_name")),
        roles,
        scopes,
        expires_at: exp,
        admin_claims_trusted,
    })
}

fn timestamp(value: Option<&Value>) -> Option<DateTime<Utc>> {
    let secs = match value? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        _ => return None,
    };
    Utc.timestamp_opt(secs, 0).single()
}

fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// How a claim given as one string holds several values.
#[derive(Clone, Copy)]
enum Split {
    /// One value (a role name may contain spaces).
    No,
    /// Space-separated, as `scope` is (RFC 8693 §4.2, RFC 9068 §2.2.3).
    OnWhitespace,
}

/// A string (split as `split` says) or an array of strings.
fn list(value: Option<&Value>, split: Split) -> Vec<String> {
    match value {
        Some(Value::String(s)) => match split {
            Split::No => vec![s.clone()],
            Split::OnWhitespace => s.split_whitespace().map(str::to_owned).collect(),
        },
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    fn map(payload: Value) -> Result<TokenClaims, TokenRejection> {
        map_claims(
            &payload,
            &ClaimNames::default(),
            true,
            now(),
            Duration::from_secs(60),
        )
    }

    #[test]
    fn maps_claims_with_scaikey_shapes() {
        let claims = map(json!({
            "sub": "usr_1", "iss": "https://idp", "exp": 1_800_000_100, "tenant_id": "tnt_1",
            "email": "a@b.c", "role": "tenant_admin", "scope": "openid email",
        }))
        .unwrap();
        assert_eq!(claims.subject, "usr_1");
        assert_eq!(claims.tenant.as_deref(), Some("tnt_1"));
        assert_eq!(claims.roles, ["tenant_admin"]);
        assert_eq!(claims.scopes, ["openid", "email"]);
    }

    #[test]
    fn admin_claims_count_only_from_a_trusted_provider() {
        let names = ClaimNames {
            roles: Some("groups".into()),
            scopes: Some("perms".into()),
            ..ClaimNames::default()
        };
        let admin = |payload: Value, trusted: bool| {
            map_claims(&payload, &names, trusted, now(), Duration::ZERO)
                .unwrap()
                .grants_platform_admin()
        };
        let by_role = json!({"sub": "u", "exp": 1_800_000_100, "groups": ["platform_admin"]});
        let by_scope = json!({"sub": "u", "exp": 1_800_000_100, "perms": "a platform:admin"});
        assert!(admin(by_role.clone(), true));
        assert!(admin(by_scope.clone(), true));
        assert!(!admin(by_role, false));
        assert!(!admin(by_scope, false));
        // The configured claim names are the only ones read.
        let default_names = json!({"sub": "u", "exp": 1_800_000_100, "roles": ["platform_admin"], "scope": "platform:admin"});
        assert!(!admin(default_names, true));
        let lookalike = json!({"sub": "u", "exp": 1_800_000_100, "groups": ["platform_admins", "Platform_Admin"]});
        assert!(!admin(lookalike, true));
    }

    #[test]
    fn only_the_scopes_claim_is_split_on_whitespace() {
        let claims = map(json!({
            "sub": "u", "exp": 1_800_000_100,
            "role": "dns operator platform_admin", "scope": "zones:read  platform:admin",
        }))
        .unwrap();
        assert_eq!(claims.roles, ["dns operator platform_admin"]);
        assert_eq!(claims.scopes, ["zones:read", "platform:admin"]);
        let role_only = json!({"sub": "u", "exp": 1_800_000_100, "roles": "x platform_admin"});
        assert!(!map(role_only).unwrap().grants_platform_admin());
    }

    #[test]
    fn claim_names_are_flat_keys() {
        let names = ClaimNames {
            roles: Some("realm_access.roles".into()),
            ..ClaimNames::default()
        };
        let nested = json!({"sub": "u", "exp": 1_800_000_100, "realm_access": {"roles": ["platform_admin"]}});
        let flat =
            json!({"sub": "u", "exp": 1_800_000_100, "realm_access.roles": ["platform_admin"]});
        let roles = |p: Value| {
            map_claims(&p, &names, true, now(), Duration::ZERO)
                .unwrap()
                .roles
        };
        assert!(roles(nested).is_empty());
        assert_eq!(roles(flat), ["platform_admin"]);
    }

    #[test]
    fn leeway_applies_both_ways() {
        let base = json!({"sub": "u", "exp": 1_800_000_000 - 59});
        assert!(map(base).is_ok());
        let expired = json!({"sub": "u", "exp": 1_800_000_000 - 61});
        assert_eq!(map(expired), Err(TokenRejection::Expired));
        let early = json!({"sub": "u", "exp": 1_800_001_000, "nbf": 1_800_000_061});
        assert_eq!(map(early), Err(TokenRejection::NotYetValid));
        let ok = json!({"sub": "u", "exp": 1_800_001_000, "nbf": 1_800_000_059});
        assert!(map(ok).is_ok());
    }

    #[test]
    fn missing_exp_or_sub_is_malformed() {
        assert_eq!(map(json!({"sub": "u"})), Err(TokenRejection::Malformed));
        assert_eq!(
            map(json!({"exp": 1_800_000_100})),
            Err(TokenRejection::Malformed)
        );
        assert_eq!(
            map(json!({"sub": "u", "exp": "soon"})),
            Err(TokenRejection::Malformed)
        );
    }
}
