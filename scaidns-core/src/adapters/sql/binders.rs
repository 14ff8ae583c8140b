//! The values of the identity rows in column order, bound once for every statement that writes
//! them: the single-row writes of `identity.rs` and `groups.rs` and the batches of
//! `identity_batch.rs` (compiled once per engine, see `super`). Each binder leaves `id` out, so
//! an INSERT binds it first (as the `*_columns!` lists start with it) and an UPDATE last.

use sqlx::Database;
use sqlx::query::Query;

use super::Db;
use crate::adapters::sql::types::Ts;
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
