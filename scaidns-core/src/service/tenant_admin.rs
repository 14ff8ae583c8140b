//! Tenant administration beyond creation (issue 11 item 3): renaming, settings, suspending and
//! resuming a tenant, and the partners above tenants.
//!
//! A suspension made here is the `suspended_locally` flag, which identity sync never writes:
//! the provider's word stays in `status`, and a tenant is suspended when either says so. Its
//! principals are refused from the very next request on this replica (the auth cache is
//! invalidated after the commit) and within `AUTH_CACHE_MAX_STALENESS` on the others (the
//! change is announced on the change feed). Its zones keep answering: nothing is published.

use crate::error::{Error, ErrorKind, Result};
use crate::ids::{PartnerId, TenantId};
use crate::paging::PageRequest;
use crate::ports::store::TenantPatch;
use crate::rbac::{Permission, Target};
use crate::tenant::{Partner, Tenant, TenantStatus};

use super::tenants::{tenant_json, tenant_not_found};
use super::text_input::required_text;
use super::zones::checked_settings;
use super::{OpContext, ScaiDns};

/// Input of [`ScaiDns::tenant_update`]; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct TenantUpdate {
    /// New display name.
    pub name: Option<String>,
    /// `suspended` suspends it here; `active` lifts a suspension made here.
    pub status: Option<TenantStatus>,
    /// Replaces the settings object.
    pub settings: Option<serde_json::Value>,
}

fn partner_not_found() -> Error {
    Error::new(
        ErrorKind::NotFound,
        "partner_not_found",
        "Partner not found",
    )
}

impl ScaiDns {
    /// Changes a tenant's name, settings or status. Platform admin only; 404
    /// `tenant_not_found`; 409 `platform_tenant` for suspending the platform tenant (it would
    /// lock every platform admin out) and for one a platform admin belongs to (409
    /// `tenant_holds_platform_admins`); 409 `managed_by_identity_provider` for renaming a tenant
    /// the provider names; 409 `suspended_by_identity_provider` for resuming a tenant the
    /// provider suspended (the local flag is cleared first; only the provider lifts its own).
    /// Only the columns the request changes are written.
    pub async fn tenant_update(
        &self,
        ctx: &OpContext,
        id: TenantId,
        input: TenantUpdate,
    ) -> Result<Tenant> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        let before = self
            .store()
            .get_tenant(id)
            .await?
            .ok_or_else(tenant_not_found)?;
        let mut patch = TenantPatch {
            name: None,
            settings: None,
            suspended_locally: None,
            status: None,
            updated_at: ctx.now,
        };
        if let Some(name) = &input.name {
            let name = required_text("name", name, 255)?;
            if name != before.name {
                if before.scaikey_tenant_id.is_some() {
                    // The next sync would write the provider's name back.
                    return Err(Error::conflict(
                        "managed_by_identity_provider",
                        "the identity provider names this tenant; rename it there",
                    )
                    .with_field("name"));
                }
                patch.name = Some(name);
            }
        }
        if input.settings.is_some() {
            let settings = checked_settings(input.settings)?;
            if settings != before.settings {
                patch.settings = Some(settings);
            }
        }
        // Set when the flag was cleared but the provider's suspension stands: answered after
        // the write, so the local half of the request still takes effect.
        let mut provider_suspends = false;
        match input.status {
            Some(TenantStatus::Suspended) => {
                if before.is_platform {
                    return Err(Error::conflict(
                        "platform_tenant",
                        "the platform tenant cannot be suspended",
                    )
                    .with_field("status"));
                }
                if !before.suspended_locally {
                    if self.holds_platform_admin(id).await? {
                        // They would lose their platform access with their tenant's.
                        return Err(Error::conflict(
                            "tenant_holds_platform_admins",
                            "a platform admin belongs to this tenant; revoke platform_admin first",
                        )
                        .with_field("status"));
                    }
                    patch.suspended_locally = Some(true);
                }
            }
            Some(TenantStatus::Active) => {
                if before.suspended_locally {
                    patch.suspended_locally = Some(false);
                }
                if before.status == TenantStatus::Suspended {
                    if before.scaikey_tenant_id.is_some() {
                        provider_suspends = true;
                    } else {
                        patch.status = Some(TenantStatus::Active);
                    }
                }
            }
            None => {}
        }
        let mut after = before.clone();
        if let Some(name) = &patch.name {
            after.name = name.clone();
        }
        if let Some(settings) = &patch.settings {
            after.settings = settings.clone();
        }
        if let Some(flag) = patch.suspended_locally {
            after.suspended_locally = flag;
        }
        if let Some(status) = patch.status {
            after.status = status;
        }
        if after != before {
            after.updated_at = ctx.now;
            let action = match (before.is_suspended(), after.is_suspended()) {
                (false, true) => "tenant.suspend",
                (true, false) => "tenant.resume",
                _ => "tenant.update",
            };
            let audit = ctx.audit(
                after.id,
                action,
                "tenant",
                after.id,
                Some(after.slug.clone()),
                Some(tenant_json(&before)),
                Some(tenant_json(&after)),
            );
            self.store().patch_tenant(id, &patch, &[audit]).await?;
            // Cached callers of this tenant carry its old status.
            self.auth_changed();
        }
        if provider_suspends {
            return Err(Error::conflict(
                "suspended_by_identity_provider",
                "the identity provider suspended this tenant; resume it there",
            )
            .with_field("status"));
        }
        if after == before {
            return Ok(before);
        }
        // Read back: columns this request left alone may have changed meanwhile.
        self.store()
            .get_tenant(id)
            .await?
            .ok_or_else(tenant_not_found)
    }

    /// Whether a user of the tenant is a platform admin.
    async fn holds_platform_admin(&self, id: TenantId) -> Result<bool> {
        let mut page = PageRequest {
            page: 1,
            page_size: 500,
        };
        loop {
            let users = self.store().list_users(Some(id), page).await?;
            if users.items.iter().any(|u| u.is_platform_admin) {
                return Ok(true);
            }
            if u64::from(page.page) * u64::from(page.page_size) >= users.total {
                return Ok(false);
            }
            page.page += 1;
        }
    }

    /// Every partner, by name (platform admin). Partners come from the identity provider
    /// (webhooks and `scaidns sync`); without one there are none.
    pub async fn partner_list(&self, ctx: &OpContext) -> Result<Vec<Partner>> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        self.store().list_partners().await
    }

    /// One partner by id or identity-provider id (platform admin); 404 `partner_not_found`.
    pub async fn partner_get(&self, ctx: &OpContext, id: &str) -> Result<Partner> {
        self.authorize(ctx, Permission::PLATFORM_ADMIN, Target::Platform)
            .await?;
        self.find_partner(id).await?.ok_or_else(partner_not_found)
    }

    /// A partner named in a request body by id or identity-provider id; 422 on `field` when
    /// there is none.
    pub(crate) async fn partner_ref(&self, field: &str, id: &str) -> Result<Partner> {
        self.find_partner(id.trim())
            .await?
            .ok_or_else(|| Error::invalid(field, "no such partner"))
    }

    async fn find_partner(&self, id: &str) -> Result<Option<Partner>> {
        if let Ok(internal) = id.parse::<PartnerId>() {
            return Ok(self
                .store()
                .list_partners()
                .await?
                .into_iter()
                .find(|p| p.id == internal));
        }
        self.store().get_partner_by_scaikey_id(id).await
    }
}
