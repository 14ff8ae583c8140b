//! What writes identity rows, written once for the single-row writes of `identity.rs` and
//! `groups.rs` and the batches of `identity_batch.rs` (compiled once per engine, see `super`):
//! the rows' values in column order, the user and group statements, and the membership rows.
//! Each binder leaves `id` out, so an INSERT binds it first (as the `*_columns!` lists start
//! with it) and an UPDATE last.

use ::sqlx::Database;
use ::sqlx::query::Query;

use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::identity_cache_rows::group_columns;
use crate::adapters::sql::rows::user_columns;
use crate::adapters::sql::types::Ts;
use crate::ids::{GroupId, UserId};
use crate::tenant::{Group, Partner, Tenant, User};

type Args = <Db as Database>::Arguments;

/// Binds every tenant column but `id`, in `tenant_columns!` order.
pub(crate) fn bind_tenant<'q>(query: Query<'q, Db, Args>, t: &Tenant) -> Query<'q, Db, Args> {
    query
        .bind(t.name.clone())
        .bind(t.slug.clone())
        .bind(t.scaikey_tenant_id.clone())
        .bind(t.status.as_str())
        .bind(t.is_platform)
        .bind(Ts::from(t.created_at))
        .bind(Ts::from(t.updated_at))
}

/// Binds every user column but `id`, in `user_columns!` order. E-mails are kept lowercase so
/// that the unique key and lookups ignore case.
pub(crate) fn bind_user<'q>(query: Query<'q, Db, Args>, u: &User) -> Query<'q, Db, Args> {
    query
        .bind(u.tenant_id.to_string())
        .bind(u.email.to_lowercase())
        .bind(u.first_name.clone())
        .bind(u.last_name.clone())
        .bind(u.scaikey_user_id.clone())
        .bind(u.status.as_str())
        .bind(u.is_platform_admin)
        .bind(u.is_tenant_admin)
        .bind(Ts::from(u.created_at))
        .bind(Ts::from(u.updated_at))
}

/// Binds every group column but `id`, in `group_columns!` order.
pub(crate) fn bind_group<'q>(query: Query<'q, Db, Args>, g: &Group) -> Query<'q, Db, Args> {
    query
        .bind(g.tenant_id.to_string())
        .bind(g.name.clone())
        .bind(g.description.clone())
        .bind(g.group_type.as_str())
        .bind(g.scaikey_group_id.clone())
        .bind(Ts::from(g.created_at))
        .bind(Ts::from(g.updated_at))
}

/// Binds every partner column but `id`: name, slug, provider id, status, created, updated.
pub(crate) fn bind_partner<'q>(query: Query<'q, Db, Args>, p: &Partner) -> Query<'q, Db, Args> {
    query
        .bind(p.name.clone())
        .bind(p.slug.clone())
        .bind(p.scaikey_partner_id.clone())
        .bind(p.status.as_str())
        .bind(Ts::from(p.created_at))
        .bind(Ts::from(p.updated_at))
}

/// Inserts a user: `id`, then [`bind_user`].
pub(crate) const INSERT_USER: &str = concat!(
    "INSERT INTO users (",
    user_columns!(),
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
);

/// Updates a user: [`bind_user`], then `id`.
pub(crate) const UPDATE_USER: &str = "UPDATE users SET tenant_id = ?, email = ?, first_name = ?, \
     last_name = ?, scaikey_user_id = ?, status = ?, is_platform_admin = ?, is_tenant_admin = ?, \
     created_at = ?, updated_at = ? WHERE id = ?";

/// Inserts a group: `id`, then [`bind_group`].
pub(crate) const INSERT_GROUP: &str = concat!(
    "INSERT INTO user_groups (",
    group_columns!(),
    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
);

/// Updates a group: [`bind_group`], then `id`.
pub(crate) const UPDATE_GROUP: &str = "UPDATE user_groups SET tenant_id = ?, name = ?, \
     description = ?, group_type = ?, scaikey_group_id = ?, created_at = ?, updated_at = ? \
     WHERE id = ?";

/// Adds `user` to `group` unless it is a member already; the rows added (0 or 1).
pub(crate) async fn insert_member(
    conn: &mut Conn,
    group: GroupId,
    user: UserId,
    at: Ts,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "INSERT INTO group_members (group_id, user_id, created_at) SELECT ?, ?, ? \
         WHERE NOT EXISTS (SELECT 1 FROM group_members WHERE group_id = ? AND user_id = ?)",
    )
    .bind(group.to_string())
    .bind(user.to_string())
    .bind(at)
    .bind(group.to_string())
    .bind(user.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(done.rows_affected())
}

/// Removes `user` from `group`; the rows removed (0 or 1).
pub(crate) async fn delete_member(
    conn: &mut Conn,
    group: GroupId,
    user: UserId,
) -> sqlx::Result<u64> {
    let done = sqlx::query("DELETE FROM group_members WHERE group_id = ? AND user_id = ?")
        .bind(group.to_string())
        .bind(user.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected())
}

/// Removes every member of `group`. Explicit rather than relying on the cascade: SQLite
/// enforces foreign keys only when the connection enables them.
pub(crate) async fn delete_members_of(conn: &mut Conn, group: GroupId) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM group_members WHERE group_id = ?")
        .bind(group.to_string())
        .execute(&mut *conn)
        .await?;
    Ok(())
}
