//! Access grants on a zone (spec api-identity §7, interface decision 19): a role for a user or
//! group on one zone, optionally narrowed to records by name pattern and type, until it
//! expires. Managing them needs `access_grants:*` on the zone (which a record-restricted grant
//! never gives); a grant may hand on only what the grantor holds there, over as many records
//! for as long (the no-escalation rule, [`crate::rbac::escalation`]), and nobody creates,
//! changes or deletes a grant whose grantee is itself or one of its groups. Changing a grant is
//! checked like creating the resulting one. Expiry is compared with the service clock.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{GrantId, ZoneId};
use crate::rbac::{
    AccessGrant, Holdings, Permission, RecordPattern, Subject, roles::assignable_on_a_zone,
};
use crate::record::RecordType;
use crate::zone::Zone;

use super::authn::caller_user;
use super::text_input::optional_text;
use super::{OpContext, ScaiDns};

/// Input of [`ScaiDns::access_grant_create`].
#[derive(Debug, Clone)]
pub struct AccessGrantCreate {
    /// Grantee.
    pub subject: Subject,
    /// Role name (a zone-level system role or a custom role of the zone's tenant).
    pub role: String,
    /// Glob over relative record names.
    pub record_pattern: Option<String>,
    /// Record types (empty: all).
    pub record_types: Vec<String>,
    /// Stops applying then; must lie in the future.
    pub expires_at: Option<DateTime<Utc>>,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of [`ScaiDns::access_grant_update`]; `None` leaves a field unchanged, `Some(None)`
/// clears it.
#[derive(Debug, Clone, Default)]
pub struct AccessGrantUpdate {
    /// New role name.
    pub role: Option<String>,
    /// New pattern.
    pub record_pattern: Option<Option<String>>,
    /// New types.
    pub record_types: Option<Vec<String>>,
    /// New expiry.
    pub expires_at: Option<Option<DateTime<Utc>>>,
    /// New notes.
    pub notes: Option<Option<String>>,
}

fn grant_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "access_grant_not_found",
        "Access grant not found",
    )
}

/// The grant as audit entries show it.
pub(super) fn grant_json(g: &AccessGrant) -> serde_json::Value {
    json!({
        "id": g.id, "domain_id": g.zone_id, "grant_type": g.subject.kind(),
        "grantee_id": g.subject.id_string(), "role": g.role_name,
        "record_pattern": g.record_pattern,
        "record_types": g.record_types.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
        "expires_at": g.expires_at, "notes": g.notes,
    })
}

fn parse_pattern(p: Option<&str>) -> Result<Option<String>> {
    match p.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) => RecordPattern::parse(p).map(|p| Some(p.as_str().to_owned())),
    }
}

fn parse_types(types: &[String]) -> Result<Vec<RecordType>> {
    let mut out: Vec<RecordType> = Vec::new();
    for (i, t) in types.iter().enumerate() {
        let t: RecordType = t.trim().to_ascii_uppercase().parse().map_err(|e: Error| {
            Error::invalid(format!("record_types[{i}]"), e.message().to_owned())
        })?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

impl ScaiDns {
    /// A zone's grants; expired ones only with `include_expired`.
    pub async fn access_grant_list(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        include_expired: bool,
    ) -> Result<(Zone, Vec<AccessGrant>)> {
        let zone = self
            .authorized_zone(ctx, Permission::ACCESS_GRANTS_READ, zone_id, false)
            .await?;
        let now = self.clock().now();
        let grants = self
            .store()
            .list_access_grants(zone.id)
            .await?
            .into_iter()
            .filter(|g| include_expired || !g.is_expired(now))
            .collect();
        Ok((zone, grants))
    }

    /// One grant of a zone.
    pub async fn access_grant_get(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: GrantId,
    ) -> Result<AccessGrant> {
        let zone = self
            .authorized_zone(ctx, Permission::ACCESS_GRANTS_READ, zone_id, false)
            .await?;
        self.zone_grant(&zone, id).await
    }

    async fn zone_grant(&self, zone: &Zone, id: GrantId) -> Result<AccessGrant> {
        self.store()
            .get_access_grant(id)
            .await?
            .filter(|g| g.zone_id == zone.id)
            .ok_or_else(grant_not_found)
    }

    /// Creates a grant. 422 for an unknown grantee or role, or a role that is not for one
    /// zone; 403 `permission_not_held` when the role holds more than the grantor has here.
    pub async fn access_grant_create(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        input: AccessGrantCreate,
    ) -> Result<AccessGrant> {
        let zone = self
            .authorized_zone(ctx, Permission::ACCESS_GRANTS_CREATE, zone_id, false)
            .await?;
        self.check_grantee(&zone, input.subject).await?;
        self.refuse_own_grant(ctx, input.subject).await?;
        let role = self.grantable_role(&zone, &input.role).await?;
        if input.expires_at.is_some_and(|at| at <= ctx.now) {
            return Err(Error::invalid(
                "expires_at",
                "expires_at must lie in the future",
            ));
        }
        let grant = AccessGrant {
            id: GrantId::new(),
            zone_id: zone.id,
            tenant_id: zone.tenant_id,
            subject: input.subject,
            role_id: role.id,
            role_name: role.name.clone(),
            record_pattern: parse_pattern(input.record_pattern.as_deref())?,
            record_types: parse_types(&input.record_types)?,
            expires_at: input.expires_at,
            notes: optional_text("notes", input.notes.as_deref(), 1000)?,
            created_by: caller_user(ctx),
            created_at: ctx.now,
            updated_at: ctx.now,
        };
        self.refuse_granting_beyond(ctx, &grant, &role).await?;
        let audit = ctx.audit(
            zone.tenant_id,
            "access_grant.create",
            "access_grant",
            grant.id,
            Some(zone.name.to_string()),
            None,
            Some(grant_json(&grant)),
        );
        self.store().insert_access_grant(&grant, &[audit]).await?;
        self.auth_changed();
        Ok(grant)
    }

    /// Changes a grant.
    pub async fn access_grant_update(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: GrantId,
        input: AccessGrantUpdate,
    ) -> Result<AccessGrant> {
        let zone = self
            .authorized_zone(ctx, Permission::ACCESS_GRANTS_UPDATE, zone_id, false)
            .await?;
        let before = self.zone_grant(&zone, id).await?;
        self.refuse_own_grant(ctx, before.subject).await?;
        let mut grant = before.clone();
        let role = match input.role {
            Some(role) => self.grantable_role(&zone, &role).await?,
            None => self
                .store()
                .get_role(before.role_id)
                .await?
                .ok_or_else(|| Error::internal("a grant's role is missing"))?,
        };
        grant.role_id = role.id;
        grant.role_name.clone_from(&role.name);
        if let Some(pattern) = input.record_pattern {
            grant.record_pattern = parse_pattern(pattern.as_deref())?;
        }
        if let Some(types) = input.record_types {
            grant.record_types = parse_types(&types)?;
        }
        if let Some(expires_at) = input.expires_at {
            // As on create: a past expiry would revoke silently; deleting says so.
            if expires_at.is_some_and(|at| at <= ctx.now) {
                return Err(Error::invalid(
                    "expires_at",
                    "expires_at must lie in the future (delete the grant to end it now)",
                ));
            }
            grant.expires_at = expires_at;
        }
        if let Some(notes) = input.notes {
            grant.notes = optional_text("notes", notes.as_deref(), 1000)?;
        }
        if grant == before {
            return Ok(grant);
        }
        let widens = grant.role_id != before.role_id
            || grant.record_pattern != before.record_pattern
            || grant.record_types != before.record_types
            || grant.expires_at != before.expires_at;
        if widens {
            // Checked like creating the resulting grant.
            self.refuse_granting_beyond(ctx, &grant, &role).await?;
        }
        grant.updated_at = ctx.now;
        let audit = ctx.audit(
            zone.tenant_id,
            "access_grant.update",
            "access_grant",
            grant.id,
            Some(zone.name.to_string()),
            Some(grant_json(&before)),
            Some(grant_json(&grant)),
        );
        self.store().update_access_grant(&grant, &[audit]).await?;
        self.auth_changed();
        Ok(grant)
    }

    /// Deletes a grant.
    pub async fn access_grant_delete(
        &self,
        ctx: &OpContext,
        zone_id: ZoneId,
        id: GrantId,
    ) -> Result<()> {
        let zone = self
            .authorized_zone(ctx, Permission::ACCESS_GRANTS_DELETE, zone_id, false)
            .await?;
        let before = self.zone_grant(&zone, id).await?;
        self.refuse_own_grant(ctx, before.subject).await?;
        let audit = ctx.audit(
            zone.tenant_id,
            "access_grant.delete",
            "access_grant",
            before.id,
            Some(zone.name.to_string()),
            Some(grant_json(&before)),
            None,
        );
        self.store()
            .delete_access_grant(before.id, &[audit])
            .await?;
        self.auth_changed();
        Ok(())
    }

    /// Grantees are users and groups of the zone's tenant (so a grant cannot probe other
    /// tenants' ids).
    async fn check_grantee(&self, zone: &Zone, subject: Subject) -> Result<()> {
        let tenant = match subject {
            Subject::User(id) => self.store().get_user(id).await?.map(|u| u.tenant_id),
            Subject::Group(id) => self.store().get_group(id).await?.map(|g| g.tenant_id),
        };
        if tenant == Some(zone.tenant_id) {
            Ok(())
        } else {
            Err(Error::invalid(
                "grantee_id",
                format!("no {} with this id in the domain's tenant", subject.kind()),
            ))
        }
    }

    /// A role that can be granted on the zone: a zone-level system role or a custom role of
    /// the zone's tenant.
    async fn grantable_role(&self, zone: &Zone, name: &str) -> Result<crate::rbac::Role> {
        self.store()
            .find_role(zone.tenant_id, name.trim())
            .await?
            .filter(|r| assignable_on_a_zone(&r.name))
            .ok_or_else(|| {
                Error::invalid(
                    "role",
                    format!("'{name}' is not a role that can be granted on a domain"),
                )
            })
    }

    /// The grantor must hold what the grant gives: the role's permissions over at least the
    /// grant's records, for at least as long.
    async fn refuse_granting_beyond(
        &self,
        ctx: &OpContext,
        grant: &AccessGrant,
        role: &crate::rbac::Role,
    ) -> Result<()> {
        self.principal(ctx)
            .await?
            .refuse_escalation(&Holdings::grant_holding(grant, role.perm_set()))
    }

    /// A grant whose grantee is the caller (its user, one of its groups, or a group key's
    /// group) is the caller's to use, never to manage: otherwise a narrow grant could widen
    /// or extend itself.
    async fn refuse_own_grant(&self, ctx: &OpContext, grantee: Subject) -> Result<()> {
        if self.caller_subjects(ctx).await?.contains(&grantee) {
            return Err(Error::forbidden(
                "own_grant",
                "you cannot create, change or delete an access grant whose grantee is you or a group you belong to",
            ));
        }
        Ok(())
    }
}
