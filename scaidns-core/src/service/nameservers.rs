//! The platform nameserver set (spec §11.2, interface decision 5): replacing it rewrites the
//! apex NS RRset and the SOA MNAME of every zone that is not deleted.

use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::name::ZoneName;
use crate::rbac::Permission;
use crate::record::{RecordContent, RecordType};
use crate::service::zones::NAMESERVERS_SETTING;
use crate::service::{OpContext, ScaiDns};
use crate::zone::ZoneStatus;
use crate::zone::precondition::IfMatch;
use crate::zone::rules::ChangeSet;
use crate::zone::soa::{soa_content, with_serial};

/// Most nameservers a zone can list usefully (a referral must fit a 512-byte response).
pub const MAX_NAMESERVERS: usize = 13;

/// Outcome of a nameserver change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameserverUpdate {
    /// The new set, canonical.
    pub nameservers: Vec<String>,
    /// Zones rewritten.
    pub zones_updated: u64,
}

impl ScaiDns {
    /// The platform nameservers (platform admins).
    pub async fn nameservers_get(&self, ctx: &OpContext) -> Result<Vec<String>> {
        self.authorize(
            ctx,
            Permission::PLATFORM_ADMIN,
            crate::rbac::Target::Platform,
        )
        .await?;
        self.nameservers().await
    }

    /// Replaces the platform nameserver set and rewrites every zone's apex NS and SOA.
    pub async fn nameservers_set(
        &self,
        ctx: &OpContext,
        input: Vec<String>,
    ) -> Result<NameserverUpdate> {
        self.authorize(
            ctx,
            Permission::PLATFORM_ADMIN,
            crate::rbac::Target::Platform,
        )
        .await?;
        let nameservers = canonical_nameservers(&input)?;
        let before = self.nameservers().await?;
        let value =
            serde_json::to_string(&nameservers).map_err(|e| Error::internal(e.to_string()))?;
        let audit = ctx.audit(
            None::<TenantId>,
            "platform.nameservers.update",
            "platform_setting",
            NAMESERVERS_SETTING,
            None,
            Some(serde_json::json!(before)),
            Some(serde_json::json!(nameservers)),
        );
        self.store()
            .put_setting(NAMESERVERS_SETTING, &value, &[audit])
            .await?;

        let mut zones_updated = 0;
        for zone in self.all_zones_with_status(None).await? {
            if zone.status == ZoneStatus::Deleted {
                continue;
            }
            let records = self.zone_records(&zone).await?;
            let mut change = ChangeSet::new(zone.default_ttl);
            change.system = true;
            let wanted = self.system_records(&zone, &nameservers)?;
            for old in records.iter().filter(|r| r.system) {
                match old.rtype() {
                    RecordType::SOA => {
                        let serial = crate::zone::soa::serial_of(old.content.as_str()).unwrap_or(0);
                        let fresh = soa_content(
                            &zone.name,
                            &nameservers[0],
                            serial,
                            self.config().soa_timers,
                        );
                        if with_serial(old.content.as_str(), 0) != with_serial(&fresh, 0) {
                            change.updates.push(crate::zone::rules::RecordUpdate {
                                id: old.id,
                                content: Some(RecordContent::parse(
                                    RecordType::SOA,
                                    &fresh,
                                    &zone.name,
                                )?),
                                ttl: None,
                                disabled: None,
                            });
                        }
                    }
                    RecordType::NS if !wanted.iter().any(|w| w.content == old.content) => {
                        change.deletes.push(old.id)
                    }
                    _ => {}
                }
            }
            for ns in wanted.into_iter().filter(|w| w.rtype() == RecordType::NS) {
                if !records.iter().any(|r| r.system && r.content == ns.content) {
                    change.creates.push(crate::zone::rules::NewRecord {
                        name: ns.name,
                        content: ns.content,
                        ttl: None,
                        disabled: false,
                    });
                }
            }
            if change.creates.is_empty() && change.updates.is_empty() && change.deletes.is_empty() {
                continue;
            }
            self.apply_record_change(ctx, &zone, change, &IfMatch::Any)
                .await?;
            zones_updated += 1;
        }
        Ok(NameserverUpdate {
            nameservers,
            zones_updated,
        })
    }
}

/// Checks and canonicalises a nameserver list: 1 to 13 distinct host names.
pub fn canonical_nameservers(input: &[String]) -> Result<Vec<String>> {
    if input.is_empty() || input.len() > MAX_NAMESERVERS {
        return Err(Error::invalid(
            "nameservers",
            format!("give between 1 and {MAX_NAMESERVERS} host names"),
        ));
    }
    let placeholder = ZoneName::parse("nameservers.invalid")?;
    let mut out: Vec<String> = Vec::new();
    for (i, ns) in input.iter().enumerate() {
        let content = RecordContent::parse(RecordType::NS, ns, &placeholder)
            .map_err(|e| Error::invalid(format!("nameservers[{i}]"), e.message().to_owned()))?;
        let name = content.as_str().to_owned();
        // A platform nameserver is a delegation target: a bare label (or a number that poem
        // read from JSON as text) cannot be one.
        if name.trim_end_matches('.').split('.').count() < 2 {
            return Err(Error::invalid(
                format!("nameservers[{i}]"),
                "must be a fully qualified host name (at least two labels)",
            ));
        }
        if out.contains(&name) {
            return Err(Error::invalid(
                format!("nameservers[{i}]"),
                "is listed twice",
            ));
        }
        out.push(name);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonicalises_and_rejects() {
        let ns =
            canonical_nameservers(&["NS1.Example.net".into(), "ns2.example.net.".into()]).unwrap();
        assert_eq!(ns, vec!["ns1.example.net.", "ns2.example.net."]);
        assert!(canonical_nameservers(&[]).is_err());
        assert!(canonical_nameservers(&["192.0.2.1".into()]).is_err());
        assert!(canonical_nameservers(&["7".into()]).is_err());
        assert!(canonical_nameservers(&["localhost.".into()]).is_err());
        let dup = canonical_nameservers(&["a.example.".into(), "A.example".into()]).unwrap_err();
        assert_eq!(dup.field(), Some("nameservers[1]"));
    }
}
