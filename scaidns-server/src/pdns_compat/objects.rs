//! PowerDNS's JSON objects (server, zone, RRset, record, comment) as the compatible API reads
//! and writes them, and their translation from and to the core's zones, records and RRset
//! changes.

use poem_openapi::Object;
use scaidns_core::record::{Record, RecordType};
use scaidns_core::service::rrset_changes::{
    RrsetAction, RrsetChange, RrsetCommentInput, RrsetRecord,
};
use scaidns_core::zone::Zone;
use scaidns_core::zone::comments::RrsetComments;

use super::error::{PdnsError, PdnsResult};
use super::zone_id;

/// The version reported to clients: PowerDNS 4.7's API, which clients gate features on
/// (octoDNS reads the first three numbers).
pub const REPORTED_VERSION: &str = concat!("4.7.0-scaidns-", env!("CARGO_PKG_VERSION"));

/// The one server, `localhost`.
#[derive(Debug, Clone, Object)]
pub struct PdnsServer {
    /// `Server`.
    #[oai(rename = "type")]
    pub kind: String,
    /// `localhost`.
    pub id: String,
    /// `authoritative`.
    pub daemon_type: String,
    /// The PowerDNS API version emulated, then ScaiDNS's own.
    pub version: String,
    /// This server's URL.
    pub url: String,
    /// The zones' URL template.
    pub zones_url: String,
    /// The configuration's URL template.
    pub config_url: String,
}

impl PdnsServer {
    /// `localhost`.
    pub fn localhost() -> Self {
        Self {
            kind: "Server".to_owned(),
            id: "localhost".to_owned(),
            daemon_type: "authoritative".to_owned(),
            version: REPORTED_VERSION.to_owned(),
            url: "/api/v1/servers/localhost".to_owned(),
            zones_url: "/api/v1/servers/localhost/zones{/zone}".to_owned(),
            config_url: "/api/v1/servers/localhost/config{/config_setting}".to_owned(),
        }
    }
}

/// One configuration setting (clients probe a few; see `config_settings`).
#[derive(Debug, Clone, Object)]
pub struct PdnsConfigSetting {
    /// `ConfigSetting`.
    #[oai(rename = "type")]
    pub kind: String,
    /// Setting name.
    pub name: String,
    /// Its value.
    pub value: String,
}

/// The settings reported: what a PowerDNS client may ask to decide what it can send.
pub fn config_settings() -> Vec<PdnsConfigSetting> {
    [
        // No LUA records and no GeoIP: octoDNS then keeps dynamic records off.
        ("enable-lua-records", "no"),
        ("launch", "scaidns"),
        ("default-soa-edit-api", "DEFAULT"),
        ("api", "yes"),
    ]
    .into_iter()
    .map(|(name, value)| PdnsConfigSetting {
        kind: "ConfigSetting".to_owned(),
        name: name.to_owned(),
        value: value.to_owned(),
    })
    .collect()
}

/// A record of an RRset.
#[derive(Debug, Clone, Object)]
pub struct PdnsRecord {
    /// Content in PowerDNS's canonical form.
    pub content: String,
    /// Kept but not served.
    #[oai(default)]
    pub disabled: bool,
}

/// A comment on an RRset, kept with it (at most 100 per RRset) until the RRset loses its last
/// record.
#[derive(Debug, Clone, Object)]
pub struct PdnsComment {
    /// Text (at most 65,535 bytes, no NUL).
    pub content: String,
    /// Free text (at most 40 characters); empty when absent.
    pub account: Option<String>,
    /// Unix time of the comment. When absent on input: the stored comment's time if the
    /// comment at this position is unchanged, else now. Always present in answers.
    pub modified_at: Option<i64>,
}

/// An RRset as answered.
#[derive(Debug, Clone, Object)]
pub struct PdnsRrset {
    /// Absolute owner name with trailing dot.
    pub name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// TTL of the RRset.
    pub ttl: u32,
    /// Its records, ordered by content.
    pub records: Vec<PdnsRecord>,
    /// Its comments, in the order they were given.
    pub comments: Vec<PdnsComment>,
}

/// An RRset change of a `PATCH` (or an RRset of a `POST`/`PUT`, where `changetype` is
/// implied).
#[derive(Debug, Clone, Object)]
pub struct PdnsRrsetChange {
    /// Absolute owner name with trailing dot.
    pub name: String,
    /// Type.
    #[oai(rename = "type")]
    pub rtype: String,
    /// `REPLACE` or `DELETE` (any case); `EXTEND`/`PRUNE` are refused as PowerDNS 4.7 does.
    pub changetype: Option<String>,
    /// TTL of the RRset (`REPLACE`).
    pub ttl: Option<i64>,
    /// The RRset's records (`REPLACE`; empty removes it).
    pub records: Option<Vec<PdnsRecord>>,
    /// The RRset's comments (`REPLACE`): they replace its comments; absent, they stay as they
    /// are. Refused (422) on an RRset without records. `REPLACE` with comments but without
    /// `records` changes only the comments. A `DELETE` removes them with the RRset.
    pub comments: Option<Vec<PdnsComment>>,
}

/// A zone. Lists leave `rrsets` out.
#[derive(Debug, Clone, Object)]
pub struct PdnsZone {
    /// `Zone`.
    #[oai(rename = "type")]
    pub kind_tag: String,
    /// PowerDNS's zone id: the name with trailing dot, bytes outside `[A-Za-z0-9.-]` as `=XX`.
    pub id: String,
    /// The zone's URL.
    pub url: String,
    /// The name with trailing dot.
    pub name: String,
    /// Always `Native`: ScaiDNS publishes and notifies itself.
    pub kind: String,
    /// The SOA serial ScaiDNS holds (0 in lists).
    pub serial: i64,
    /// 0.
    pub notified_serial: i64,
    /// The zone's generation: it grows with every change.
    pub edited_serial: i64,
    /// Empty: secondaries are managed through the native API.
    pub masters: Vec<String>,
    /// Whether the zone is signed.
    pub dnssec: bool,
    /// Empty.
    pub nsec3param: String,
    /// False.
    pub nsec3narrow: bool,
    /// False.
    pub presigned: bool,
    /// Empty.
    pub soa_edit: String,
    /// `DEFAULT`.
    pub soa_edit_api: String,
    /// True.
    pub api_rectify: bool,
    /// Empty.
    pub account: String,
    /// Empty.
    pub catalog: String,
    /// Empty.
    pub master_tsig_key_ids: Vec<String>,
    /// Empty.
    pub slave_tsig_key_ids: Vec<String>,
    /// ScaiDNS's status of the zone (`pending` until its ownership is validated, `active`).
    pub scaidns_status: String,
    /// The RRsets the caller may see (detail only).
    #[oai(skip_serializing_if_is_none)]
    pub rrsets: Option<Vec<PdnsRrset>>,
}

impl PdnsZone {
    /// The zone, with `records` as its RRsets (with their `comments`) when given.
    pub fn new(zone: &Zone, records: Option<&[Record]>, comments: &[RrsetComments]) -> Self {
        let id = zone_id::encode(zone.name.fqdn());
        Self {
            kind_tag: "Zone".to_owned(),
            url: format!("/api/v1/servers/localhost/zones/{id}"),
            id,
            name: zone.name.fqdn().to_owned(),
            kind: "Native".to_owned(),
            serial: records.map_or(0, soa_serial),
            notified_serial: 0,
            edited_serial: zone.generation,
            masters: Vec::new(),
            dnssec: zone.dnssec_enabled,
            nsec3param: String::new(),
            nsec3narrow: false,
            presigned: false,
            soa_edit: String::new(),
            soa_edit_api: "DEFAULT".to_owned(),
            api_rectify: true,
            account: String::new(),
            catalog: String::new(),
            master_tsig_key_ids: Vec::new(),
            slave_tsig_key_ids: Vec::new(),
            scaidns_status: zone.status.to_string(),
            rrsets: records.map(|r| rrsets_of(r, comments)),
        }
    }
}

/// The serial of the zone's SOA (0 when it has none).
fn soa_serial(records: &[Record]) -> i64 {
    records
        .iter()
        .find(|r| r.rtype() == RecordType::SOA)
        .and_then(|r| r.content.as_str().split_whitespace().nth(2)?.parse().ok())
        .unwrap_or(0)
}

/// Records grouped into RRsets, ordered by name and type, each RRset's records by content,
/// with their comments (comments of an RRset not among `records` are left out).
pub fn rrsets_of(records: &[Record], comments: &[RrsetComments]) -> Vec<PdnsRrset> {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by(|a, b| {
        (a.name.fqdn(), a.rtype().as_str(), a.content.as_str()).cmp(&(
            b.name.fqdn(),
            b.rtype().as_str(),
            b.content.as_str(),
        ))
    });
    let mut out: Vec<PdnsRrset> = Vec::new();
    for r in sorted {
        let record = PdnsRecord {
            content: r.content.as_str().to_owned(),
            disabled: r.disabled,
        };
        match out.last_mut() {
            Some(last) if last.name == r.name.fqdn() && last.rtype == r.rtype().as_str() => {
                last.ttl = last.ttl.min(r.ttl.seconds());
                last.records.push(record);
            }
            _ => out.push(PdnsRrset {
                name: r.name.fqdn().to_owned(),
                rtype: r.rtype().as_str().to_owned(),
                ttl: r.ttl.seconds(),
                records: vec![record],
                comments: Vec::new(),
            }),
        }
    }
    for set in comments {
        let (name, rtype) = (set.name.fqdn(), set.rtype.as_str());
        // `out` is sorted by (name, type) as built above.
        if let Ok(at) =
            out.binary_search_by(|r| (r.name.as_str(), r.rtype.as_str()).cmp(&(name, rtype)))
        {
            out[at].comments = set
                .comments
                .iter()
                .map(|c| PdnsComment {
                    content: c.content.clone(),
                    account: Some(c.account.clone()),
                    modified_at: Some(c.modified_at),
                })
                .collect();
        }
    }
    out
}

/// RRset changes as the core takes them. `implied` is the change type of RRsets without
/// `changetype` (`POST` and `PUT` send whole RRsets); `None` makes `changetype` required.
pub fn rrset_changes(
    rrsets: Vec<PdnsRrsetChange>,
    implied: Option<&str>,
) -> PdnsResult<Vec<RrsetChange>> {
    rrsets
        .into_iter()
        .map(|r| {
            let label = format!("RRset {} IN {}", r.name, r.rtype);
            let changetype = r
                .changetype
                .as_deref()
                .or(implied)
                .ok_or_else(|| invalid(format!("{label}: changetype not understood")))?
                .to_ascii_uppercase();
            let comments = r.comments.map(|comments| {
                comments
                    .into_iter()
                    .map(|c| RrsetCommentInput {
                        content: c.content,
                        account: c.account.unwrap_or_default(),
                        modified_at: c.modified_at,
                    })
                    .collect()
            });
            let action = match changetype.as_str() {
                "DELETE" => RrsetAction::Delete,
                "REPLACE" => {
                    let Some(records) = r.records else {
                        if comments.is_some() {
                            // Comments only: PowerDNS changes the comments and leaves the
                            // records.
                            return Ok(RrsetChange {
                                name: r.name,
                                rtype: r.rtype,
                                action: RrsetAction::Keep,
                                comments,
                            });
                        }
                        return Err(invalid(format!("{label}: No change for RRset")));
                    };
                    if !records.is_empty() && r.ttl.is_none() {
                        return Err(invalid(format!("{label}: TTL is required")));
                    }
                    if let Some(ttl) = r.ttl
                        && ttl < 0
                    {
                        return Err(invalid(format!("{label}: TTL must not be negative")));
                    }
                    RrsetAction::Replace {
                        ttl: r.ttl,
                        records: records
                            .into_iter()
                            .map(|rec| RrsetRecord {
                                content: rec.content,
                                disabled: rec.disabled,
                            })
                            .collect(),
                    }
                }
                "EXTEND" | "PRUNE" => {
                    return Err(invalid(format!(
                        "{label}: changetype {changetype} is not supported (as in PowerDNS 4.7): use REPLACE with the whole RRset"
                    )));
                }
                _ => return Err(invalid(format!("{label}: changetype not understood"))),
            };
            Ok(RrsetChange {
                name: r.name,
                rtype: r.rtype,
                action,
                comments,
            })
        })
        .collect()
}

fn invalid(message: String) -> PdnsError {
    PdnsError::new(poem::http::StatusCode::UNPROCESSABLE_ENTITY, message)
}

/// A zone creation (`POST …/zones`).
#[derive(Debug, Clone, Object)]
pub struct PdnsZoneCreate {
    /// The zone's name (trailing dot optional).
    pub name: String,
    /// `Native` or `Master` (any case; `Primary` too); secondaries and catalog zones are
    /// refused.
    pub kind: Option<String>,
    /// Ignored: the apex NS records are the platform's.
    pub nameservers: Option<Vec<String>>,
    /// Must be empty.
    pub masters: Option<Vec<String>>,
    /// Initial RRsets (SOA and apex NS are refused: the platform writes them).
    pub rrsets: Option<Vec<PdnsRrsetChange>>,
    /// BIND text: refused, send `rrsets` (or use the native import).
    pub zone: Option<String>,
    /// Must not be true: DNSSEC is enabled through the native API.
    pub dnssec: Option<bool>,
    /// Ignored (the platform sets `DEFAULT`).
    pub soa_edit_api: Option<String>,
    /// Ignored.
    pub serial: Option<i64>,
    /// Ignored.
    pub account: Option<String>,
}

/// A zone change (`PUT …/zones/{zone}`): with `rrsets`, the zone's whole content.
#[derive(Debug, Clone, Object)]
pub struct PdnsZoneUpdate {
    /// The zone's whole content less SOA and apex NS (which, when sent, must be left out or
    /// are ignored).
    pub rrsets: Option<Vec<PdnsRrsetChange>>,
    /// Ignored.
    pub kind: Option<String>,
    /// Ignored.
    pub account: Option<String>,
    /// Ignored.
    pub soa_edit_api: Option<String>,
    /// Must not change the zone's DNSSEC state (use the native API).
    pub dnssec: Option<bool>,
}

/// A `PATCH` body.
#[derive(Debug, Clone, Object)]
pub struct PdnsRrsetPatch {
    /// The changes, applied together or not at all.
    pub rrsets: Vec<PdnsRrsetChange>,
}

/// PowerDNS's answer to an action.
#[derive(Debug, Clone, Object)]
pub struct PdnsResultBody {
    /// What happened.
    pub result: String,
}

/// Zone metadata of one kind.
#[derive(Debug, Clone, Object)]
pub struct PdnsMetadata {
    /// `Metadata`.
    #[oai(rename = "type")]
    pub type_tag: String,
    /// The kind.
    pub kind: String,
    /// Its values (ScaiDNS keeps none).
    pub metadata: Vec<String>,
}
