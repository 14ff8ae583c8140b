//! The record types ScaiDNS manages (the 16 documented ones, plus HTTPS and SVCB, RFC 9460).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

macro_rules! record_types {
    ($($variant:ident => $text:literal, $desc:literal, $example:literal;)*) => {
        /// A supported DNS record type.
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[allow(clippy::upper_case_acronyms)]
        pub enum RecordType { $(#[doc = $desc] $variant,)* }

        impl RecordType {
            /// Every supported type, in presentation order.
            pub const ALL: &'static [RecordType] = &[$(RecordType::$variant,)*];

            /// The mnemonic (`A`, `AAAA`, …).
            pub const fn as_str(self) -> &'static str {
                match self { $(RecordType::$variant => $text,)* }
            }

            /// One-line description for `GET /domains/types`.
            pub const fn description(self) -> &'static str {
                match self { $(RecordType::$variant => $desc,)* }
            }

            /// Example content in canonical form.
            pub const fn example(self) -> &'static str {
                match self { $(RecordType::$variant => $example,)* }
            }
        }

        impl FromStr for RecordType {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s.trim().to_ascii_uppercase().as_str() {
                    $($text => Ok(RecordType::$variant),)*
                    other => Err(Error::new(
                        crate::error::ErrorKind::InvalidInput,
                        "unsupported_record_type",
                        format!("record type '{other}' is not supported"),
                    ).with_field("type")),
                }
            }
        }
    };
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
        assert_eq!(RecordType::ALL.len(), 18);
    }
}
