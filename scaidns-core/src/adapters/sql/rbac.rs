//! Roles, role assignments and one caller's holdings (compiled once per engine, see `super`;
//! access grants are in `access_grants.rs`). Each write commits with its audit entries in one
//! transaction.

use ::sqlx::{AssertSqlSafe, Pool};

use super::common::{finish, run_one, write_one};
use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::rbac_rows::{
    AssignmentRow, GrantRow, RoleRow, assignment_columns, grant_columns, role_columns,
    scope_columns, subject_columns,
};
use crate::adapters::sql::rows::{json_text, models};
use crate::adapters::sql::types::{Ts, db_err};
use crate::audit::AuditEvent;
use crate::error::{Error, ErrorKind, Result};
use crate::ids::{RoleAssignmentId, RoleId, TenantId};
use crate::ports::rbac::SubjectGrants;
use crate::rbac::{AccessGrant, Role, RoleAssignment, Subject};

fn role_exists(name: &str) -> Error {
    Error::conflict("role_exists", format!("a role named '{name}' exists")).with_field("name")
}

pub(crate) fn missing(code: &'static str, message: &str) -> Error {
    Error::new(ErrorKind::NotFound, code, message)
}

// ----- roles -----

/// A custom role may not take a system role's name (the unique key only sees its own tenant).
async fn refuse_system_name(conn: &mut Conn, name: &str) -> Result<()> {
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM roles WHERE tenant_key = '' AND name = ?")
            .bind(name)
            .fetch_one(&mut *conn)
            .await
            .map_err(db_err)?;
    if n > 0 {
        return Err(role_exists(name));
    }
    Ok(())
}

pub(crate) async fn insert_role(pool: &Pool<Db>, role: &Role, events: &[AuditEvent]) -> Result<()> {
    let permissions = json_text(&role.permissions)?;
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = async {
        refuse_system_name(&mut tx, &role.name).await?;
        let tenant = role.tenant_id.map(|t| t.to_string());
        let query = sqlx::query(
            "INSERT INTO roles (id, tenant_key, tenant_id, name, description, is_system, \
             permissions, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(role.id.to_string())
        .bind(tenant.clone().unwrap_or_default())
        .bind(tenant)
        .bind(role.name.clone())
        .bind(role.description.clone())
        .bind(role.is_system)
        .bind(permissions)
        .bind(Ts::from(role.created_at))
        .bind(Ts::from(role.updated_at));
        run_one(&mut tx, query, events, || role_exists(&role.name), None).await
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn update_role(pool: &Pool<Db>, role: &Role, events: &[AuditEvent]) -> Result<()> {
    let permissions = json_text(&role.permissions)?;
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = async {
        refuse_system_name(&mut tx, &role.name).await?;
        let query = sqlx::query(
            "UPDATE roles SET name = ?, description = ?, permissions = ?, updated_at = ? \
             WHERE id = ? AND is_system = ?",
        )
        .bind(role.name.clone())
        .bind(role.description.clone())
        .bind(permissions)
        .bind(Ts::from(role.updated_at))
        .bind(role.id.to_string())
        .bind(false);
        run_one(
            &mut tx,
            query,
            events,
            || role_exists(&role.name),
            Some(missing("role_not_found", "Role not found")),
        )
        .await
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn delete_role(pool: &Pool<Db>, id: RoleId, events: &[AuditEvent]) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = async {
        let uses: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM role_assignments WHERE role_id = ?) \
             + (SELECT COUNT(*) FROM access_grants WHERE role_id = ?)",
        )
        .bind(id.to_string())
        .bind(id.to_string())
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
        if uses > 0 {
            return Err(Error::conflict(
                "role_in_use",
                format!("the role is held by {uses} assignment(s) or grant(s); revoke them first"),
            ));
        }
        let query = sqlx::query("DELETE FROM roles WHERE id = ? AND is_system = ?")
            .bind(id.to_string())
            .bind(false);
        run_one(
            &mut tx,
            query,
            events,
            || Error::internal("unexpected unique violation"),
            Some(missing("role_not_found", "Role not found")),
        )
        .await
    }
    .await;
    finish(tx, result).await
}

pub(crate) async fn get_role(pool: &Pool<Db>, id: RoleId) -> Result<Option<Role>> {
    let row: Option<RoleRow> = sqlx::query_as(concat!(
        "SELECT ",
        role_columns!(),
        " FROM roles WHERE id = ?"
    ))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(RoleRow::into_model).transpose()
}

pub(crate) async fn find_role(
    pool: &Pool<Db>,
    tenant: TenantId,
    name: &str,
) -> Result<Option<Role>> {
    let row: Option<RoleRow> = sqlx::query_as(concat!(
        "SELECT ",
        role_columns!(),
        " FROM roles WHERE name = ? AND tenant_key IN ('', ?) ORDER BY is_system DESC LIMIT 1"
    ))
    .bind(name)
    .bind(tenant.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(RoleRow::into_model).transpose()
}

pub(crate) async fn list_roles(pool: &Pool<Db>, tenant: Option<TenantId>) -> Result<Vec<Role>> {
    let rows: Vec<RoleRow> = match tenant {
        Some(t) => {
            sqlx::query_as(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles WHERE tenant_key IN ('', ?) ORDER BY is_system DESC, name, id"
            ))
            .bind(t.to_string())
            .fetch_all(pool)
            .await
        }
        None => {
            sqlx::query_as(concat!(
                "SELECT ",
                role_columns!(),
                " FROM roles ORDER BY is_system DESC, name, id"
            ))
            .fetch_all(pool)
            .await
        }
    }
    .map_err(db_err)?;
    models(rows, RoleRow::into_model)
}

// ----- assignments -----

pub(crate) async fn insert_assignment(
    pool: &Pool<Db>,
    a: &RoleAssignment,
    events: &[AuditEvent],
) -> Result<()> {
    let (subject_type, subject_id) = subject_columns(&a.subject);
    let (scope_type, scope_key) = scope_columns(&a.scope);
    let query = sqlx::query(
        "INSERT INTO role_assignments (id, role_id, subject_type, subject_id, scope_type, \
         scope_key, tenant_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(a.id.to_string())
    .bind(a.role_id.to_string())
    .bind(subject_type)
    .bind(subject_id)
    .bind(scope_type)
    .bind(scope_key)
    .bind(a.tenant_id.to_string())
    .bind(a.created_by.map(|u| u.to_string()))
    .bind(Ts::from(a.created_at));
    write_one(
        pool,
        query,
        events,
        || {
            Error::conflict(
                "role_already_assigned",
                "this role is already assigned at this scope",
            )
        },
        None,
    )
    .await
}

pub(crate) async fn delete_assignment(
    pool: &Pool<Db>,
    id: RoleAssignmentId,
    events: &[AuditEvent],
) -> Result<()> {
    let query = sqlx::query("DELETE FROM role_assignments WHERE id = ?").bind(id.to_string());
    write_one(
        pool,
        query,
        events,
        || Error::internal("unexpected unique violation"),
        Some(missing("assignment_not_found", "Role assignment not found")),
    )
    .await
}

pub(crate) async fn get_assignment(
    pool: &Pool<Db>,
    id: RoleAssignmentId,
) -> Result<Option<RoleAssignment>> {
    let row: Option<AssignmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        assignment_columns!(),
        " FROM role_assignments a JOIN roles r ON r.id = a.role_id WHERE a.id = ?"
    ))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(AssignmentRow::into_model).transpose()
}

pub(crate) async fn list_assignments(
    pool: &Pool<Db>,
    subject: Subject,
) -> Result<Vec<RoleAssignment>> {
    let (kind, id) = subject_columns(&subject);
    let rows: Vec<AssignmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        assignment_columns!(),
        " FROM role_assignments a JOIN roles r ON r.id = a.role_id \
         WHERE a.subject_type = ? AND a.subject_id = ? ORDER BY a.created_at, a.id"
    ))
    .bind(kind)
    .bind(id)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    models(rows, AssignmentRow::into_model)
}

pub(crate) async fn assignments_of_role(
    pool: &Pool<Db>,
    role: RoleId,
) -> Result<Vec<RoleAssignment>> {
    let rows: Vec<AssignmentRow> = sqlx::query_as(concat!(
        "SELECT ",
        assignment_columns!(),
        " FROM role_assignments a JOIN roles r ON r.id = a.role_id \
         WHERE a.role_id = ? ORDER BY a.created_at, a.id"
    ))
    .bind(role.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    models(rows, AssignmentRow::into_model)
}

// ----- one caller's holdings -----

/// `?, ?, …` for `n` values.
fn marks(n: usize) -> String {
    vec!["?"; n].join(", ")
}

pub(crate) async fn subject_grants(pool: &Pool<Db>, subjects: &[Subject]) -> Result<SubjectGrants> {
    // Bounded so the statement stays under both engines' placeholder limits; a caller is one
    // user and its groups.
    let subjects = &subjects[..subjects.len().min(500)];
    if subjects.is_empty() {
        return Ok(SubjectGrants::default());
    }
    let ids: Vec<String> = subjects.iter().map(Subject::id_string).collect();
    let holds = |s: &Subject| subjects.contains(s);

    let sql = format!(
        concat!(
            "SELECT ",
            assignment_columns!(),
            " FROM role_assignments a JOIN roles r ON r.id = a.role_id \
             WHERE a.subject_id IN ({}) ORDER BY a.created_at, a.id"
        ),
        marks(ids.len())
    );
    let mut q = sqlx::query_as(AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(id.clone());
    }
    let rows: Vec<AssignmentRow> = q.fetch_all(pool).await.map_err(db_err)?;
    let assignments: Vec<RoleAssignment> = models(rows, AssignmentRow::into_model)?
        .into_iter()
        .filter(|a| holds(&a.subject))
        .collect();

    let sql = format!(
        concat!(
            "SELECT ",
            grant_columns!(),
            " FROM access_grants g JOIN roles r ON r.id = g.role_id \
             WHERE g.subject_id IN ({}) ORDER BY g.created_at, g.id"
        ),
        marks(ids.len())
    );
    let mut q = sqlx::query_as(AssertSqlSafe(sql));
    for id in &ids {
        q = q.bind(id.clone());
    }
    let rows: Vec<GrantRow> = q.fetch_all(pool).await.map_err(db_err)?;
    let grants: Vec<AccessGrant> = models(rows, GrantRow::into_model)?
        .into_iter()
        .filter(|g| holds(&g.subject))
        .collect();

    let mut role_ids: Vec<String> = assignments
        .iter()
        .map(|a| a.role_id.to_string())
        .chain(grants.iter().map(|g| g.role_id.to_string()))
        .collect();
    role_ids.sort_unstable();
    role_ids.dedup();
    let roles = if role_ids.is_empty() {
        Vec::new()
    } else {
        let sql = format!(
            concat!("SELECT ", role_columns!(), " FROM roles WHERE id IN ({})"),
            marks(role_ids.len())
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for id in role_ids {
            q = q.bind(id);
        }
        let rows: Vec<RoleRow> = q.fetch_all(pool).await.map_err(db_err)?;
        models(rows, RoleRow::into_model)?
    };
    Ok(SubjectGrants {
        assignments,
        grants,
        roles,
    })
}
