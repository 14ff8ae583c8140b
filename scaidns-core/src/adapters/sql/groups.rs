//! Groups, memberships, partners and identity batches (compiled once per engine, see `super`).
//! Each write commits with its audit entries in one transaction.

use ::sqlx::Pool;
use chrono::Utc;

use super::common::{finish, run_one, write_one};
use super::dynamic_query;
use super::identity_writes::{
    INSERT_GROUP, UPDATE_GROUP, bind_group, delete_member, delete_members_of, insert_member,
};
use super::sqlx;
use super::{Conn, Db, audit};
use crate::adapters::sql::identity_cache_rows::{GroupKey, GroupRow, group_columns};
use crate::adapters::sql::rows::models;
use crate::adapters::sql::types::{Arg, Filter, Ts, db_err, is_unique_violation};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::{GroupId, TenantId, UserId};
use crate::paging::{Page, PageRequest};
use crate::tenant::Group;

fn group_exists() -> Error {
    Error::conflict("group_exists", "Group already exists")
}

fn group_missing() -> Error {
    Error::not_found("Group not found")
}

// ----- groups -----

pub(crate) async fn insert_group(
    pool: &Pool<Db>,
    group: &Group,
    events: &[AuditEvent],
) -> Result<()> {
    let query = bind_group(sqlx::query(INSERT_GROUP).bind(group.id.to_string()), group);
    write_one(pool, query, events, group_exists, None).await
}

pub(crate) async fn update_group(
    pool: &Pool<Db>,
    group: &Group,
    events: &[AuditEvent],
) -> Result<()> {
    let query = bind_group(sqlx::query(UPDATE_GROUP), group).bind(group.id.to_string());
    write_one(pool, query, events, group_exists, Some(group_missing())).await
}

pub(crate) async fn delete_group(
    pool: &Pool<Db>,
    id: GroupId,
    events: &[AuditEvent],
) -> Result<()> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = delete_group_in(&mut tx, id, events).await;
    finish(tx, result).await
}

async fn delete_group_in(conn: &mut Conn, id: GroupId, events: &[AuditEvent]) -> Result<()> {
    delete_members_of(conn, id).await.map_err(db_err)?;
    let query = sqlx::query("DELETE FROM user_groups WHERE id = ?").bind(id.to_string());
    run_one(conn, query, events, group_exists, Some(group_missing())).await
}

pub(crate) async fn get_group_by(
    pool: &Pool<Db>,
    key: GroupKey,
    value: &str,
) -> Result<Option<Group>> {
    let sql = match key {
        GroupKey::Id => concat!(
            "SELECT ",
            group_columns!(),
            " FROM user_groups WHERE id = ?"
        ),
        GroupKey::ScaikeyId => concat!(
            "SELECT ",
            group_columns!(),
            " FROM user_groups WHERE scaikey_group_id = ?"
        ),
    };
    let row: Option<GroupRow> = sqlx::query_as(sql)
        .bind(value)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(GroupRow::into_model).transpose()
}

pub(crate) async fn list_groups(
    pool: &Pool<Db>,
    tenant_id: Option<TenantId>,
    page: PageRequest,
) -> Result<Page<Group>> {
    let mut f = Filter::default();
    if let Some(tenant) = tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    let (rows, total) =
        dynamic_query::page::<GroupRow>(pool, "user_groups", group_columns!(), f, "name, id", page)
            .await?;
    Ok(Page {
        items: models(rows, GroupRow::into_model)?,
        total,
    })
}

// ----- memberships -----

pub(crate) async fn add_member(
    pool: &Pool<Db>,
    group: GroupId,
    user: UserId,
    events: &[AuditEvent],
) -> Result<bool> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = add_member_in(&mut tx, group, user, events).await;
    finish(tx, result).await
}

async fn add_member_in(
    conn: &mut Conn,
    group: GroupId,
    user: UserId,
    events: &[AuditEvent],
) -> Result<bool> {
    let exists: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_groups WHERE id = ?")
        .bind(group.to_string())
        .fetch_one(&mut *conn)
        .await
        .map_err(db_err)?;
    if exists == 0 {
        return Err(group_missing());
    }
    let inserted = insert_member(conn, group, user, Ts::from(Utc::now())).await;
    let added = match inserted {
        Ok(added) => added > 0,
        // A concurrent writer added it first (MySQL only; SQLite writers are serialised).
        Err(e) if is_unique_violation(&e) => false,
        Err(e) => return Err(db_err(e)),
    };
    if added {
        audit::insert(conn, events).await?;
    }
    Ok(added)
}

pub(crate) async fn remove_member(
    pool: &Pool<Db>,
    group: GroupId,
    user: UserId,
    events: &[AuditEvent],
) -> Result<bool> {
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = remove_member_in(&mut tx, group, user, events).await;
    finish(tx, result).await
}

async fn remove_member_in(
    conn: &mut Conn,
    group: GroupId,
    user: UserId,
    events: &[AuditEvent],
) -> Result<bool> {
    let removed = delete_member(conn, group, user).await.map_err(db_err)? > 0;
    if removed {
        audit::insert(conn, events).await?;
    }
    Ok(removed)
}

fn parse_ids<T: std::str::FromStr>(table: &str, ids: Vec<String>) -> Result<Vec<T>> {
    ids.into_iter()
        .map(|id| {
            id.parse()
                .map_err(|_| crate::adapters::sql::types::corrupt(table, &id, "not a UUID"))
        })
        .collect()
}

pub(crate) async fn member_ids(pool: &Pool<Db>, group: GroupId) -> Result<Vec<UserId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT user_id FROM group_members WHERE group_id = ? ORDER BY user_id")
            .bind(group.to_string())
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    parse_ids("group_members", ids)
}

pub(crate) async fn user_group_ids(pool: &Pool<Db>, user: UserId) -> Result<Vec<GroupId>> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT group_id FROM group_members WHERE user_id = ? ORDER BY group_id",
    )
    .bind(user.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    parse_ids("group_members", ids)
}
