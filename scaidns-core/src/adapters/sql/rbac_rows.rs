//! Rows of the RBAC tables added by migration 0004 (roles, role assignments, access grants) and
//! their conversion to the core's models; a row the models refuse is a "corrupt row" error.

use super::types::{Ts, corrupt};
use crate::error::Result;
use crate::rbac::{AccessGrant, Role, RoleAssignment, RoleScope, Subject};
use crate::record::RecordType;

/// Columns of `roles` in [`RoleRow`] order.
macro_rules! role_columns {
    () => {
        "id, tenant_id, name, description, is_system, permissions, created_at, updated_at"
    };
}
pub(crate) use role_columns;

/// Columns of `role_assignments` (`a`) with their role's name (`r`), in [`AssignmentRow`]
/// order.
macro_rules! assignment_columns {
    () => {
        "a.id, a.role_id, r.name AS role_name, a.subject_type, a.subject_id, a.scope_type, \
         a.scope_key, a.tenant_id, a.created_by, a.created_at"
    };
}
pub(crate) use assignment_columns;

/// Columns of `access_grants` (`g`) with their role's name (`r`), in [`GrantRow`] order.
macro_rules! grant_columns {
    () => {
        "g.id, g.zone_id, g.tenant_id, g.subject_type, g.subject_id, g.role_id, \
         r.name AS role_name, g.record_pattern, g.record_types, g.expires_at, g.notes, \
         g.created_by, g.created_at, g.updated_at"
    };
}
pub(crate) use grant_columns;

fn parse<T: std::str::FromStr>(table: &str, id: &str, column: &str, text: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    text.parse()
        .map_err(|e| corrupt(table, id, format!("{column}: {e}")))
}

fn subject(table: &str, id: &str, kind: &str, subject_id: &str) -> Result<Subject> {
    match kind {
        "user" => Ok(Subject::User(parse(table, id, "subject_id", subject_id)?)),
        "group" => Ok(Subject::Group(parse(table, id, "subject_id", subject_id)?)),
        other => Err(corrupt(table, id, format!("subject_type: {other}"))),
    }
}

/// `(subject_type, subject_id)` of a subject.
pub(crate) fn subject_columns(s: &Subject) -> (&'static str, String) {
    (s.kind(), s.id_string())
}

/// `(scope_type, scope_key)` of a scope.
pub(crate) fn scope_columns(s: &RoleScope) -> (&'static str, String) {
    (s.kind(), s.id_string().unwrap_or_default())
}

#[derive(sqlx::FromRow)]
pub(crate) struct RoleRow {
    id: String,
    tenant_id: Option<String>,
    name: String,
    description: Option<String>,
    is_system: bool,
    permissions: String,
    created_at: Ts,
    updated_at: Ts,
}

impl RoleRow {
    pub(crate) fn into_model(self) -> Result<Role> {
        const T: &str = "roles";
        let id = &self.id;
        Ok(Role {
            id: parse(T, id, "id", id)?,
            tenant_id: self
                .tenant_id
                .as_deref()
                .map(|t| parse(T, id, "tenant_id", t))
                .transpose()?,
            name: self.name,
            description: self.description,
            is_system: self.is_system,
            permissions: serde_json::from_str(&self.permissions)
                .map_err(|e| corrupt(T, id, format!("permissions: {e}")))?,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AssignmentRow {
    id: String,
    role_id: String,
    role_name: String,
    subject_type: String,
    subject_id: String,
    scope_type: String,
    scope_key: String,
    tenant_id: String,
    created_by: Option<String>,
    created_at: Ts,
}

impl AssignmentRow {
    pub(crate) fn into_model(self) -> Result<RoleAssignment> {
        const T: &str = "role_assignments";
        let id = &self.id;
        let scope = match self.scope_type.as_str() {
            "platform" => RoleScope::Platform,
            "tenant" => RoleScope::Tenant(parse(T, id, "scope_key", &self.scope_key)?),
            "domain" => RoleScope::Domain(parse(T, id, "scope_key", &self.scope_key)?),
            other => return Err(corrupt(T, id, format!("scope_type: {other}"))),
        };
        Ok(RoleAssignment {
            id: parse(T, id, "id", id)?,
            role_id: parse(T, id, "role_id", &self.role_id)?,
            role_name: self.role_name,
            subject: subject(T, id, &self.subject_type, &self.subject_id)?,
            scope,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            created_by: self
                .created_by
                .as_deref()
                .map(|u| parse(T, id, "created_by", u))
                .transpose()?,
            created_at: self.created_at.get(),
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GrantRow {
    id: String,
    zone_id: String,
    tenant_id: String,
    subject_type: String,
    subject_id: String,
    role_id: String,
    role_name: String,
    record_pattern: Option<String>,
    record_types: String,
    expires_at: Option<Ts>,
    notes: Option<String>,
    created_by: Option<String>,
    created_at: Ts,
    updated_at: Ts,
}

impl GrantRow {
    pub(crate) fn into_model(self) -> Result<AccessGrant> {
        const T: &str = "access_grants";
        let id = &self.id;
        let types: Vec<String> = serde_json::from_str(&self.record_types)
            .map_err(|e| corrupt(T, id, format!("record_types: {e}")))?;
        Ok(AccessGrant {
            id: parse(T, id, "id", id)?,
            zone_id: parse(T, id, "zone_id", &self.zone_id)?,
            tenant_id: parse(T, id, "tenant_id", &self.tenant_id)?,
            subject: subject(T, id, &self.subject_type, &self.subject_id)?,
            role_id: parse(T, id, "role_id", &self.role_id)?,
            role_name: self.role_name,
            record_pattern: self.record_pattern,
            record_types: types
                .iter()
                .map(|t| parse::<RecordType>(T, id, "record_types", t))
                .collect::<Result<_>>()?,
            expires_at: self.expires_at.map(Ts::get),
            notes: self.notes,
            created_by: self
                .created_by
                .as_deref()
                .map(|u| parse(T, id, "created_by", u))
                .transpose()?,
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}
