//! `scaidns sync` (spec api-identity §5.1, §13): pulls the provider's directory — partners,
//! tenants, the users assigned to ScaiDNS, groups and memberships — and mirrors it into the
//! cache. Users that the provider no longer returns are marked `inactive` (never deleted:
//! their audit trail and assignments stay). Each upstream row is applied as its own batch, so
//! an interrupted sync keeps what it wrote and the next run completes it.

use std::collections::HashSet;

use serde::Serialize;

use crate::audit::ActorType;
use crate::error::Result;
use crate::identity::upstream::UpstreamTenant;
use crate::paging::PageRequest;
use crate::ports::idp_directory::IdentityDirectory;
use crate::service::ScaiDns;
use crate::tenant::{TenantStatus, UserStatus};

use super::mirror::{Mirror, MirrorActor, SyncCounts};

/// What to pull.
#[derive(Debug, Clone, Copy, Default)]
pub struct SyncOptions {
    /// Only the users assigned to the application (tenants are created when a user needs
    /// one, never updated).
    pub users_only: bool,
}

/// Progress callbacks, for a progress display.
pub trait SyncProgress: Send + Sync {
    /// A step starts (`"partners"`, `"tenant acme: users"`, …).
    fn step(&self, what: &str);
}

/// A progress sink that shows nothing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoProgress;

impl SyncProgress for NoProgress {
    fn step(&self, _what: &str) {}
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Counts per kind.
    #[serde(flatten)]
    pub counts: SyncCounts,
}

impl SyncReport {
    /// Whether the provider returned no user at all — usually a wrong `SCAIKEY_APPLICATION_ID`
    /// or an application without assignments.
    pub fn saw_no_users(&self) -> bool {
        self.counts.users.created + self.counts.users.updated + self.counts.users.unchanged == 0
    }
}

impl ScaiDns {
    /// Mirrors the provider's directory into the identity cache (operator command; audited as
    /// `system` with actor id `scaidns-sync`).
    pub async fn identity_sync(
        &self,
        directory: &dyn IdentityDirectory,
        options: SyncOptions,
        progress: &dyn SyncProgress,
    ) -> Result<SyncReport> {
        let mut m = Mirror::new(
            self,
            MirrorActor {
                actor_type: ActorType::System,
                actor_id: Some("scaidns-sync".to_owned()),
                request_id: None,
                now: self.clock.now(),
            },
        );
        if !options.users_only {
            progress.step("partners");
            for p in directory.partners().await? {
                m.partner(&p, None).await?;
                m.flush(None).await?;
            }
        }
        progress.step("tenants");
        let tenants = directory.tenants().await?;
        if !options.users_only {
            for t in &tenants {
                m.tenant(t, false).await?;
                m.flush(None).await?;
            }
        }
        let mut seen_users = HashSet::new();
        for t in &tenants {
            progress.step(&format!("tenant {}: users", label(t)));
            for mut u in directory.effective_users(&t.id).await? {
                // The directory call is per tenant: that tenant is the user's when the item
                // does not say otherwise.
                if u.tenant.is_none() {
                    u.tenant = Some(UpstreamTenant::bare(&t.id));
                }
                seen_users.insert(u.id.clone());
                match m.user(&u, None).await {
                    Ok(_) => {}
                    // Reported by the mirror (audit entry, log line); the sync goes on.
                    Err(e) if e.code() == "user_conflict" => {}
                    Err(e) => return Err(e),
                }
                m.flush(None).await?;
            }
        }
        progress.step("users no longer assigned");
        self.deactivate_missing(&mut m, &seen_users).await?;
        if !options.users_only {
            for t in &tenants {
                progress.step(&format!("tenant {}: groups", label(t)));
                self.sync_groups(&mut m, directory, t).await?;
            }
        }
        Ok(SyncReport { counts: m.counts })
    }

    async fn deactivate_missing(&self, m: &mut Mirror<'_>, seen: &HashSet<String>) -> Result<()> {
        let mut page = PageRequest {
            page: 1,
            page_size: 100,
        };
        let mut missing = Vec::new();
        loop {
            let users = self.store.list_users(None, page).await?;
            let done = users.items.len() < page.page_size as usize;
            missing.extend(users.items.into_iter().filter_map(|u| {
                u.scaikey_user_id
                    .filter(|id| !seen.contains(id) && u.status == UserStatus::Active)
            }));
            if done {
                break;
            }
            page.page += 1;
        }
        for id in missing {
            m.user_status(&id, UserStatus::Inactive).await?;
            m.flush(None).await?;
        }
        Ok(())
    }

    async fn sync_groups(
        &self,
        m: &mut Mirror<'_>,
        directory: &dyn IdentityDirectory,
        t: &UpstreamTenant,
    ) -> Result<()> {
        let Some(tenant) = self.store.get_tenant_by_scaikey_id(&t.id).await? else {
            return Ok(());
        };
        if tenant.status == TenantStatus::Suspended {
            return Ok(());
        }
        let mut seen = HashSet::new();
        for mut g in directory.groups(&t.id).await? {
            if g.tenant.is_none() {
                g.tenant = Some(UpstreamTenant::bare(&t.id));
            }
            seen.insert(g.id.clone());
            let group = m.group(&g).await?;
            m.flush(None).await?;
            let current = self.store.group_member_ids(group.id).await?;
            let mut wanted = HashSet::new();
            for member in directory.group_members(&t.id, &g.id).await? {
                if let Some(user) = m.stored_user(&member).await? {
                    wanted.insert(user.id);
                    m.membership(&group, user.id, true, Some(&current)).await?;
                }
            }
            for user in current.iter().filter(|u| !wanted.contains(u)) {
                m.membership(&group, *user, false, Some(&current)).await?;
            }
            m.flush(None).await?;
        }
        // Provider groups of this tenant that the provider no longer lists are gone upstream.
        let mut page = PageRequest {
            page: 1,
            page_size: 100,
        };
        let mut gone = Vec::new();
        loop {
            let groups = self.store.list_groups(Some(tenant.id), page).await?;
            let done = groups.items.len() < page.page_size as usize;
            gone.extend(groups.items.into_iter().filter(|g| {
                g.scaikey_group_id
                    .as_ref()
                    .is_some_and(|id| !seen.contains(id))
            }));
            if done {
                break;
            }
            page.page += 1;
        }
        for g in gone {
            m.remove_group(&g);
            m.flush(None).await?;
        }
        Ok(())
    }
}

fn label(t: &UpstreamTenant) -> String {
    t.slug.clone().unwrap_or_else(|| t.id.clone())
}
