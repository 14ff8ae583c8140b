//! Leases of periodic jobs (compiled once per engine, see `super`). Claiming is one conditional
//! `UPDATE`: the database decides which of several racing workers wins, on both engines, and
//! the loser sees zero rows changed.

use ::sqlx::Pool;
use chrono::{DateTime, Utc};

use super::Db;
use super::sqlx;
use crate::adapters::sql::types::{Ts, count, db_err};
use crate::error::Result;
use crate::ports::job_store::JobInfo;

#[derive(sqlx::FromRow)]
struct JobRow {
    name: String,
    next_run_at: Ts,
    lease_owner: Option<String>,
    lease_expires_at: Option<Ts>,
    last_started_at: Option<Ts>,
    last_finished_at: Option<Ts>,
    last_error: Option<String>,
    run_count: i64,
}

pub(crate) async fn ensure(pool: &Pool<Db>, name: &str, first_run: DateTime<Utc>) -> Result<()> {
    let exists: Option<String> = sqlx::query_scalar("SELECT name FROM jobs WHERE name = ?")
        .bind(name)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    if exists.is_some() {
        return Ok(());
    }
    let inserted = sqlx::query("INSERT INTO jobs (name, next_run_at, run_count) VALUES (?, ?, 0)")
        .bind(name)
        .bind(Ts::from(first_run))
        .execute(pool)
        .await;
    match inserted {
        Ok(_) => Ok(()),
        // Another worker registered it between the read and the insert.
        Err(e) if crate::adapters::sql::types::is_unique_violation(&e) => Ok(()),
        Err(e) => Err(db_err(e)),
    }
}

pub(crate) async fn claim(
    pool: &Pool<Db>,
    name: &str,
    owner: &str,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
) -> Result<bool> {
    let now = Ts::from(now);
    let done = sqlx::query(
        "UPDATE jobs SET lease_owner = ?, lease_expires_at = ?, last_started_at = ?, \
         run_count = run_count + 1 \
         WHERE name = ? AND next_run_at <= ? AND (lease_owner IS NULL OR lease_expires_at <= ?)",
    )
    .bind(owner)
    .bind(Ts::from(lease_until))
    .bind(now)
    .bind(name)
    .bind(now)
    .bind(now)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn renew(
    pool: &Pool<Db>,
    name: &str,
    owner: &str,
    lease_until: DateTime<Utc>,
) -> Result<bool> {
    let done =
        sqlx::query("UPDATE jobs SET lease_expires_at = ? WHERE name = ? AND lease_owner = ?")
            .bind(Ts::from(lease_until))
            .bind(name)
            .bind(owner)
            .execute(pool)
            .await
            .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn finish(
    pool: &Pool<Db>,
    name: &str,
    owner: &str,
    finished_at: DateTime<Utc>,
    next_run_at: DateTime<Utc>,
    error: Option<&str>,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE jobs SET lease_owner = NULL, lease_expires_at = NULL, last_finished_at = ?, \
         next_run_at = ?, last_error = ? WHERE name = ? AND lease_owner = ?",
    )
    .bind(Ts::from(finished_at))
    .bind(Ts::from(next_run_at))
    .bind(error)
    .bind(name)
    .bind(owner)
    .execute(pool)
    .await
    .map_err(db_err)?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn list(pool: &Pool<Db>) -> Result<Vec<JobInfo>> {
    let rows: Vec<JobRow> = sqlx::query_as(
        "SELECT name, next_run_at, lease_owner, lease_expires_at, last_started_at, \
         last_finished_at, last_error, run_count FROM jobs ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|r| JobInfo {
            name: r.name,
            next_run_at: r.next_run_at.get(),
            lease_owner: r.lease_owner,
            lease_expires_at: r.lease_expires_at.map(Ts::get),
            last_started_at: r.last_started_at.map(Ts::get),
            last_finished_at: r.last_finished_at.map(Ts::get),
            last_error: r.last_error,
            run_count: count(r.run_count),
        })
        .collect())
}
