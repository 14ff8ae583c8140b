//! The embedded [`DnsBackend`]: zones held in memory and answered over UDP and TCP by this
//! process, for development and small single-node installs (interface decision 2).
//!
//! **Persistence.** Nothing is written to disk. The application database holds the intended
//! state of every zone; at start-up the server re-publishes every active zone from the store
//! into this backend, so in-memory published state is enough.
//!
//! **Serial.** The backend owns the SOA serial (the store's is a placeholder): a new zone starts
//! at `YYYYMMDD01` and every successful change moves it on by PowerDNS's SOA-EDIT-API `DEFAULT`
//! rule, so both backends number versions alike. The served SOA and [`DnsBackend::get_zone`]
//! carry this serial whatever the content says.
//!
//! **Answers** come from hickory-server's catalog and in-memory zone handler, rebuilt for a zone
//! whenever it changes:
//! - authoritative answers (AA) for names in served zones; the most specific zone wins;
//! - a CNAME at the name is returned for other types, followed inside the zone
//!   (RFC 1034 §3.6.2);
//! - NODATA and NXDOMAIN carry the zone's SOA in the authority section (RFC 2308 §2-3);
//!   empty non-terminals are NODATA;
//! - wildcards (RFC 4592) are matched when the exact name has no RRset of the asked type (basic:
//!   hickory also applies a wildcard below an existing name that lacks the type, where RFC 4592
//!   §3.3.1 would answer NODATA);
//! - NS below the apex is a delegation: the NS RRset comes back as a referral in the authority
//!   section (hickory keeps AA set on referrals, unlike RFC 1034 §4.3.2 — resolvers ignore it);
//!   DS at the delegation point is answered from the parent;
//! - names outside every zone are REFUSED; disabled records are not served; AXFR is refused.
//!
//! **ALIAS** records are stored and returned by `get_zone`; with an [`AliasResolver`]
//! ([`EmbeddedBackend::with_alias_resolver`]) A and AAAA queries at an ALIAS name are answered
//! with the target's addresses (see [`alias`] for when they are looked up). Without one,
//! address queries there get NODATA (the name exists; only a query for the private ALIAS type
//! code 65401 sees the target).
//!
//! **Checks.** Changes that PowerDNS would refuse with 422 and that would make answers wrong are
//! refused here too (unparseable content, names outside the zone, no SOA, CNAME beside other
//! data, several CNAMEs); a refused change leaves the zone as it was. DNSSEC is not supported.

pub mod alias;
mod rdata;
mod server;
mod zones;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, PoisonError, RwLock as StdRwLock};

use async_trait::async_trait;
use chrono::Datelike;
use hickory_server::proto::rr::{LowerName, Name};
use hickory_server::zone_handler::Catalog;
use tokio::sync::{Mutex, RwLock};

pub use alias::AliasResolver;
pub use server::EmbeddedServerHandle;
use zones::{ZoneData, next_serial};

use crate::name::ZoneName;
use crate::ports::backend::{BackendError, BackendErrorKind, DnsBackend, ZoneSpec};
use crate::ports::clock::{Clock, SystemClock};
use crate::zone::{RrSet, RrSetChange};

/// The embedded backend. Cheap to clone; clones share the zones and every listener.
#[derive(Clone)]
pub struct EmbeddedBackend {
    zones: Arc<StdRwLock<BTreeMap<ZoneName, ZoneData>>>,
    catalog: Arc<RwLock<Catalog>>,
    /// Serialises writers so the zone map and the catalog change together.
    writes: Arc<Mutex<()>>,
    clock: Arc<dyn Clock>,
    alias: Option<Arc<AliasResolver>>,
}

impl std::fmt::Debug for EmbeddedBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let zones = self.zones.read().map(|z| z.len()).unwrap_or_default();
        f.debug_struct("EmbeddedBackend")
            .field("zones", &zones)
            .finish_non_exhaustive()
    }
}

impl Default for EmbeddedBackend {
    fn default() -> Self {
        Self::new()
    }
}

impl EmbeddedBackend {
    /// An empty backend using the system clock for serials.
    pub fn new() -> Self {
        Self::with_clock(Arc::new(SystemClock))
    }

    /// An empty backend taking the date for `YYYYMMDDnn` serials from `clock`.
    pub fn with_clock(clock: Arc<dyn Clock>) -> Self {
        Self {
            zones: Arc::new(StdRwLock::new(BTreeMap::new())),
            catalog: Arc::new(RwLock::new(Catalog::new())),
            writes: Arc::new(Mutex::new(())),
            clock,
            alias: None,
        }
    }

    /// Expands ALIAS records through `alias` (PowerDNS's `expand-alias=yes` with `resolver=`).
    #[must_use]
    pub fn with_alias_resolver(mut self, alias: AliasResolver) -> Self {
        self.alias = Some(Arc::new(alias));
        self
    }

    /// Looks every ALIAS target up again and serves the new addresses (zones without ALIAS
    /// records are left alone).
    pub async fn refresh_aliases(&self) -> Result<(), BackendError> {
        if self.alias.is_none() {
            return Ok(());
        }
        let _writing = self.writes.lock().await;
        let with_aliases: Vec<(ZoneName, ZoneData)> = self
            .zones
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|(_, data)| !data.aliases().is_empty())
            .map(|(zone, data)| (zone.clone(), data.clone()))
            .collect();
        for (zone, data) in with_aliases {
            self.publish(&zone, data).await?;
        }
        Ok(())
    }

    /// Starts answering DNS on `addr` over UDP and TCP (port 0 picks a free port, the same for
    /// both). Several listeners may serve the same backend.
    pub async fn serve(&self, addr: SocketAddr) -> Result<EmbeddedServerHandle, BackendError> {
        server::serve(Arc::clone(&self.catalog), addr).await
    }

    fn today(&self) -> u32 {
        let now = self.clock.now();
        let year = u32::try_from(now.year()).unwrap_or_default();
        year * 10_000 + now.month() * 100 + now.day()
    }

    fn serial_of(&self, zone: &ZoneName) -> Option<u32> {
        self.zones
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(zone)
            .map(|z| z.serial)
    }

    /// Serves `data` for `zone` from now on.
    async fn publish(&self, zone: &ZoneName, data: ZoneData) -> Result<(), BackendError> {
        let expansions = match &self.alias {
            Some(alias) => alias.expand(&data.aliases()).await,
            None => Vec::new(),
        };
        let handler = data.handler(zone, &expansions)?;
        let origin = lower_name(zone)?;
        self.catalog.write().await.upsert(origin, vec![handler]);
        self.zones
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(zone.clone(), data);
        Ok(())
    }
}

fn lower_name(zone: &ZoneName) -> Result<LowerName, BackendError> {
    Name::from_ascii(zone.fqdn())
        .map(|name| LowerName::new(&name))
        .map_err(|e| BackendError::new(BackendErrorKind::Rejected, format!("zone {zone}: {e}")))
}

#[async_trait]
impl DnsBackend for EmbeddedBackend {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn health(&self) -> Result<(), BackendError> {
        Ok(())
    }

    async fn create_zone(&self, spec: &ZoneSpec) -> Result<(), BackendError> {
        let _writing = self.writes.lock().await;
        let serial = next_serial(self.serial_of(&spec.name), self.today());
        let data = ZoneData::new(&spec.name, &spec.rrsets, serial)?;
        self.publish(&spec.name, data).await
    }

    async fn delete_zone(&self, zone: &ZoneName) -> Result<(), BackendError> {
        let _writing = self.writes.lock().await;
        self.catalog.write().await.remove(&lower_name(zone)?);
        self.zones
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(zone);
        Ok(())
    }

    async fn get_zone(&self, zone: &ZoneName) -> Result<Option<Vec<RrSet>>, BackendError> {
        Ok(self
            .zones
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(zone)
            .map(ZoneData::rrsets))
    }

    async fn list_zones(&self) -> Result<Vec<ZoneName>, BackendError> {
        Ok(self
            .zones
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .keys()
            .cloned()
            .collect())
    }

    async fn apply(&self, zone: &ZoneName, changes: &[RrSetChange]) -> Result<(), BackendError> {
        let _writing = self.writes.lock().await;
        let next = {
            let zones = self.zones.read().unwrap_or_else(PoisonError::into_inner);
            let current = zones.get(zone).ok_or_else(|| {
                BackendError::new(
                    BackendErrorKind::NotFound,
                    format!("zone {zone} is not served"),
                )
            })?;
            if changes.is_empty() {
                return Ok(());
            }
            current.applied(
                zone,
                changes,
                next_serial(Some(current.serial), self.today()),
            )?
        };
        self.publish(zone, next).await
    }
}
