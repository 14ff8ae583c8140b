//! The usual record change, ready to be written in one step (compiled for SQLite and
//! PostgreSQL, see `super`): what `zones::write`'s transaction would write, as the values of
//! its own statements, for an engine that can send them all at once (`super::sqlite_one_step`,
//! one hand-off to the connection's thread; `super::postgres_one_step`, one statement).
//!
//! The usual record change is new records, audit entries and a history entry on a zone row whose
//! keys stay as they are, with nothing to publish inside the transaction: no record replaced or
//! deleted (so no RRset comment to tidy), no comment, no validation. Anything else is left to
//! the transaction, and so is what an engine finds only while writing: a zone that is not at the
//! expected generation, status, tenant and name (404 or 409 there), a record that duplicates one
//! the zone holds (named in the 409 there), and a tenant with an active webhook subscription
//! (`webhooks::outbox` writes its events there). A step that finds one of those writes nothing.

use std::collections::BTreeSet;

use super::{audit, records, webhooks, zone_history, zones};
use crate::adapters::sql::rows::content_hash;
use crate::adapters::sql::types::Arg;
use crate::error::Result;
use crate::ids::TenantId;
use crate::ports::store::{Publisher, ZoneWrite};
use crate::zone::history::HistoryEntry;

/// The values of the usual record change's statements.
pub(crate) struct OneStep {
    /// Tenants with events for the outbox: an active subscription of one sends the write to
    /// the transaction.
    pub(crate) notifying_tenants: BTreeSet<TenantId>,
    /// The values of `zones::UPDATE_UNLESS_STALE`.
    pub(crate) zone_update: Vec<Arg>,
    /// The new records' rows (`records::INSERT_COLUMNS`).
    pub(crate) records: Rows,
    /// The audit entries' rows (`audit_columns!`).
    pub(crate) audit: Rows,
    /// The history entry's row (`zone_history::COLUMNS`).
    pub(crate) history: Rows,
}

/// The values of `count` rows of an `INSERT`, row after row.
pub(crate) struct Rows {
    pub(crate) args: Vec<Arg>,
    count: usize,
}

impl Rows {
    fn of<const COLUMNS: usize>(rows: impl IntoIterator<Item = [Arg; COLUMNS]>) -> Self {
        let mut args = Vec::new();
        let mut count = 0;
        for row in rows {
            args.extend(row);
            count += 1;
        }
        Self { args, count }
    }

    /// One row of `args`.
    fn one(args: Vec<Arg>) -> Self {
        Self { args, count: 1 }
    }

    /// The rows' placeholders, `(?, ?), (?, ?)`; `None` for no row.
    pub(crate) fn placeholders(&self) -> Option<String> {
        let columns = self.args.len().checked_div(self.count)?;
        let row = format!("({})", vec!["?"; columns].join(", "));
        Some(vec![row; self.count].join(", "))
    }
}

impl OneStep {
    /// The values of `write` when it is the usual record change (see the module docs).
    pub(crate) fn of(write: &ZoneWrite, publisher: &dyn Publisher) -> Result<Option<Self>> {
        let Some(expected) = write
            .expected_generation
            .filter(|expected| write.zone.generation == expected + 1)
        else {
            return Ok(None);
        };
        let usual = !publisher.publishes()
            && write.upsert_records.is_empty()
            && write.delete_records.is_empty()
            && write.comments.is_empty()
            && write.validations.is_empty()
            && write.new_records.len() <= records::ROWS_PER_INSERT
            && write.audit.len() <= audit::ROWS_PER_INSERT;
        if !usual {
            return Ok(None);
        }
        let history = HistoryEntry::of_step(&write.zone, &write.audit, write.changes.clone());
        Ok(Some(Self {
            notifying_tenants: write
                .audit
                .iter()
                .filter_map(|e| webhooks::outbox_event(e).map(|(_, tenant)| tenant))
                .collect(),
            zone_update: zones::update_unless_stale_args(&write.zone, expected)?,
            records: Rows::of(
                write
                    .new_records
                    .iter()
                    .map(|r| records::record_args(r, &content_hash(&r.content))),
            ),
            audit: Rows::of(
                write
                    .audit
                    .iter()
                    .map(audit::audit_args)
                    .collect::<Result<Vec<_>>>()?,
            ),
            history: Rows::one(zone_history::history_args(&history)?),
        }))
    }
}

/// What the engines' tests of the usual record change share.
#[cfg(test)]
pub(crate) mod fixtures {
    use ::sqlx::Pool;
    use chrono::{DateTime, TimeZone, Utc};
    use serde_json::json;

    use super::super::Db;
    use super::super::sqlx;
    use crate::adapters::sql::types::Ts;
    use crate::audit::{ActorType, AuditEvent};
    use crate::error::Result;
    use crate::ids::{AuditEventId, RecordId, TenantId, ZoneId};
    use crate::name::ZoneName;
    use crate::ports::store::{PublishOutcome, Publisher, ZoneWrite};
    use crate::record::{Record, RecordContent, RecordName, RecordType, Ttl};
    use crate::zone::change_set::RrSetDelta;
    use crate::zone::{DomainType, SyncState, SyncStatus, Zone, ZoneStatus};

    pub(crate) fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 4, 5, 6, 7).unwrap() + chrono::Duration::microseconds(123_456)
    }

    pub(crate) fn zone(tenant: TenantId) -> Zone {
        Zone {
            id: ZoneId::new(),
            tenant_id: tenant,
            name: ZoneName::parse("one-step.example").unwrap(),
            domain_type: DomainType::Primary,
            status: ZoneStatus::Active,
            status_before_delete: None,
            default_ttl: Ttl::new(3600).unwrap(),
            description: None,
            settings: json!({"float": 985.6906946328695}),
            dnssec_enabled: false,
            generation: 1,
            sync: SyncState {
                status: SyncStatus::Pending,
                error: None,
                last_synced_at: None,
            },
            created_at: t0(),
            updated_at: t0(),
            deleted_at: None,
            secondary: None,
        }
    }

    pub(crate) fn record(zone: &Zone, name: &str, rtype: RecordType, content: &str) -> Record {
        Record {
            id: RecordId::new(),
            zone_id: zone.id,
            name: RecordName::parse(name, &zone.name).unwrap(),
            content: RecordContent::parse(rtype, content, &zone.name).unwrap(),
            ttl: Ttl::new(300).unwrap(),
            disabled: true,
            system: false,
            created_at: t0(),
            updated_at: t0(),
        }
    }

    pub(crate) fn event(zone: &Zone, action: &str) -> AuditEvent {
        AuditEvent {
            id: AuditEventId::new(),
            tenant_id: Some(zone.tenant_id),
            actor_type: ActorType::ApiKey,
            actor_id: Some("key-1".into()),
            actor_email: None,
            action: action.into(),
            resource_type: "record".into(),
            resource_id: Some(zone.id.to_string()),
            resource_name: Some("www.one-step.example".into()),
            before: None,
            after: Some(json!({"content": "192.0.2.1", "ttl": 300})),
            ip_address: Some("198.51.100.7".into()),
            user_agent: Some("test".into()),
            request_id: Some("req-1".into()),
            created_at: t0(),
        }
    }

    /// The zone's creation, then the usual record change of it: two new records, a
    /// description and a sync state (NULLs and text, integers, booleans and timestamps).
    pub(crate) fn writes(tenant: TenantId) -> (ZoneWrite, ZoneWrite) {
        let created = zone(tenant);
        let create = ZoneWrite {
            zone: created.clone(),
            expected_generation: None,
            new_records: Vec::new(),
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: Vec::new(),
            audit: vec![event(&created, "domain.create")],
            changes: Vec::new(),
            comments: Vec::new(),
        };
        let mut next = created.clone();
        next.generation = 2;
        next.updated_at = t0() + chrono::Duration::seconds(1);
        next.description = Some("changed".into());
        next.sync.last_synced_at = Some(t0());
        let www = record(&created, "www", RecordType::A, "192.0.2.1");
        let mx = record(&created, "@", RecordType::MX, "10 mail.one-step.example.");
        let change = ZoneWrite {
            zone: next,
            expected_generation: Some(1),
            new_records: vec![www.clone(), mx],
            upsert_records: Vec::new(),
            delete_records: Vec::new(),
            validations: Vec::new(),
            audit: vec![event(&created, "record.create")],
            changes: vec![RrSetDelta {
                name: "www.one-step.example.".into(),
                rtype: RecordType::A,
                before: None,
                after: None,
            }],
            comments: Vec::new(),
        };
        (create, change)
    }

    /// Publishes nothing, but says it may: the store must take its transaction.
    pub(crate) struct MayPublish;

    #[async_trait::async_trait]
    impl Publisher for MayPublish {
        async fn publish(&self) -> Result<PublishOutcome> {
            Ok(PublishOutcome::Skipped)
        }
    }

    /// A webhook subscription of `tenant` to every event, with `status` and `active`, as raw
    /// SQL.
    pub(crate) async fn subscribe(pool: &Pool<Db>, tenant: TenantId, status: &str, active: bool) {
        sqlx::query(
            "INSERT INTO outbound_webhook_subscriptions (id, tenant_id, url, events, active, \
             status, secret, created_at, updated_at) \
             VALUES (?, ?, 'https://hooks.example/', '[\"*\"]', ?, ?, 'x', ?, ?)",
        )
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(tenant.to_string())
        .bind(active)
        .bind(status)
        .bind(Ts::from(t0()))
        .bind(Ts::from(t0()))
        .execute(pool)
        .await
        .unwrap();
    }

    /// `change` rebased on `zone` (the next generation), with audit entries of its own.
    pub(crate) fn after(zone: &Zone, change: &ZoneWrite) -> ZoneWrite {
        let mut next = change.clone();
        next.expected_generation = Some(zone.generation);
        next.zone.generation = zone.generation + 1;
        for event in &mut next.audit {
            event.id = AuditEventId::new();
        }
        next
    }

    /// Publishes nothing and says so, but fails the test if asked to.
    pub(crate) struct NeverAsked;

    #[async_trait::async_trait]
    impl Publisher for NeverAsked {
        async fn publish(&self) -> Result<PublishOutcome> {
            panic!("a write that needs no publication called its publisher")
        }

        fn publishes(&self) -> bool {
            false
        }
    }
}
