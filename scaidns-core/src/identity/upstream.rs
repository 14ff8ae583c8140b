//! Partners, tenants, users and groups as the identity provider (ScaiKey) describes them, in
//! webhook payloads (spec api-identity §12.4) and in its directory API (pulled by
//! `scaidns sync`).
//!
//! ScaiKey documents only the user payload; the other shapes follow the spec's proposals and
//! are read tolerantly: a field may sit at the top of `data` or inside a nested object
//! (`tenant: {id, name, slug}`), ids may be named `id` or `<kind>_id`, statuses are uppercase
//! (`ACTIVE`, `SUSPENDED`) and extra fields are ignored.

use serde_json::Value;

/// A string at `path` inside `value`, trimmed, if non-empty.
pub fn text_at(value: &Value, path: &[&str]) -> Option<String> {
    path.iter()
        .try_fold(value, |v, key| v.get(key))
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// The first of several paths that holds a string.
fn first(value: &Value, paths: &[&[&str]]) -> Option<String> {
    paths.iter().find_map(|p| text_at(value, p))
}

/// Whether an upstream status means "usable". Absent means active: create events often omit it.
pub fn is_active_status(status: Option<&str>) -> bool {
    status.is_none_or(|s| s.eq_ignore_ascii_case("active"))
}

/// A partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamPartner {
    /// `prt_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug, if any.
    pub slug: Option<String>,
    /// Upstream status (`ACTIVE`, `SUSPENDED`, …), if given.
    pub status: Option<String>,
}

impl UpstreamPartner {
    /// From an event's `data` or a directory item.
    pub fn from_value(v: &Value) -> Option<Self> {
        let id = first(v, &[&["id"], &["partner_id"], &["partner", "id"]])?;
        Some(Self {
            name: first(v, &[&["name"], &["partner", "name"]]).unwrap_or_else(|| id.clone()),
            slug: first(v, &[&["slug"], &["partner", "slug"]]),
            status: text_at(v, &["status"]),
            id,
        })
    }
}

/// A tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamTenant {
    /// `tnt_…`.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Slug, if given (ScaiDNS derives one otherwise).
    pub slug: Option<String>,
    /// Upstream status, if given.
    pub status: Option<String>,
    /// Its partner (`prt_…`), if given.
    pub partner: Option<UpstreamPartner>,
}

impl UpstreamTenant {
    /// From a tenant object (`data` of a tenant event, a directory item, or a nested `tenant`).
    pub fn from_value(v: &Value) -> Option<Self> {
        let id = first(v, &[&["id"], &["tenant_id"]])?;
        let partner = match v.get("partner") {
            Some(p) if p.is_object() => UpstreamPartner::from_value(p),
            _ => text_at(v, &["partner_id"]).map(|id| UpstreamPartner {
                name: id.clone(),
                id,
                slug: None,
                status: None,
            }),
        };
        Some(Self {
            name: text_at(v, &["name"]).unwrap_or_else(|| id.clone()),
            slug: text_at(v, &["slug"]),
            status: text_at(v, &["status"]),
            partner,
            id,
        })
    }

    /// A tenant known only by id (from an envelope's `tenant_id`).
    pub fn bare(id: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: id.to_owned(),
            slug: None,
            status: None,
            partner: None,
        }
    }
}

/// A user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamUser {
    /// `usr_…`.
    pub id: String,
    /// E-mail.
    pub email: Option<String>,
    /// Whether the provider verified the e-mail, when it says (`email_verified`).
    pub email_verified: Option<bool>,
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Upstream status, if given.
    pub status: Option<String>,
    /// Primary tenant, if given.
    pub tenant: Option<UpstreamTenant>,
}

impl UpstreamUser {
    /// From a user object: `data` itself, or `data.user`; `tenant` falls back to
    /// `fallback_tenant` (the envelope's `tenant_id`, or the tenant a directory call was for).
    pub fn from_value(v: &Value, fallback_tenant: Option<&str>) -> Option<Self> {
        let v = match v.get("user") {
            Some(inner) if inner.is_object() => inner,
            _ => v,
        };
        let id = first(v, &[&["id"], &["user_id"]])?;
        let tenant = match v.get("tenant") {
            Some(t) if t.is_object() => UpstreamTenant::from_value(t),
            _ => text_at(v, &["tenant_id"])
                .or_else(|| fallback_tenant.map(str::to_owned))
                .map(|t| UpstreamTenant::bare(&t)),
        };
        Some(Self {
            email: text_at(v, &["email"]).map(|e| e.to_lowercase()),
            email_verified: ["email_verified", "emailVerified"]
                .iter()
                .find_map(|k| v.get(k).and_then(Value::as_bool)),
            first_name: text_at(v, &["first_name"]),
            last_name: text_at(v, &["last_name"]),
            status: text_at(v, &["status"]),
            tenant,
            id,
        })
    }
}

/// A group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamGroup {
    /// `grp_…`.
    pub id: String,
    /// Name, unique in its tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// `SECURITY` or `DISTRIBUTION_LIST`, if given.
    pub group_type: Option<String>,
    /// Owning tenant, if given.
    pub tenant: Option<UpstreamTenant>,
}

impl UpstreamGroup {
    /// From a group object: `data` itself or `data.group`.
    pub fn from_value(v: &Value, fallback_tenant: Option<&str>) -> Option<Self> {
        let v = match v.get("group") {
            Some(inner) if inner.is_object() => inner,
            _ => v,
        };
        let id = first(v, &[&["id"], &["group_id"]])?;
        let tenant = match v.get("tenant") {
            Some(t) if t.is_object() => UpstreamTenant::from_value(t),
            _ => text_at(v, &["tenant_id"])
                .or_else(|| fallback_tenant.map(str::to_owned))
                .map(|t| UpstreamTenant::bare(&t)),
        };
        Some(Self {
            name: text_at(v, &["name"]).unwrap_or_else(|| id.clone()),
            description: text_at(v, &["description"]),
            group_type: text_at(v, &["group_type"]),
            tenant,
            id,
        })
    }
}

/// A membership event's group and user ids (`group_id`/`group.id`, `user_id`/`user.id`).
pub fn membership_ids(data: &Value) -> Option<(String, String)> {
    let group = first(data, &[&["group_id"], &["group", "id"]])?;
    let user = first(data, &[&["user_id"], &["user", "id"]])?;
    Some((group, user))
}

/// A ScaiDNS slug from an upstream slug or name: lowercase `a-z0-9-`, at most 63 characters.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out: String = out.trim_end_matches('-').chars().take(63).collect();
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "tenant".to_owned()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn users_from_the_documented_payload_and_variants() {
        let data = json!({
            "id": "usr_1", "email": "Ada@Example.com", "first_name": "Ada", "status": "ACTIVE",
            "tenant": {"id": "tnt_1", "name": "Acme", "slug": "acme"}, "extra": [1, 2],
        });
        let u = UpstreamUser::from_value(&data, None).unwrap();
        assert_eq!(u.email.as_deref(), Some("ada@example.com"));
        assert_eq!(u.tenant.as_ref().unwrap().slug.as_deref(), Some("acme"));
        let nested = json!({"application_id": "app_1", "user": {"id": "usr_2"}});
        let u = UpstreamUser::from_value(&nested, Some("tnt_9")).unwrap();
        assert_eq!(
            (u.id.as_str(), u.tenant.unwrap().id.as_str()),
            ("usr_2", "tnt_9")
        );
        assert!(UpstreamUser::from_value(&json!({"email": "x@y.z"}), None).is_none());
    }

    #[test]
    fn tenants_groups_memberships() {
        let t = UpstreamTenant::from_value(&json!({
            "id": "tnt_1", "name": "Acme", "partner": {"id": "prt_1", "name": "MSP"}
        }))
        .unwrap();
        assert_eq!(t.partner.unwrap().name, "MSP");
        let g = UpstreamGroup::from_value(
            &json!({"group": {"id": "grp_1", "name": "ops"}}),
            Some("tnt_1"),
        )
        .unwrap();
        assert_eq!(g.tenant.unwrap().id, "tnt_1");
        assert_eq!(
            membership_ids(&json!({"group": {"id": "grp_1"}, "user_id": "usr_1"})),
            Some(("grp_1".into(), "usr_1".into()))
        );
        assert!(is_active_status(None) && is_active_status(Some("ACTIVE")));
        assert!(!is_active_status(Some("SUSPENDED")));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("BBinfra NL!"), "bbinfra-nl");
        assert_eq!(slugify("--"), "tenant");
        assert_eq!(slugify(&"a".repeat(80)).len(), 63);
    }
}
