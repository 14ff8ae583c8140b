//! The mirror's partners and tenants: the stored row found by provider id, the new row as
//! the provider describes it, and a free slug for a tenant whose wanted one is taken.

use super::{Effect, Mirror, is_reference, partner_json};
use crate::error::Result;
use crate::identity::upstream::{UpstreamPartner, UpstreamTenant, is_active_status, slugify};
use crate::ids::{PartnerId, TenantId};
use crate::ports::identity_store::IdentityChange;
use crate::service::tenants::tenant_json;
use crate::tenant::{Partner, PartnerStatus, Tenant, TenantStatus};

impl Mirror<'_> {
    pub(super) async fn stored_partner(&mut self, scaikey_id: &str) -> Result<Option<Partner>> {
        if let Some(p) = self.partners.get(scaikey_id) {
            return Ok(Some(p.clone()));
        }
        let found = self.svc.store.get_partner_by_scaikey_id(scaikey_id).await?;
        if let Some(p) = &found {
            self.partners.insert(scaikey_id.to_owned(), p.clone());
        }
        Ok(found)
    }

    /// Upserts a partner; `status` overrides the upstream one (deletion).
    pub(crate) async fn partner(
        &mut self,
        up: &UpstreamPartner,
        status: Option<PartnerStatus>,
    ) -> Result<PartnerId> {
        let stored = self.stored_partner(&up.id).await?;
        let reference = status.is_none()
            && is_reference(&up.id, &up.name, up.slug.as_deref(), up.status.as_deref());
        if let (Some(p), true) = (&stored, reference) {
            return Ok(p.id);
        }
        let status = status.unwrap_or(if is_active_status(up.status.as_deref()) {
            PartnerStatus::Active
        } else {
            PartnerStatus::Suspended
        });
        let now = self.now();
        let mut row = stored.clone().unwrap_or_else(|| Partner {
            id: PartnerId::new(),
            name: up.name.clone(),
            slug: up.slug.clone(),
            scaikey_partner_id: up.id.clone(),
            status,
            created_at: now,
            updated_at: now,
        });
        if !reference {
            row.name = up.name.clone();
            if up.slug.is_some() {
                row.slug = up.slug.clone();
            }
            row.status = status;
        }
        let effect = match &stored {
            None => Some(Effect::Created),
            Some(old) if *old == row => None,
            Some(_) if status == PartnerStatus::Deleted => Some(Effect::Removed),
            Some(_) => Some(Effect::Updated),
        };
        if let Some(effect) = effect {
            row.updated_at = now;
            let action = match effect {
                Effect::Created => "partner.create",
                Effect::Updated => "partner.update",
                Effect::Removed => "partner.delete",
            };
            let before = stored.as_ref().map(partner_json);
            self.audit(
                None,
                action,
                "partner",
                row.id.to_string(),
                row.name.clone(),
                before,
                Some(partner_json(&row)),
            );
            self.batch
                .changes
                .push(IdentityChange::Partner(row.clone()));
        }
        Self::tally(&mut self.counts.partners, effect);
        self.partners.insert(up.id.clone(), row.clone());
        Ok(row.id)
    }

    // ----- tenants -----

    pub(super) async fn stored_tenant(
        &mut self,
        scaikey_id: &str,
    ) -> Result<Option<(Tenant, Option<PartnerId>)>> {
        if let Some(t) = self.tenants.get(scaikey_id) {
            return Ok(Some(t.clone()));
        }
        let Some(t) = self.svc.store.get_tenant_by_scaikey_id(scaikey_id).await? else {
            return Ok(None);
        };
        let partner = self.svc.store.tenant_partner_id(t.id).await?;
        self.tenants
            .insert(scaikey_id.to_owned(), (t.clone(), partner));
        Ok(Some((t, partner)))
    }

    /// A slug for a new tenant that no other tenant uses.
    pub(super) async fn free_slug(&self, wanted: &str, scaikey_id: &str) -> Result<String> {
        let base = slugify(wanted);
        if self.svc.store.get_tenant_by_slug(&base).await?.is_none()
            && !self.tenants.values().any(|(t, _)| t.slug == base)
        {
            return Ok(base);
        }
        // Clashes with a local tenant: suffix the provider id, which is unique.
        let suffix = slugify(scaikey_id);
        let keep = 63usize.saturating_sub(suffix.len() + 1);
        let head: String = base.chars().take(keep).collect();
        Ok(format!("{}-{suffix}", head.trim_end_matches('-')))
    }

    /// Upserts a tenant; `suspend` forces status `suspended` (deletion upstream).
    pub(crate) async fn tenant(&mut self, up: &UpstreamTenant, suspend: bool) -> Result<Tenant> {
        let stored = self.stored_tenant(&up.id).await?;
        let reference = !suspend
            && up.partner.is_none()
            && is_reference(&up.id, &up.name, up.slug.as_deref(), up.status.as_deref());
        if let (Some((t, _)), true) = (&stored, reference) {
            return Ok(t.clone());
        }
        let partner = match &up.partner {
            Some(p) => Some(self.partner(p, None).await?),
            None => stored.as_ref().and_then(|(_, p)| *p),
        };
        let status = if suspend || !is_active_status(up.status.as_deref()) {
            TenantStatus::Suspended
        } else {
            TenantStatus::Active
        };
        let now = self.now();
        let mut row = match &stored {
            Some((t, _)) => t.clone(),
            None => Tenant {
                id: TenantId::new(),
                name: up.name.clone(),
                slug: self
                    .free_slug(up.slug.as_deref().unwrap_or(&up.name), &up.id)
                    .await?,
                scaikey_tenant_id: Some(up.id.clone()),
                status,
                is_platform: false,
                suspended_locally: false,
                partner_id: partner,
                settings: serde_json::json!({}),
                created_at: now,
                updated_at: now,
            },
        };
        // `suspended_locally` and `settings` are the admin API's: sync never changes them.
        row.partner_id = partner;
        if !reference {
            row.name = up.name.clone();
            row.status = status;
        }
        let old_partner = stored.as_ref().and_then(|(_, p)| *p);
        let effect = match &stored {
            None => Some(Effect::Created),
            Some((old, _)) if *old == row && old_partner == partner => None,
            Some(_) if status == TenantStatus::Suspended && suspend => Some(Effect::Removed),
            Some(_) => Some(Effect::Updated),
        };
        if let Some(effect) = effect {
            row.updated_at = now;
            let action = match effect {
                Effect::Created => "tenant.create",
                Effect::Updated => "tenant.update",
                Effect::Removed => "tenant.suspend",
            };
            let before = stored.as_ref().map(|(t, _)| tenant_json(t));
            self.audit(
                Some(row.id),
                action,
                "tenant",
                row.id.to_string(),
                row.slug.clone(),
                before,
                Some(tenant_json(&row)),
            );
            self.batch.changes.push(IdentityChange::Tenant {
                tenant: row.clone(),
                partner_id: partner,
            });
        }
        Self::tally(&mut self.counts.tenants, effect);
        self.tenants.insert(up.id.clone(), (row.clone(), partner));
        Ok(row)
    }
}
