//! Why a change set was refused, with a stable code per rule and the mapping onto
//! [`crate::error::Error`]: coexistence problems are conflicts (409, listing the records in the
//! way), everything else is invalid input (422) naming the field.

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::ids::RecordId;
use crate::record::{RecordName, RecordType};

/// Which item of a [`super::ChangeSet`] a violation is about (index into its list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRef {
    /// `creates[i]`.
    Create(usize),
    /// `updates[i]`.
    Update(usize),
    /// `deletes[i]`.
    Delete(usize),
}

/// A broken zone rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleViolation {
    /// A CNAME shares its name with other data (RFC 1034 §3.6.2, RFC 2181 §10.1).
    CnameConflict {
        /// Owner name.
        name: RecordName,
        /// Records already there that are in the way.
        conflicts: Vec<RecordId>,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// A CNAME at the apex would hide the SOA and NS.
    CnameAtApex {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// More than one record of a type that holds one value per name (CNAME, DNAME, SOA, ALIAS).
    SingleValueType {
        /// Owner name.
        name: RecordName,
        /// Type.
        rtype: RecordType,
        /// Records already there that are in the way.
        conflicts: Vec<RecordId>,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// ALIAS is resolved into A/AAAA answers, so it cannot sit next to A or AAAA records.
    AliasConflict {
        /// Owner name.
        name: RecordName,
        /// Records already there that are in the way.
        conflicts: Vec<RecordId>,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// NS and DNAME share a name below the apex (RFC 6672 §2.3; PowerDNS refuses it).
    DnameNsConflict {
        /// Owner name.
        name: RecordName,
        /// Records already there that are in the way.
        conflicts: Vec<RecordId>,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// SOA and apex NS belong to the platform (interface decision 5).
    SystemManaged {
        /// Type of the record.
        rtype: RecordType,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// Apex NS records come from the platform nameserver set.
    NsAtApex {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// SOA anywhere but the apex.
    SoaOutsideApex {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// DS belongs to the parent side of a delegation (RFC 4035 §2.4), never the apex.
    DsAtApex {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// PTR records live in `in-addr.arpa` / `ip6.arpa` zones (RFC 1035 §3.5, RFC 3596 §2.5).
    PtrOutsideReverseZone {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// A name target written as an IP address.
    TargetIsAddress {
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// A record with this name, type and content already exists (interface decision 11).
    RecordExists {
        /// Owner name.
        name: RecordName,
        /// Type.
        rtype: RecordType,
        /// The existing record.
        existing: RecordId,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// An update or delete names a record the zone does not have.
    UnknownRecord {
        /// The id.
        id: RecordId,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// An update tries to change a record's type (name and type are immutable).
    TypeChange {
        /// The record.
        id: RecordId,
        /// Offending item.
        at: Option<ChangeRef>,
    },
    /// One record is updated twice, or updated and deleted, in the same change set.
    ConflictingEdits {
        /// The record.
        id: RecordId,
        /// Offending item.
        at: Option<ChangeRef>,
    },
}

impl RuleViolation {
    /// Stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::CnameConflict { .. } => "cname_conflict",
            Self::CnameAtApex { .. } => "cname_at_apex",
            Self::SingleValueType { .. } => "single_value_type",
            Self::AliasConflict { .. } => "alias_conflict",
            Self::DnameNsConflict { .. } => "dname_ns_conflict",
            Self::SystemManaged { .. } => "system_managed",
            Self::NsAtApex { .. } => "ns_at_apex",
            Self::SoaOutsideApex { .. } => "soa_outside_apex",
            Self::DsAtApex { .. } => "ds_at_apex",
            Self::PtrOutsideReverseZone { .. } => "ptr_outside_reverse_zone",
            Self::TargetIsAddress { .. } => "target_is_address",
            Self::RecordExists { .. } => "record_exists",
            Self::UnknownRecord { .. } => "record_not_found",
            Self::TypeChange { .. } => "type_immutable",
            Self::ConflictingEdits { .. } => "conflicting_edits",
        }
    }

    /// The change-set item at fault, when one is.
    pub fn at(&self) -> Option<ChangeRef> {
        match self {
            Self::CnameConflict { at, .. }
            | Self::CnameAtApex { at }
            | Self::SingleValueType { at, .. }
            | Self::AliasConflict { at, .. }
            | Self::DnameNsConflict { at, .. }
            | Self::SystemManaged { at, .. }
            | Self::NsAtApex { at }
            | Self::SoaOutsideApex { at }
            | Self::DsAtApex { at }
            | Self::PtrOutsideReverseZone { at }
            | Self::TargetIsAddress { at }
            | Self::RecordExists { at, .. }
            | Self::UnknownRecord { at, .. }
            | Self::TypeChange { at, .. }
            | Self::ConflictingEdits { at, .. } => *at,
        }
    }

    /// Ids of existing records this change collides with.
    pub fn conflicts(&self) -> Vec<RecordId> {
        match self {
            Self::CnameConflict { conflicts, .. }
            | Self::SingleValueType { conflicts, .. }
            | Self::AliasConflict { conflicts, .. }
            | Self::DnameNsConflict { conflicts, .. } => conflicts.clone(),
            Self::RecordExists { existing, .. } => vec![*existing],
            _ => Vec::new(),
        }
    }

    /// The request field the violation is about.
    pub fn field(&self) -> &'static str {
        match self {
            Self::DsAtApex { .. } | Self::NsAtApex { .. } | Self::SoaOutsideApex { .. } => "name",
            Self::CnameConflict { .. }
            | Self::CnameAtApex { .. }
            | Self::AliasConflict { .. }
            | Self::DnameNsConflict { .. }
            | Self::SystemManaged { .. }
            | Self::PtrOutsideReverseZone { .. }
            | Self::TypeChange { .. } => "type",
            Self::SingleValueType { .. }
            | Self::TargetIsAddress { .. }
            | Self::RecordExists { .. } => "content",
            Self::UnknownRecord { .. } | Self::ConflictingEdits { .. } => "id",
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            Self::CnameConflict { .. }
            | Self::SingleValueType { .. }
            | Self::AliasConflict { .. }
            | Self::DnameNsConflict { .. }
            | Self::RecordExists { .. } => ErrorKind::Conflict,
            Self::UnknownRecord { .. } => ErrorKind::NotFound,
            _ => ErrorKind::InvalidInput,
        }
    }
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::CnameConflict { name, .. } => {
                write!(f, "a CNAME cannot share the name {name} with other records")
            }
            Self::CnameAtApex { .. } => f.write_str("a CNAME is not allowed at the zone apex; use ALIAS instead"),
            Self::SingleValueType { name, rtype, .. } => {
                write!(f, "{name} can hold only one {rtype} record")
            }
            Self::AliasConflict { name, .. } => {
                write!(f, "an ALIAS cannot share the name {name} with A or AAAA records")
            }
            Self::DnameNsConflict { name, .. } => {
                write!(f, "NS and DNAME cannot share the name {name} below the zone apex")
            }
            Self::SystemManaged { rtype, .. } => {
                write!(f, "{rtype} records at the zone apex are managed by the platform and cannot be changed")
            }
            Self::NsAtApex { .. } => {
                f.write_str("NS records at the zone apex come from the platform nameservers and cannot be added")
            }
            Self::SoaOutsideApex { .. } => f.write_str("an SOA record can only exist at the zone apex"),
            Self::DsAtApex { .. } => {
                f.write_str("DS records belong to delegated subdomains, not the zone apex (publish them at the parent)")
            }
            Self::PtrOutsideReverseZone { .. } => {
                f.write_str("PTR records can only be created in reverse zones (in-addr.arpa or ip6.arpa)")
            }
            Self::TargetIsAddress { .. } => f.write_str("the target must be a host name, not an address"),
            Self::RecordExists { name, rtype, .. } => {
                write!(f, "an identical {rtype} record already exists at {name}")
            }
            Self::UnknownRecord { id, .. } => write!(f, "record {id} does not exist in this zone"),
            Self::TypeChange { .. } => f.write_str("a record's type cannot be changed; delete it and create a new one"),
            Self::ConflictingEdits { id, .. } => {
                write!(f, "record {id} is changed more than once in the same request")
            }
        }
    }
}

impl std::error::Error for RuleViolation {}

impl From<RuleViolation> for Error {
    fn from(v: RuleViolation) -> Self {
        let conflicts: Vec<String> = v.conflicts().iter().map(ToString::to_string).collect();
        let err = Error::new(v.kind(), v.code(), v.to_string()).with_field(v.field());
        if conflicts.is_empty() {
            err
        } else {
            err.with_conflicts(conflicts)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_onto_errors() {
        let id = RecordId::new();
        let name = RecordName::apex(&crate::name::ZoneName::parse("example.com").unwrap());
        let e = Error::from(RuleViolation::CnameConflict {
            name,
            conflicts: vec![id],
            at: Some(ChangeRef::Create(0)),
        });
        assert_eq!(
            (e.kind(), e.code(), e.field()),
            (ErrorKind::Conflict, "cname_conflict", Some("type"))
        );
        assert_eq!(e.conflicts(), [id.to_string()]);
        let e = Error::from(RuleViolation::DsAtApex { at: None });
        assert_eq!(
            (e.kind(), e.code(), e.field()),
            (ErrorKind::InvalidInput, "ds_at_apex", Some("name"))
        );
        let e = Error::from(RuleViolation::UnknownRecord {
            id,
            at: Some(ChangeRef::Delete(2)),
        });
        assert_eq!(e.kind(), ErrorKind::NotFound);
    }
}
