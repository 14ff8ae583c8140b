//! [`Store`] and its capability traits for [`SqlStore`]: each method hands its pool to the
//! engine's copy of the query code.

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::rows::{ApiKeyKey, TenantKey, UserKey};
use super::turn_budget::BudgetedTurn;
use super::{Pools, SqlStore, mysql, postgres, sqlite};
use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::identity::api_key::ApiKey;
use crate::ids::{ApiKeyId, AuditEventId, RecordId, TenantId, UserId, ZoneId};
use crate::name::ZoneName;
use crate::ownership::Validation;
use crate::ports::store::{
    ApiKeyFilter, ApiKeyStore, ApiKeyUse, AuditFilter, AuditStore, Page, PageRequest,
    PublicationTurn, Publisher, RecordFilter, RecordHit, RecordScope, RecordStore, SettingsStore,
    Store, TenantFilter, TenantPatch, TenantStore, UserFilter, UserStore, ValidationStore,
    ZoneFilter, ZoneStore, ZoneWrite,
};
use crate::record::Record;
use crate::tenant::{Tenant, User};
use crate::zone::claims::OverlapPolicy;
use crate::zone::comments::RrsetComments;
use crate::zone::{SyncState, Zone, ZoneStatus};

#[async_trait]
impl ZoneStore for SqlStore {
    async fn write_zone_claiming(
        &self,
        write: ZoneWrite,
        overlap: OverlapPolicy,
        publisher: &dyn Publisher,
    ) -> Result<Zone> {
        dispatch!(self, zones::write(write, overlap, publisher))
    }

    async fn purge_zone(
        &self,
        zone_id: ZoneId,
        expected_generation: i64,
        audit: Vec<AuditEvent>,
        publisher: &dyn Publisher,
    ) -> Result<()> {
        dispatch!(
            self,
            zones::purge(zone_id, expected_generation, audit, publisher)
        )
    }

    async fn get_zone(&self, id: ZoneId) -> Result<Option<Zone>> {
        dispatch!(self, zones::get(id))
    }

    async fn find_overlapping_zones(&self, name: &ZoneName) -> Result<Vec<Zone>> {
        dispatch!(self, zones::find_overlapping(name))
    }

    async fn list_zones(&self, filter: &ZoneFilter, page: PageRequest) -> Result<Page<Zone>> {
        dispatch!(self, zones::list(filter, page))
    }

    async fn set_sync_state(&self, id: ZoneId, sync: &SyncState) -> Result<()> {
        dispatch!(self, zones::set_sync_state(id, sync))
    }

    async fn claim_publication(&self, id: ZoneId, generation: i64) -> Result<bool> {
        dispatch!(self, zones::claim_publication(id, generation))
    }

    async fn set_sync_state_at(
        &self,
        id: ZoneId,
        generation: i64,
        sync: &SyncState,
    ) -> Result<bool> {
        dispatch!(self, zones::set_sync_state_at(id, generation, sync))
    }

    async fn count_zones(&self) -> Result<Vec<(ZoneStatus, u64)>> {
        dispatch!(self, zones::count_by_status())
    }

    async fn publication_turn(&self, id: ZoneId) -> Result<Box<dyn PublicationTurn>> {
        let place = self.turn_budget.take().await?;
        let turn = dispatch!(self, zones::publication_turn(id))?;
        Ok(Box::new(BudgetedTurn { turn, place }))
    }

    async fn publication_turn_beside_write(
        &self,
        id: ZoneId,
    ) -> Result<Option<Box<dyn PublicationTurn>>> {
        let Some(place) = self.turn_budget.try_take_beside_write() else {
            return Ok(None);
        };
        let turn = dispatch!(self, zones::publication_turn_beside_write(id))?;
        Ok(Some(Box::new(BudgetedTurn { turn, place })))
    }
}

#[async_trait]
impl RecordStore for SqlStore {
    async fn list_records(&self, zone_id: ZoneId, filter: &RecordFilter) -> Result<Vec<Record>> {
        dispatch!(self, records::list(zone_id, filter))
    }

    async fn search_records(
        &self,
        scope: &RecordScope,
        filter: &RecordFilter,
        page: PageRequest,
    ) -> Result<Page<RecordHit>> {
        dispatch!(self, records::search(scope, filter, page))
    }

    async fn get_record(&self, zone_id: ZoneId, id: RecordId) -> Result<Option<Record>> {
        dispatch!(self, records::get(zone_id, id))
    }

    async fn count_records(&self) -> Result<u64> {
        dispatch!(self, records::count_all())
    }

    async fn list_rrset_comments(&self, zone_id: ZoneId) -> Result<Vec<RrsetComments>> {
        dispatch!(self, rrset_comments::list(zone_id))
    }
}

#[async_trait]
impl ValidationStore for SqlStore {
    async fn latest_validation(&self, zone_id: ZoneId) -> Result<Option<Validation>> {
        dispatch!(self, validations::latest(zone_id))
    }

    async fn open_validations(&self, limit: u32) -> Result<Vec<Validation>> {
        dispatch!(self, validations::open(limit))
    }
}

#[async_trait]
impl TenantStore for SqlStore {
    async fn insert_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::insert_tenant(tenant, audit))
    }

    async fn update_tenant(&self, tenant: &Tenant, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::update_tenant(tenant, audit))
    }

    async fn patch_tenant(
        &self,
        id: TenantId,
        patch: &TenantPatch,
        audit: &[AuditEvent],
    ) -> Result<()> {
        dispatch!(self, identity::patch_tenant(id, patch, audit))
    }

    async fn get_tenant(&self, id: TenantId) -> Result<Option<Tenant>> {
        dispatch!(
            self,
            identity::get_tenant_by(TenantKey::Id, &id.to_string())
        )
    }

    async fn get_tenant_by_slug(&self, slug: &str) -> Result<Option<Tenant>> {
        dispatch!(self, identity::get_tenant_by(TenantKey::Slug, slug))
    }

    async fn get_tenant_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<Tenant>> {
        dispatch!(
            self,
            identity::get_tenant_by(TenantKey::ScaikeyId, scaikey_id)
        )
    }

    async fn list_tenants(&self, filter: &TenantFilter, page: PageRequest) -> Result<Page<Tenant>> {
        dispatch!(self, identity::list_tenants(filter, page))
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::insert_user(user, audit))
    }

    async fn update_user(&self, user: &User, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::update_user(user, audit))
    }

    async fn get_user(&self, id: UserId) -> Result<Option<User>> {
        dispatch!(self, identity::get_user_by(UserKey::Id, &id.to_string()))
    }

    async fn get_user_by_email(&self, email: &str) -> Result<Option<User>> {
        dispatch!(self, identity::get_user_by(UserKey::Email, email))
    }

    async fn get_user_by_scaikey_id(&self, scaikey_id: &str) -> Result<Option<User>> {
        dispatch!(self, identity::get_user_by(UserKey::ScaikeyId, scaikey_id))
    }

    async fn list_users(
        &self,
        tenant_id: Option<TenantId>,
        page: PageRequest,
    ) -> Result<Page<User>> {
        dispatch!(self, identity::list_users(tenant_id, page))
    }

    async fn search_users(&self, filter: &UserFilter, page: PageRequest) -> Result<Page<User>> {
        dispatch!(self, identity::search_users(filter, page))
    }
}

#[async_trait]
impl ApiKeyStore for SqlStore {
    async fn insert_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::insert_api_key(key, audit))
    }

    async fn update_api_key(&self, key: &ApiKey, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::update_api_key(key, audit))
    }

    async fn delete_api_key(&self, id: ApiKeyId, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, identity::delete_api_key(id, audit))
    }

    async fn get_api_key(&self, id: ApiKeyId) -> Result<Option<ApiKey>> {
        dispatch!(
            self,
            identity::get_api_key_by(ApiKeyKey::Id, &id.to_string())
        )
    }

    async fn find_api_key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>> {
        dispatch!(self, identity::get_api_key_by(ApiKeyKey::Hash, hash))
    }

    async fn list_api_keys(
        &self,
        filter: &ApiKeyFilter,
        page: PageRequest,
    ) -> Result<Page<ApiKey>> {
        dispatch!(self, identity::list_api_keys(filter, page))
    }

    async fn record_api_key_use(
        &self,
        id: ApiKeyId,
        at: DateTime<Utc>,
        ip: Option<&str>,
    ) -> Result<()> {
        dispatch!(self, identity::record_api_key_use(id, at, ip))
    }

    async fn record_api_key_uses(&self, uses: &[ApiKeyUse]) -> Result<()> {
        dispatch!(self, identity::record_api_key_uses(uses))
    }
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn list_audit(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEvent>> {
        dispatch!(self, audit::list(filter, page))
    }

    async fn get_audit(&self, id: AuditEventId) -> Result<Option<AuditEvent>> {
        dispatch!(self, audit::get(id))
    }
}

#[async_trait]
impl SettingsStore for SqlStore {
    async fn get_setting(&self, key: &str) -> Result<Option<String>> {
        dispatch!(self, settings::get(key))
    }

    async fn put_setting(&self, key: &str, value: &str, audit: &[AuditEvent]) -> Result<()> {
        dispatch!(self, settings::put(key, value, audit))
    }

    async fn list_settings(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        dispatch!(self, settings::list(prefix))
    }

    async fn put_setting_guarded(
        &self,
        guard: (&str, Option<&str>, &str),
        key: &str,
        value: &str,
        audit: &[AuditEvent],
    ) -> Result<bool> {
        dispatch!(self, settings::put_guarded(guard, key, value, audit))
    }
}

impl SqlStore {
    /// Migrations recorded as applied; 0 before the first run (no bookkeeping table yet).
    async fn applied_migrations(&self) -> u64 {
        const COUNT: &str = "SELECT COUNT(*) FROM _sqlx_migrations WHERE success";
        let count = match &self.pool {
            Pools::MySql(pool) => sqlx::query_scalar::<_, i64>(COUNT).fetch_one(pool).await,
            Pools::Postgres(pool) => sqlx::query_scalar::<_, i64>(COUNT).fetch_one(pool).await,
            Pools::Sqlite(pool) => sqlx::query_scalar::<_, i64>(COUNT).fetch_one(pool).await,
        };
        count.map_or(0, |n| u64::try_from(n).unwrap_or(0))
    }
}

#[async_trait]
impl Store for SqlStore {
    async fn migrate(&self) -> Result<u64> {
        let before = self.applied_migrations().await;
        let result = match &self.pool {
            Pools::MySql(pool) => mysql::MIGRATOR.run(pool).await,
            Pools::Postgres(pool) => postgres::MIGRATOR.run(pool).await,
            Pools::Sqlite(pool) => sqlite::MIGRATOR.run(pool).await,
        };
        result.map_err(|e| Error::store(format!("migration failed: {e}")))?;
        Ok(self.applied_migrations().await.saturating_sub(before))
    }

    async fn health(&self) -> Result<()> {
        let result = match &self.pool {
            Pools::MySql(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Pools::Postgres(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
            Pools::Sqlite(pool) => sqlx::query("SELECT 1").execute(pool).await.map(drop),
        };
        result.map_err(super::types::db_err)
    }

    fn engine(&self) -> &'static str {
        self.engine_name()
    }
}
