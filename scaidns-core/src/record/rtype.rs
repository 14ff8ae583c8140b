//! The record types ScaiDNS manages: every type PowerDNS 4.7 serves as zone content, plus
//! RFC 3597 generic types (`TYPE65280`) for numbers PowerDNS has no name for.
//!
//! DNSSEC records the signer owns (RRSIG, NSEC, NSEC3, NSEC3PARAM, DNSKEY) are refused with a
//! pointer to the DNSSEC endpoints; meta types (OPT, TSIG, AXFR, …) and the obsolete types
//! PowerDNS still names (MB, MG, A6, …) are refused as unsupported.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::record::content::type_codes;

macro_rules! record_types {
    ($($variant:ident => $text:literal, $desc:literal, $example:literal;)*) => {
        /// A supported DNS record type.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[allow(clippy::upper_case_acronyms)]
        pub enum RecordType {
            $(#[doc = $desc] $variant,)*
            /// RFC 3597 generic type `TYPEnnn` (a number PowerDNS has no name for), content
            /// `\# length hex`.
            Generic(u16),
        }

        impl RecordType {
            /// Every named type, in presentation order (generic `TYPEnnn` types come on top).
            pub const ALL: &'static [RecordType] = &[$(RecordType::$variant,)*];

            /// The mnemonic (`A`, `AAAA`, …, `TYPE65280`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(RecordType::$variant => $text,)*
                    RecordType::Generic(code) => generic_name(code),
                }
            }

            /// One-line description for `GET /domains/types`.
            pub const fn description(self) -> &'static str {
                match self {
                    $(RecordType::$variant => $desc,)*
                    RecordType::Generic(_) => "RFC 3597 generic record: TYPEnnn with \\# length hex-data",
                }
            }

            /// Example content in canonical form.
            pub const fn example(self) -> &'static str {
                match self {
                    $(RecordType::$variant => $example,)*
                    RecordType::Generic(_) => "\\# 4 0a000001",
                }
            }

            fn named(upper: &str) -> Option<Self> {
                match upper {
                    $($text => Some(RecordType::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

/// Interned `TYPEnnn` names, so `as_str` can stay `&'static str` for every type: at most one
/// short string per 16-bit code is ever allocated.
fn generic_name(code: u16) -> &'static str {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static NAMES: OnceLock<Mutex<HashMap<u16, &'static str>>> = OnceLock::new();
    let mut names = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    names
        .entry(code)
        .or_insert_with(|| Box::leak(format!("TYPE{code}").into_boxed_str()))
}

/// The DNSSEC types PowerDNS's signer produces from the zone's keys.
const SIGNER_OWNED: &[&str] = &["RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DNSKEY"];

fn unsupported(what: &str, why: &str) -> Error {
    Error::new(
        crate::error::ErrorKind::InvalidInput,
        "unsupported_record_type",
        format!("record type '{what}' is not supported{why}"),
    )
    .with_field("type")
}

impl FromStr for RecordType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let upper = s.trim().to_ascii_uppercase();
        if let Some(t) = Self::named(&upper) {
            return Ok(t);
        }
        let code = upper
            .strip_prefix("TYPE")
            .filter(|n| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse::<u16>().ok());
        let name = match code {
            Some(code) => match type_codes::name_of(code) {
                // `TYPE1` is `A`, as in a zone file.
                Some(name) => name,
                None if type_codes::generic_allowed(code) => return Ok(RecordType::Generic(code)),
                None => {
                    return Err(unsupported(
                        &upper,
                        " (meta and reserved type numbers cannot be stored)",
                    ));
                }
            },
            None => upper.as_str(),
        };
        if let Some(t) = Self::named(name) {
            return Ok(t);
        }
        if SIGNER_OWNED.contains(&name) {
            return Err(Error::new(
                crate::error::ErrorKind::InvalidInput,
                "dnssec_managed",
                format!(
                    "{name} records are managed by the DNSSEC signer; use the DNSSEC endpoints \
                     (/api/v1/domains/{{domain_id}}/dnssec) to enable, disable or rotate keys"
                ),
            )
            .with_field("type"));
        }
        Err(unsupported(&upper, ""))
    }
}

impl RecordType {
    /// The 16-bit type code (RFC 6895); ALIAS is PowerDNS's private 65401.
    pub fn code(self) -> u16 {
        match self {
            RecordType::Generic(code) => code,
            named => type_codes::code_of(named.as_str()).unwrap_or_else(|| {
                unreachable!("every named type is in the PowerDNS table: {named}")
            }),
        }
    }

    /// The type of a 16-bit code, if ScaiDNS can store it.
    pub fn from_code(code: u16) -> Option<Self> {
        format!("TYPE{code}").parse().ok()
    }
}

record_types! {
    A => "A", "IPv4 address", "192.0.2.10";
    AAAA => "AAAA", "IPv6 address", "2001:db8::10";
    MX => "MX", "Mail exchanger: preference and host", "10 mail.example.com.";
    CNAME => "CNAME", "Canonical name (alias) of another host", "target.example.com.";
    TXT => "TXT", "Free text, e.g. SPF or verification tokens", "\"v=spf1 -all\"";
    NS => "NS", "Delegation to a name server", "ns1.example.net.";
    SRV => "SRV", "Service location: priority weight port target", "10 5 5060 sip.example.com.";
    PTR => "PTR", "Reverse pointer to a host name", "host.example.com.";
    SOA => "SOA", "Start of authority (system-managed)", "ns1.example.net. hostmaster.example.com. 1 3600 600 604800 600";
    CAA => "CAA", "Certificate authority authorization: flags tag value", "0 issue \"letsencrypt.org\"";
    SSHFP => "SSHFP", "SSH key fingerprint: algorithm type fingerprint", "4 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    TLSA => "TLSA", "DANE certificate association: usage selector type data", "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    DNAME => "DNAME", "Redirects a whole subtree to another name", "example.net.";
    NAPTR => "NAPTR", "Naming authority pointer: order pref flags service regexp replacement", "100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.";
    DS => "DS", "Delegation signer of a child zone: key-tag algorithm digest-type digest", "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    ALIAS => "ALIAS", "Apex alias resolved by the server to the target's addresses", "target.example.net.";
    HTTPS => "HTTPS", "HTTPS service binding: priority target params", "1 . alpn=h2,h3";
    SVCB => "SVCB", "Service binding: priority target params", "1 svc.example.com. port=8443";
    AFSDB => "AFSDB", "AFS database location: subtype host", "1 afsdb.example.com.";
    APL => "APL", "Address prefix list: [!]family:address/prefix ...", "1:192.0.2.0/24 !2:2001:db8::/32";
    CERT => "CERT", "Certificate or CRL: type key-tag algorithm base64", "1 0 0 MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA";
    CDS => "CDS", "Child copy of a DS record: key-tag algorithm digest-type digest", "12345 13 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    CDNSKEY => "CDNSKEY", "Child copy of a DNSKEY record: flags protocol algorithm base64-key", "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";
    CSYNC => "CSYNC", "Child-to-parent synchronisation: serial flags types", "66 3 A NS AAAA";
    DHCID => "DHCID", "DHCP client identifier (base64)", "AAIBY2/AuCccgoJbsaxcQc9TUapptP69lOjxfNuVAA2kjEA=";
    EUI48 => "EUI48", "48-bit MAC address", "00-00-5e-00-53-2a";
    EUI64 => "EUI64", "64-bit extended unique identifier", "00-00-5e-ef-10-00-00-2a";
    HINFO => "HINFO", "Host information: cpu os", "\"PC\" \"Linux\"";
    IPSECKEY => "IPSECKEY", "IPsec key: precedence gateway-type algorithm gateway base64-key", "10 1 2 192.0.2.38 AQNRU3mG7TVTO2BkR47usntb102uFJtugbo6BSGvgqt4AQ==";
    KEY => "KEY", "Legacy public key (SIG(0), TKEY): flags protocol algorithm base64-key", "256 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==";
    KX => "KX", "Key exchanger: preference host", "10 kx.example.com.";
    L32 => "L32", "ILNP 32-bit locator: preference locator", "10 10.1.2.0";
    L64 => "L64", "ILNP 64-bit locator: preference locator", "10 2001:0DB8:1140:1000";
    LOC => "LOC", "Geographical location", "51 56 0.123 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m";
    LP => "LP", "ILNP locator pointer: preference name", "10 l64-subnet.example.com.";
    MINFO => "MINFO", "Mailing list information: responsible-mailbox error-mailbox", "rmail.example.com. email.example.com.";
    MR => "MR", "Mail rename (experimental, RFC 1035)", "newbox.example.com.";
    NID => "NID", "ILNP node identifier: preference node-id", "10 0014:4FFF:FF20:EE64";
    OPENPGPKEY => "OPENPGPKEY", "OpenPGP public key (base64)", "mQINBFit2jsBEADrbl5vjVxYeAE0g0IDYCBpHirv1Sjlqxx5gjtPhb2YhvyDMXjq";
    RP => "RP", "Responsible person: mailbox-name txt-name", "admin.example.com. contact.example.com.";
    SMIMEA => "SMIMEA", "S/MIME certificate association: usage selector type data", "3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    SPF => "SPF", "Sender policy (obsolete type, RFC 7208 uses TXT)", "\"v=spf1 -all\"";
    URI => "URI", "URI for a service: priority weight \"target\"", "10 1 \"https://www.example.com/\"";
    ZONEMD => "ZONEMD", "Zone message digest: serial scheme hash-algorithm digest", "2018031500 1 1 febe3d4ce2ec2ffa4ba99d46cd69d6d29711e55217057bee7eb1a7b641a47ba7fed2dd5b97ae499fafa4f22c6bd647de";
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for RecordType {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        value.parse()
    }
}

impl From<RecordType> for String {
    fn from(value: RecordType) -> Self {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_rejects_unknown() {
        assert_eq!("aaaa".parse::<RecordType>().unwrap(), RecordType::AAAA);
        assert_eq!(" Mx ".parse::<RecordType>().unwrap(), RecordType::MX);
        let err = "WKS".parse::<RecordType>().unwrap_err();
        assert_eq!(err.code(), "unsupported_record_type");
        assert_eq!(RecordType::ALL.len(), 44);
    }

    #[test]
    fn type_numbers() {
        assert_eq!("TYPE1".parse::<RecordType>().unwrap(), RecordType::A);
        assert_eq!("type13".parse::<RecordType>().unwrap(), RecordType::HINFO);
        let generic = "TYPE65280".parse::<RecordType>().unwrap();
        assert_eq!(generic, RecordType::Generic(65280));
        assert_eq!(generic.as_str(), "TYPE65280");
        assert_eq!(generic.to_string().parse::<RecordType>().unwrap(), generic);
        assert_eq!(generic.code(), 65280);
        for t in RecordType::ALL {
            assert_eq!(RecordType::from_code(t.code()), Some(*t), "{t}");
        }
        assert_eq!(RecordType::ALIAS.code(), 65401);
        for meta in [
            "TYPE0",
            "TYPE41",
            "TYPE251",
            "TYPE255",
            "TYPE7",
            "MB",
            "A6",
            "TYPE65536",
            "TYPE",
        ] {
            let e = meta.parse::<RecordType>().unwrap_err();
            assert_eq!(e.code(), "unsupported_record_type", "{meta}");
        }
    }

    #[test]
    fn signer_owned_types_point_to_dnssec() {
        for t in ["RRSIG", "nsec", "NSEC3", "NSEC3PARAM", "DNSKEY", "TYPE48"] {
            let e = t.parse::<RecordType>().unwrap_err();
            assert_eq!(e.code(), "dnssec_managed", "{t}");
            assert!(e.message().contains("DNSSEC endpoints"), "{t}");
            assert_eq!(e.field(), Some("type"));
        }
    }
}
