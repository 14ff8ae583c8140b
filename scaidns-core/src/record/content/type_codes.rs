//! The type names PowerDNS 4.7 knows (its `QType` table), by code.
//!
//! PowerDNS prints a type by this name whenever it has one (CSYNC type lists, API answers), and
//! a `TYPEnnn` with a number in this table is read as that named type, not as RFC 3597 generic
//! data. So only numbers outside this table can be stored as generic types.

const TABLE: &[(u16, &str)] = &[
    (1, "A"),
    (2, "NS"),
    (5, "CNAME"),
    (6, "SOA"),
    (7, "MB"),
    (8, "MG"),
    (9, "MR"),
    (12, "PTR"),
    (13, "HINFO"),
    (14, "MINFO"),
    (15, "MX"),
    (16, "TXT"),
    (17, "RP"),
    (18, "AFSDB"),
    (24, "SIG"),
    (25, "KEY"),
    (28, "AAAA"),
    (29, "LOC"),
    (33, "SRV"),
    (35, "NAPTR"),
    (36, "KX"),
    (37, "CERT"),
    (38, "A6"),
    (39, "DNAME"),
    (41, "OPT"),
    (42, "APL"),
    (43, "DS"),
    (44, "SSHFP"),
    (45, "IPSECKEY"),
    (46, "RRSIG"),
    (47, "NSEC"),
    (48, "DNSKEY"),
    (49, "DHCID"),
    (50, "NSEC3"),
    (51, "NSEC3PARAM"),
    (52, "TLSA"),
    (53, "SMIMEA"),
    (57, "RKEY"),
    (59, "CDS"),
    (60, "CDNSKEY"),
    (61, "OPENPGPKEY"),
    (62, "CSYNC"),
    (63, "ZONEMD"),
    (64, "SVCB"),
    (65, "HTTPS"),
    (99, "SPF"),
    (104, "NID"),
    (105, "L32"),
    (106, "L64"),
    (107, "LP"),
    (108, "EUI48"),
    (109, "EUI64"),
    (249, "TKEY"),
    (250, "TSIG"),
    (251, "IXFR"),
    (252, "AXFR"),
    (253, "MAILB"),
    (254, "MAILA"),
    (255, "ANY"),
    (256, "URI"),
    (257, "CAA"),
    (32769, "DLV"),
    (65400, "ADDR"),
    (65401, "ALIAS"),
    (65402, "LUA"),
];

/// PowerDNS's name for `code`.
pub(crate) fn name_of(code: u16) -> Option<&'static str> {
    TABLE.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The code of a PowerDNS type name (uppercase).
pub(crate) fn code_of(name: &str) -> Option<u16> {
    TABLE.iter().find(|(_, n)| *n == name).map(|(c, _)| *c)
}

/// Whether `TYPEnnn` may hold RFC 3597 generic data: PowerDNS has no name for it and it is
/// not 0 or a meta/query type (128–255, RFC 6895 §3.1) or reserved 65535.
pub(crate) fn generic_allowed(code: u16) -> bool {
    name_of(code).is_none() && code != 0 && !(128..=255).contains(&code) && code != 65535
}

/// Presentation name of a type code inside RDATA (CSYNC type lists): PowerDNS's name, else
/// `TYPEnnn`.
pub(crate) fn display(code: u16) -> String {
    name_of(code).map_or_else(|| format!("TYPE{code}"), str::to_owned)
}

/// Reads a type mnemonic or `TYPEnnn` inside RDATA.
pub(crate) fn parse(token: &str) -> Option<u16> {
    let upper = token.to_ascii_uppercase();
    code_of(&upper).or_else(|| {
        upper
            .strip_prefix("TYPE")
            .filter(|n| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|n| n.parse().ok())
    })
}
