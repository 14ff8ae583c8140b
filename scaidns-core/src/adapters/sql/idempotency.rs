//! Idempotency keys (compiled once per engine, see `super`). A claim is one `INSERT` on the
//! primary key `(principal, idem_key)`: of two racing repeats, on any replica, the database lets
//! one in and the other sees the unique violation. An expired row is taken over with one
//! conditional `UPDATE`, which again only one racer can win.

use ::sqlx::Pool;
use chrono::{DateTime, Utc};

use super::Db;
use super::sqlx;
use super::sqlx::AssertSqlSafe;
use crate::adapters::sql::types::{Ts, db_err, is_unique_violation};
use crate::error::{Error, Result};
use crate::ports::idempotency_store::{IdempotencyClaim, KeyedRequest, StoredAnswer};

#[derive(sqlx::FromRow)]
struct KeyRow {
    request_hash: String,
    expires_at: Ts,
    response_status: Option<i64>,
    response_headers: Option<String>,
    response_body: Option<Vec<u8>>,
}

pub(crate) async fn claim(
    pool: &Pool<Db>,
    request: KeyedRequest<'_>,
    now: DateTime<Utc>,
    claim_until: DateTime<Utc>,
) -> Result<IdempotencyClaim> {
    let inserted = sqlx::query(
        "INSERT INTO idempotency_keys (principal, idem_key, request_hash, expires_at) \
         VALUES (?, ?, ?, ?)",
    )
    .bind(request.principal)
    .bind(request.key)
    .bind(request.request_hash)
    .bind(Ts::from(claim_until))
    .execute(pool)
    .await;
    match inserted {
        Ok(_) => return Ok(IdempotencyClaim::Claimed),
        Err(e) if is_unique_violation(&e) => {}
        Err(e) => return Err(db_err(e)),
    }
    let row: Option<KeyRow> = sqlx::query_as(
        "SELECT request_hash, expires_at, response_status, response_headers, response_body \
         FROM idempotency_keys WHERE principal = ? AND idem_key = ?",
    )
    .bind(request.principal)
    .bind(request.key)
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    let Some(row) = row else {
        // Swept between the insert and the read: whoever inserts next owns it; say "running"
        // so the caller retries rather than running unclaimed.
        return Ok(IdempotencyClaim::InProgress);
    };
    if row.expires_at.get() <= now {
        return take_over(pool, request, now, claim_until).await;
    }
    if row.request_hash != request.request_hash {
        return Ok(IdempotencyClaim::Reused);
    }
    match row.response_status {
        None => Ok(IdempotencyClaim::InProgress),
        Some(status) => Ok(IdempotencyClaim::Answered(StoredAnswer {
            status: u16::try_from(status).map_err(|_| corrupt(request, "status"))?,
            headers: serde_json::from_str(row.response_headers.as_deref().unwrap_or("[]"))
                .map_err(|_| corrupt(request, "headers"))?,
            body: row.response_body.unwrap_or_default(),
        })),
    }
}

/// Claims an expired row: only the racer whose update still sees it expired wins.
async fn take_over(
    pool: &Pool<Db>,
    request: KeyedRequest<'_>,
    now: DateTime<Utc>,
    claim_until: DateTime<Utc>,
) -> Result<IdempotencyClaim> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET request_hash = ?, expires_at = ?, response_status = NULL, \
         response_headers = NULL, response_body = NULL \
         WHERE principal = ? AND idem_key = ? AND expires_at <= ?",
    )
    .bind(request.request_hash)
    .bind(Ts::from(claim_until))
    .bind(request.principal)
    .bind(request.key)
    .bind(Ts::from(now))
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(if done.rows_affected() == 1 {
        IdempotencyClaim::Claimed
    } else {
        IdempotencyClaim::InProgress
    })
}

fn corrupt(request: KeyedRequest<'_>, what: &str) -> Error {
    crate::adapters::sql::types::corrupt("idempotency_keys", request.key, what)
}

pub(crate) async fn finish(
    pool: &Pool<Db>,
    request: KeyedRequest<'_>,
    answer: &StoredAnswer,
    keep_until: DateTime<Utc>,
) -> Result<bool> {
    let headers = serde_json::to_string(&answer.headers)
        .map_err(|e| Error::internal(format!("answer headers: {e}")))?;
    let done = sqlx::query(
        "UPDATE idempotency_keys SET response_status = ?, response_headers = ?, \
         response_body = ?, expires_at = ? \
         WHERE principal = ? AND idem_key = ? AND request_hash = ? AND response_status IS NULL",
    )
    .bind(i64::from(answer.status))
    .bind(headers)
    .bind(answer.body.as_slice())
    .bind(Ts::from(keep_until))
    .bind(request.principal)
    .bind(request.key)
    .bind(request.request_hash)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn release(pool: &Pool<Db>, request: KeyedRequest<'_>) -> Result<()> {
    sqlx::query(
        "DELETE FROM idempotency_keys \
         WHERE principal = ? AND idem_key = ? AND request_hash = ? AND response_status IS NULL",
    )
    .bind(request.principal)
    .bind(request.key)
    .bind(request.request_hash)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Rows deleted per statement by [`expire`]: a long backlog is removed in short transactions
/// that never lock the table for long.
const EXPIRE_BATCH: usize = 500;

pub(crate) async fn expire(pool: &Pool<Db>, now: DateTime<Utc>) -> Result<u64> {
    let mut removed = 0;
    loop {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT principal, idem_key FROM idempotency_keys WHERE expires_at <= ? \
             ORDER BY expires_at LIMIT ?",
        )
        .bind(Ts::from(now))
        .bind(EXPIRE_BATCH as i64)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        if rows.is_empty() {
            return Ok(removed);
        }
        let pairs = vec!["(principal = ? AND idem_key = ?)"; rows.len()].join(" OR ");
        let sql = format!("DELETE FROM idempotency_keys WHERE expires_at <= ? AND ({pairs})");
        // Only placeholders are spliced in; every value is bound.
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(Ts::from(now));
        for (principal, key) in &rows {
            query = query.bind(principal).bind(key);
        }
        removed += query.execute(pool).await.map_err(db_err)?.rows_affected();
        if rows.len() < EXPIRE_BATCH {
            return Ok(removed);
        }
    }
}

pub(crate) async fn renew(
    pool: &Pool<Db>,
    request: KeyedRequest<'_>,
    claim_until: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE idempotency_keys SET expires_at = ? \
         WHERE principal = ? AND idem_key = ? AND request_hash = ? AND response_status IS NULL",
    )
    .bind(Ts::from(claim_until))
    .bind(request.principal)
    .bind(request.key)
    .bind(request.request_hash)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn held(
    pool: &Pool<Db>,
    principal: &str,
    key: &str,
    now: DateTime<Utc>,
) -> Result<bool> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT idem_key FROM idempotency_keys \
         WHERE principal = ? AND idem_key = ? AND expires_at > ?",
    )
    .bind(principal)
    .bind(key)
    .bind(Ts::from(now))
    .fetch_optional(pool)
    .await
    .map_err(db_err)?;
    Ok(row.is_some())
}
