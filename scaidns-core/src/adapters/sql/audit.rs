//! The audit log: entries are inserted inside other writes' transactions and read newest first
//! (compiled once per engine, see `super`).

use ::sqlx::{Pool, QueryBuilder};

use super::dynamic_query::{self, page};
use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::rows::{AuditRow, audit_columns, json_text, models};
use crate::adapters::sql::types::{Arg, Filter, Ts, db_err};
use crate::audit::AuditEvent;
use crate::error::Result;
use crate::ids::AuditEventId;
use crate::paging::{Page, PageRequest};
use crate::ports::store::AuditFilter;

/// Rows per `INSERT`: 15 binds each stays well under every engine's bind limit.
pub(crate) const ROWS_PER_INSERT: usize = 500;

/// Inserts `events` on `conn` (inside the caller's transaction), one statement for up to
/// [`ROWS_PER_INSERT`] entries: a change's audit rows cost one round trip, not one each; then
/// the change's webhook events (`webhooks::outbox`).
pub(crate) async fn insert(conn: &mut Conn, events: &[AuditEvent]) -> Result<()> {
    for chunk in events.chunks(ROWS_PER_INSERT) {
        let rows = chunk.iter().map(audit_args).collect::<Result<Vec<_>>>()?;
        let mut query: QueryBuilder<Db> = QueryBuilder::new(concat!(
            "INSERT INTO audit_events (",
            audit_columns!(),
            ") "
        ));
        query.push_values(rows, |mut b, args| dynamic_query::push_row(&mut b, args));
        query.build().execute(&mut *conn).await.map_err(db_err)?;
    }
    // The outbox: every change writes its audit entries here, in its own transaction, so its
    // webhook events commit (or vanish) with it, whichever path made the change.
    super::webhooks::outbox(conn, events).await
}

/// An audit row's values, in `audit_columns!` order.
pub(crate) fn audit_args(e: &AuditEvent) -> Result<[Arg; 15]> {
    Ok([
        Arg::Text(e.id.to_string()),
        Arg::OptText(e.tenant_id.map(|t| t.to_string())),
        Arg::Text(e.actor_type.as_str().to_owned()),
        Arg::OptText(e.actor_id.clone()),
        Arg::OptText(e.actor_email.clone()),
        Arg::Text(e.action.clone()),
        Arg::Text(e.resource_type.clone()),
        Arg::OptText(e.resource_id.clone()),
        Arg::OptText(e.resource_name.clone()),
        Arg::OptText(e.before.as_ref().map(json_text).transpose()?),
        Arg::OptText(e.after.as_ref().map(json_text).transpose()?),
        Arg::OptText(e.ip_address.clone()),
        Arg::OptText(e.user_agent.clone()),
        Arg::OptText(e.request_id.clone()),
        Arg::Ts(Ts::from(e.created_at)),
    ])
}

pub(crate) async fn list(
    pool: &Pool<Db>,
    filter: &AuditFilter,
    page_req: PageRequest,
) -> Result<Page<AuditEvent>> {
    let mut f = Filter::default();
    if let Some(tenant) = filter.tenant_id {
        f.and("tenant_id = ?", [Arg::Text(tenant.to_string())]);
    }
    let exact = [
        ("action", &filter.action),
        ("resource_type", &filter.resource_type),
        ("resource_id", &filter.resource_id),
        ("actor_id", &filter.actor_id),
    ];
    for (column, value) in exact {
        if let Some(value) = value {
            f.and(format!("{column} = ?"), [Arg::Text(value.clone())]);
        }
    }
    if let Some(actor_type) = filter.actor_type {
        f.and(
            "actor_type = ?",
            [Arg::Text(actor_type.as_str().to_owned())],
        );
    }
    if let Some(since) = filter.since {
        f.and("created_at >= ?", [Arg::Ts(since.into())]);
    }
    if let Some(until) = filter.until {
        f.and("created_at < ?", [Arg::Ts(until.into())]);
    }
    let (rows, total) = page::<AuditRow>(
        pool,
        "audit_events",
        audit_columns!(),
        f,
        "created_at DESC, id DESC",
        page_req,
    )
    .await?;
    Ok(Page {
        items: models(rows, AuditRow::into_model)?,
        total,
    })
}

pub(crate) async fn get(pool: &Pool<Db>, id: AuditEventId) -> Result<Option<AuditEvent>> {
    let row: Option<AuditRow> = sqlx::query_as(concat!(
        "SELECT ",
        audit_columns!(),
        " FROM audit_events WHERE id = ?"
    ))
    .bind(id.to_string())
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    row.map(AuditRow::into_model).transpose()
}
