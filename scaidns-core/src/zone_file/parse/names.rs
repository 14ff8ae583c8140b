//! Domain names inside a master file's rdata are relative to the current `$ORIGIN` unless they
//! end with a dot; the record API reads every name in content as absolute (interface decision
//! 9). So before the rdata goes to the shared content parser, the name fields of each type are
//! made absolute here.

use crate::record::RecordType;

/// Positions of the domain-name fields in the rdata of `rtype`, given its `fields`.
fn name_fields(rtype: RecordType, fields: &[String]) -> &'static [usize] {
    use RecordType as T;
    match rtype {
        T::CNAME | T::DNAME | T::NS | T::PTR | T::ALIAS | T::MR => &[0],
        T::MX | T::KX | T::AFSDB | T::LP | T::HTTPS | T::SVCB => &[1],
        T::MINFO | T::RP | T::SOA => &[0, 1],
        T::SRV => &[3],
        T::NAPTR => &[5],
        // Gateway type 3 is a domain name (RFC 4025 §2.3).
        T::IPSECKEY if fields.get(1).is_some_and(|t| t == "3") => &[3],
        _ => &[],
    }
}

/// An owner or rdata name made absolute against `origin` (which ends with a dot).
pub(super) fn absolute(name: &str, origin: &str) -> String {
    if name == "@" {
        origin.to_owned()
    } else if name.ends_with('.') && !name.ends_with("\\.") {
        name.to_owned()
    } else {
        format!("{name}.{origin}")
    }
}

/// Rewrites the name fields of `fields` (rdata of `rtype`) as absolute names.
pub(super) fn qualify(rtype: RecordType, fields: &mut [String], origin: &str) {
    for &i in name_fields(rtype, fields) {
        if let Some(field) = fields.get_mut(i) {
            *field = absolute(field, origin);
        }
    }
}

/// In a master file every unquoted field of TXT and SPF rdata is a character-string of its own,
/// with the same escapes as a quoted one (`a\;b` is `a;b`); the record API would read the
/// unquoted text literally, so each such field is quoted here.
pub(super) fn quote_strings(rtype: RecordType, fields: &mut [String]) {
    if !matches!(rtype, RecordType::TXT | RecordType::SPF) {
        return;
    }
    for field in fields.iter_mut().filter(|f| !f.starts_with('"')) {
        *field = format!("\"{field}\"");
    }
}
