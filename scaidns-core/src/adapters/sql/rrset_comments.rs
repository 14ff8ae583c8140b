//! RRset comments: the read, and the writes [`super::zones::write`] makes inside its
//! transaction (compiled once per engine, see `super`).
//!
//! Rows are deleted one by one by their full key, after a plain read of which exist: under the
//! zone's row lock nothing else writes them, and a keyed delete of an existing row takes no gap
//! lock on MySQL (see `super::common::delete_zone_rows` for why gap locks deadlock).

use std::collections::HashSet;

use ::sqlx::Pool;

use super::sqlx;
use super::{Conn, Db};
use crate::adapters::sql::types::{corrupt, db_err};
use crate::error::Result;
use crate::ids::ZoneId;
use crate::name::ZoneName;
use crate::record::{RecordName, RecordType};
use crate::zone::comments::{RrsetComment, RrsetComments};

/// One stored comment's key: name, type, position.
type Key = (String, String, i64);

/// Sets the comments of the RRsets in `changes`, then, when the write removed or replaced
/// records (or set comments), removes the comments of every RRset of the zone left without a
/// record (whatever removed it). A write that only inserted records skips that read: adding
/// records cannot empty an RRset.
pub(crate) async fn write(
    conn: &mut Conn,
    zone_id: ZoneId,
    changes: &[RrsetComments],
    records_removed: bool,
) -> Result<()> {
    let zone = zone_id.to_string();
    if !changes.is_empty() {
        let replaced: HashSet<(&str, &str)> = changes
            .iter()
            .map(|c| (c.name.as_str(), c.rtype.as_str()))
            .collect();
        let stored: Vec<Key> =
            sqlx::query_as("SELECT name, rtype, position FROM rrset_comments WHERE zone_id = ?")
                .bind(zone.as_str())
                .fetch_all(&mut *conn)
                .await
                .map_err(db_err)?;
        let doomed: Vec<Key> = stored
            .into_iter()
            .filter(|(name, rtype, _)| replaced.contains(&(name.as_str(), rtype.as_str())))
            .collect();
        delete(conn, &zone, &doomed).await?;
        for change in changes {
            insert(conn, &zone, change).await?;
        }
    }
    if records_removed || !changes.is_empty() {
        let orphans: Vec<Key> = sqlx::query_as(
            "SELECT c.name, c.rtype, c.position FROM rrset_comments c WHERE c.zone_id = ? \
             AND NOT EXISTS (SELECT 1 FROM records r WHERE r.zone_id = c.zone_id \
             AND r.name = c.name AND r.rtype = c.rtype)",
        )
        .bind(zone.as_str())
        .fetch_all(&mut *conn)
        .await
        .map_err(db_err)?;
        delete(conn, &zone, &orphans).await?;
    }
    Ok(())
}

async fn delete(conn: &mut Conn, zone: &str, keys: &[Key]) -> Result<()> {
    for (name, rtype, position) in keys {
        sqlx::query(
            "DELETE FROM rrset_comments WHERE zone_id = ? AND name = ? AND rtype = ? AND position = ?",
        )
        .bind(zone)
        .bind(name.as_str())
        .bind(rtype.as_str())
        .bind(*position)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

async fn insert(conn: &mut Conn, zone: &str, change: &RrsetComments) -> Result<()> {
    for (position, comment) in (0_i64..).zip(&change.comments) {
        sqlx::query(
            "INSERT INTO rrset_comments (zone_id, name, rtype, position, content, account, \
             modified_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(zone)
        .bind(change.name.as_str())
        .bind(change.rtype.as_str())
        .bind(position)
        .bind(comment.content.as_str())
        .bind(comment.account.as_str())
        .bind(comment.modified_at)
        .execute(&mut *conn)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

/// The zone's comments grouped by RRset, ordered by name, type and position.
pub(crate) async fn list(pool: &Pool<Db>, zone_id: ZoneId) -> Result<Vec<RrsetComments>> {
    type Row = (String, String, String, String, String, i64);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT z.name, c.name, c.rtype, c.content, c.account, c.modified_at \
         FROM rrset_comments c JOIN zones z ON z.id = c.zone_id \
         WHERE c.zone_id = ? ORDER BY c.name, c.rtype, c.position",
    )
    .bind(zone_id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let mut out: Vec<RrsetComments> = Vec::new();
    for (zone_name, name, rtype, content, account, modified_at) in rows {
        let comment = RrsetComment {
            content,
            account,
            modified_at,
        };
        if let Some(last) = out.last_mut()
            && last.name.as_str() == name
            && last.rtype.as_str() == rtype
        {
            last.comments.push(comment);
            continue;
        }
        let key = format!("{zone_id}/{name}/{rtype}");
        let zone = ZoneName::parse(&zone_name)
            .map_err(|e| corrupt("rrset_comments", &key, format!("zone name: {e}")))?;
        out.push(RrsetComments {
            name: RecordName::from_fqdn(&name, &zone)
                .map_err(|e| corrupt("rrset_comments", &key, format!("name: {e}")))?,
            rtype: rtype
                .parse::<RecordType>()
                .map_err(|e| corrupt("rrset_comments", &key, format!("rtype: {e}")))?,
            comments: vec![comment],
        });
    }
    Ok(out)
}
