//! DNSSEC key metadata (compiled once per engine, see `super`). A write locks the zone row
//! (`super::LOCK_ZONE`), compares the stored key ids with the ones the caller read, and only
//! then changes keys, the zone's flag and the audit log in one transaction.

use std::collections::BTreeSet;

use ::sqlx::Pool;

use super::common::finish;
use super::sqlx;
use super::{Conn, Db, audit};
use crate::adapters::sql::types::{Ts, corrupt, db_err, ts_opt};
use crate::dnssec::KeyRole;
use crate::dnssec::{DnssecKey, DsRecord, KeyState};
use crate::error::{Error, Result};
use crate::ids::{DnssecKeyId, ZoneId};
use crate::ports::dnssec_key_store::DnssecKeyWrite;

const COLUMNS: &str = "id, zone_id, role, backend_key_id, algorithm, bits, key_tag, dnskey, ds, \
     state, ds_confirmed_at, published_at, activated_at, activate_at, retire_at, expires_at, \
     created_at, updated_at";

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    zone_id: String,
    role: String,
    backend_key_id: i64,
    algorithm: i64,
    bits: i64,
    key_tag: i64,
    dnskey: String,
    ds: String,
    state: String,
    ds_confirmed_at: Option<Ts>,
    published_at: Option<Ts>,
    activated_at: Option<Ts>,
    activate_at: Option<Ts>,
    retire_at: Option<Ts>,
    expires_at: Option<Ts>,
    created_at: Ts,
    updated_at: Ts,
}

impl KeyRow {
    fn into_model(self) -> Result<DnssecKey> {
        let bad = |column: &str, detail: &dyn std::fmt::Display| {
            corrupt("dnssec_keys", &self.id, format!("{column}: {detail}"))
        };
        let role = match self.role.as_str() {
            "ksk" => KeyRole::Ksk,
            "zsk" => KeyRole::Zsk,
            "csk" => KeyRole::Csk,
            other => return Err(bad("role", &other)),
        };
        let ds: Vec<DsRecord> = serde_json::from_str(&self.ds).map_err(|e| bad("ds", &e))?;
        Ok(DnssecKey {
            id: self.id.parse().map_err(|e: Error| bad("id", &e))?,
            zone_id: self
                .zone_id
                .parse()
                .map_err(|e: Error| bad("zone_id", &e))?,
            role,
            backend_id: u32::try_from(self.backend_key_id)
                .map_err(|e| bad("backend_key_id", &e))?,
            algorithm: u8::try_from(self.algorithm).map_err(|e| bad("algorithm", &e))?,
            bits: u32::try_from(self.bits).map_err(|e| bad("bits", &e))?,
            key_tag: u16::try_from(self.key_tag).map_err(|e| bad("key_tag", &e))?,
            dnskey: self.dnskey.clone(),
            ds,
            state: self
                .state
                .parse::<KeyState>()
                .map_err(|e| bad("state", &e))?,
            ds_confirmed_at: self.ds_confirmed_at.map(Ts::get),
            published_at: self.published_at.map(Ts::get),
            activated_at: self.activated_at.map(Ts::get),
            activate_at: self.activate_at.map(Ts::get),
            retire_at: self.retire_at.map(Ts::get),
            expires_at: self.expires_at.map(Ts::get),
            created_at: self.created_at.get(),
            updated_at: self.updated_at.get(),
        })
    }
}

fn role_text(role: KeyRole) -> &'static str {
    match role {
        KeyRole::Ksk => "ksk",
        KeyRole::Zsk => "zsk",
        KeyRole::Csk => "csk",
    }
}

pub(crate) async fn list(pool: &Pool<Db>, zone_id: ZoneId) -> Result<Vec<DnssecKey>> {
    let sql =
        format!("SELECT {COLUMNS} FROM dnssec_keys WHERE zone_id = ? ORDER BY created_at, id");
    let rows: Vec<KeyRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(zone_id.to_string())
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(KeyRow::into_model).collect()
}

pub(crate) async fn zones_with_keys(pool: &Pool<Db>) -> Result<Vec<ZoneId>> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT zone_id FROM dnssec_keys ORDER BY zone_id")
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    ids.iter()
        .map(|id| {
            id.parse()
                .map_err(|e: Error| corrupt("dnssec_keys", id, format!("zone_id: {e}")))
        })
        .collect()
}

pub(crate) async fn write(pool: &Pool<Db>, write: DnssecKeyWrite) -> Result<()> {
    if let Some(other) = write.upsert.iter().find(|k| k.zone_id != write.zone_id) {
        return Err(Error::internal(format!(
            "DNSSEC key {} belongs to another zone",
            other.id
        )));
    }
    let mut tx = super::begin_write(pool).await.map_err(db_err)?;
    let result = write_in(&mut tx, &write).await;
    finish(tx, result).await
}

async fn write_in(conn: &mut Conn, write: &DnssecKeyWrite) -> Result<()> {
    let zone = write.zone_id.to_string();
    let locked: Option<i64> = sqlx::query_scalar(super::LOCK_ZONE)
        .bind(&zone)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_err)?;
    let Some(generation) = locked else {
        return Err(Error::not_found("Domain not found"));
    };
    write.if_match.check(generation)?;
    let stored: BTreeSet<String> =
        sqlx::query_scalar::<_, String>("SELECT id FROM dnssec_keys WHERE zone_id = ?")
            .bind(&zone)
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?
            .into_iter()
            .collect();
    let expected: BTreeSet<String> = write.expected.iter().map(DnssecKeyId::to_string).collect();
    if stored != expected {
        return Err(Error::conflict(
            "dnssec_changed",
            "the zone's DNSSEC keys were changed by another request; reload and retry",
        ));
    }
    let replaced = write
        .upsert
        .iter()
        .map(|k| k.id)
        .chain(write.delete.iter().copied());
    for id in replaced {
        sqlx::query("DELETE FROM dnssec_keys WHERE zone_id = ? AND id = ?")
            .bind(&zone)
            .bind(id.to_string())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
    }
    for k in &write.upsert {
        insert(conn, k).await?;
    }
    if let Some(enabled) = write.dnssec_enabled {
        sqlx::query(
            "UPDATE zones SET dnssec_enabled = ?, generation = generation + 1, updated_at = ? \
             WHERE id = ?",
        )
        .bind(enabled)
        .bind(Ts::from(write.now))
        .bind(&zone)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    audit::insert(conn, &write.audit).await
}

async fn insert(conn: &mut Conn, k: &DnssecKey) -> Result<()> {
    let ds = serde_json::to_string(&k.ds)
        .map_err(|e| Error::internal(format!("cannot encode DS records: {e}")))?;
    let sql = format!(
        "INSERT INTO dnssec_keys ({COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    );
    sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(k.id.to_string())
        .bind(k.zone_id.to_string())
        .bind(role_text(k.role))
        .bind(i64::from(k.backend_id))
        .bind(i64::from(k.algorithm))
        .bind(i64::from(k.bits))
        .bind(i64::from(k.key_tag))
        .bind(k.dnskey.as_str())
        .bind(ds)
        .bind(k.state.as_str())
        .bind(ts_opt(k.ds_confirmed_at))
        .bind(ts_opt(k.published_at))
        .bind(ts_opt(k.activated_at))
        .bind(ts_opt(k.activate_at))
        .bind(ts_opt(k.retire_at))
        .bind(ts_opt(k.expires_at))
        .bind(Ts::from(k.created_at))
        .bind(Ts::from(k.updated_at))
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    Ok(())
}
