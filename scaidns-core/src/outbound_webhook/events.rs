//! Which changes are events, what subscribers may ask for, and what an event carries.
//!
//! Events are made from the audit entries a change writes in its transaction: every path that
//! changes a zone (records, bulk, import, templates, lifecycle, validation, DNSSEC) already
//! writes one, so none needs code of its own to emit events. An event's type is its audit
//! action in the API's words: `domain.*` becomes `zone.*`, `domain.validation.*` becomes
//! `validation.*`, `record.*` and `dnssec.*` stay, and a template applied to a zone is
//! `zone.template_apply`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit::AuditEvent;
use crate::error::{Error, Result};
use crate::ids::{TenantId, WebhookEventId};

/// The event families a subscription may name with a wildcard.
pub const FAMILIES: &[&str] = &["zone", "record", "validation", "dnssec"];

/// The event type of a delivery sent by `POST …/{id}/test`.
pub const TEST_EVENT: &str = "test";

/// The event type of the audit action `action`, when it is one.
pub fn event_type_of(action: &str) -> Option<String> {
    if let Some(rest) = action.strip_prefix("domain.validation.") {
        return Some(format!("validation.{rest}"));
    }
    if let Some(rest) = action.strip_prefix("domain.") {
        return Some(format!("zone.{rest}"));
    }
    if action == "template.apply" {
        return Some("zone.template_apply".to_owned());
    }
    if action == "zone.import" || action.starts_with("record.") || action.starts_with("dnssec.") {
        return Some(action.to_owned());
    }
    None
}

/// What a subscription asks for: `*`, a family wildcard (`record.*`) or one event type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventPattern(String);

impl EventPattern {
    /// Parses `text`: `*`, `<family>.*` or `<family>.<name>` with a known family and a name of
    /// lowercase letters, digits and `_`.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        let bad = || {
            Error::invalid(
                "events",
                format!(
                    "'{text}' is not an event: use *, one of {} followed by .* or by an event name",
                    FAMILIES.join(", ")
                ),
            )
        };
        if text == "*" {
            return Ok(Self(text.to_owned()));
        }
        let (family, name) = text.split_once('.').ok_or_else(bad)?;
        let name_ok = name == "*"
            || (!name.is_empty()
                && name.len() <= 48
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
        if !FAMILIES.contains(&family) || !name_ok {
            return Err(bad());
        }
        Ok(Self(text.to_owned()))
    }

    /// Whether `event_type` is one this pattern asks for. A `test` delivery is sent whatever
    /// the patterns.
    pub fn matches(&self, event_type: &str) -> bool {
        match self.0.strip_suffix(".*") {
            _ if self.0 == "*" => true,
            Some(family) => event_type
                .strip_prefix(family)
                .is_some_and(|rest| rest.starts_with('.')),
            None => self.0 == event_type,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EventPattern {
    type Error = Error;
    fn try_from(value: String) -> Result<Self> {
        Self::parse(&value)
    }
}

impl From<EventPattern> for String {
    fn from(value: EventPattern) -> Self {
        value.0
    }
}

/// Parses a subscription's patterns: at least one, at most 32, duplicates dropped.
pub fn parse_patterns<S: AsRef<str>>(texts: &[S]) -> Result<Vec<EventPattern>> {
    if texts.is_empty() || texts.len() > 32 {
        return Err(Error::invalid("events", "give between 1 and 32 events"));
    }
    let mut out: Vec<EventPattern> = Vec::new();
    for text in texts {
        let pattern = EventPattern::parse(text.as_ref())?;
        if !out.contains(&pattern) {
            out.push(pattern);
        }
    }
    Ok(out)
}

/// Who made the change an event tells of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventActor {
    /// `user`, `api_key`, `system` or `webhook`.
    #[serde(rename = "type")]
    pub actor_type: String,
    /// Its id, if any.
    pub id: Option<String>,
    /// Its e-mail, if any.
    pub email: Option<String>,
}

/// The zone an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventZone {
    /// Zone id.
    pub id: String,
    /// Zone name, without the trailing dot.
    pub name: Option<String>,
    /// The zone's generation once the change committed (absent when the zone is gone).
    pub generation: Option<i64>,
}

/// One event as subscribers receive it (the JSON body of a delivery).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// Event id: the same for every delivery and redelivery of this event.
    pub id: WebhookEventId,
    /// `record.create`, `zone.delete`, `test`…
    #[serde(rename = "type")]
    pub event_type: String,
    /// When the change was made.
    pub occurred_at: DateTime<Utc>,
    /// The tenant.
    pub tenant_id: TenantId,
    /// The zone, when the event is about one.
    pub zone: Option<EventZone>,
    /// Who made the change.
    pub actor: EventActor,
    /// The request that made it.
    pub request_id: Option<String>,
    /// The resource the audit entry names (`record`, `domain`, `template`) and its id.
    pub resource: serde_json::Value,
    /// State before (a record event: the record; otherwise what the audit entry keeps).
    pub before: Option<serde_json::Value>,
    /// State after.
    pub after: Option<serde_json::Value>,
}

/// The zone id an audit entry is about, when it names one: a zone's own entries name it as
/// their resource; record entries and template applications carry it as `domain_id`.
pub fn zone_id_of(entry: &AuditEvent) -> Option<String> {
    if entry.resource_type == "domain" || entry.resource_type == "zone" {
        return entry.resource_id.clone();
    }
    [&entry.after, &entry.before]
        .into_iter()
        .flatten()
        .find_map(|v| {
            v.get("domain_id")
                .and_then(|d| d.as_str())
                .map(str::to_owned)
        })
}

/// The event an audit entry stands for, when it is one and belongs to a tenant. `zone` is the
/// zone as the change left it (name and generation read in the same transaction).
pub fn event_of(
    entry: &AuditEvent,
    zone: Option<EventZone>,
    id: WebhookEventId,
) -> Option<WebhookEvent> {
    let event_type = event_type_of(&entry.action)?;
    let tenant_id = entry.tenant_id?;
    Some(WebhookEvent {
        id,
        event_type,
        occurred_at: entry.created_at,
        tenant_id,
        zone,
        actor: EventActor {
            actor_type: entry.actor_type.as_str().to_owned(),
            id: entry.actor_id.clone(),
            email: entry.actor_email.clone(),
        },
        request_id: entry.request_id.clone(),
        resource: serde_json::json!({
            "type": entry.resource_type,
            "id": entry.resource_id,
            "name": entry.resource_name,
        }),
        before: entry.before.clone(),
        after: entry.after.clone(),
    })
}

/// The records (relative name, type) a record event tells of, for filtering by grants: the
/// record before AND after the change, so a record moved out of (or into) a grantee's names
/// is not shown to it. Empty for other events.
pub fn records_of(event: &WebhookEvent) -> Vec<(String, String)> {
    if !event.event_type.starts_with("record.") {
        return Vec::new();
    }
    let Some(zone) = event.zone.as_ref().and_then(|z| z.name.as_deref()) else {
        return Vec::new();
    };
    let mut out: Vec<(String, String)> = Vec::new();
    for view in [&event.before, &event.after].into_iter().flatten() {
        let (Some(name), Some(rtype)) = (
            view.get("name").and_then(|n| n.as_str()),
            view.get("type").and_then(|t| t.as_str()),
        ) else {
            continue;
        };
        let relative = if name.eq_ignore_ascii_case(zone) {
            "@".to_owned()
        } else {
            name.strip_suffix(&format!(".{zone}"))
                .unwrap_or(name)
                .to_owned()
        };
        let record = (relative, rtype.to_owned());
        if !out.contains(&record) {
            out.push(record);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_actions_become_event_types() {
        assert_eq!(
            event_type_of("record.create").as_deref(),
            Some("record.create")
        );
        assert_eq!(
            event_type_of("domain.delete").as_deref(),
            Some("zone.delete")
        );
        assert_eq!(
            event_type_of("domain.validation.success").as_deref(),
            Some("validation.success")
        );
        assert_eq!(
            event_type_of("dnssec.enable").as_deref(),
            Some("dnssec.enable")
        );
        assert_eq!(event_type_of("zone.import").as_deref(), Some("zone.import"));
        assert_eq!(
            event_type_of("template.apply").as_deref(),
            Some("zone.template_apply")
        );
        assert_eq!(event_type_of("template.create"), None);
        assert_eq!(event_type_of("api_key.create"), None);
    }

    #[test]
    fn a_record_event_names_the_record_before_and_after() {
        let event = WebhookEvent {
            id: WebhookEventId::new(),
            event_type: "record.update".into(),
            occurred_at: Utc::now(),
            tenant_id: TenantId::new(),
            zone: Some(EventZone {
                id: "z".into(),
                name: Some("example.com".into()),
                generation: Some(2),
            }),
            actor: EventActor {
                actor_type: "user".into(),
                id: None,
                email: None,
            },
            request_id: None,
            resource: serde_json::Value::Null,
            before: Some(serde_json::json!({"name": "www.example.com", "type": "A"})),
            after: Some(serde_json::json!({"name": "api.dev.example.com", "type": "A"})),
        };
        assert_eq!(
            records_of(&event),
            [
                ("www".to_owned(), "A".to_owned()),
                ("api.dev".to_owned(), "A".to_owned())
            ]
        );
        let zone_event = WebhookEvent {
            event_type: "zone.update".into(),
            ..event
        };
        assert!(records_of(&zone_event).is_empty());
    }

    #[test]
    fn patterns_parse_and_match() {
        let p = |s: &str| EventPattern::parse(s).unwrap();
        assert!(p("record.*").matches("record.create"));
        assert!(!p("record.*").matches("records.create"));
        assert!(!p("record.*").matches("zone.create"));
        assert!(p("zone.delete").matches("zone.delete"));
        assert!(!p("zone.delete").matches("zone.create"));
        assert!(p("*").matches("dnssec.enable"));
        for bad in [
            "",
            "record",
            "records.*",
            "record.",
            "record.Create",
            "user.*",
            "*.*",
        ] {
            assert!(EventPattern::parse(bad).is_err(), "{bad}");
        }
        assert!(parse_patterns::<&str>(&[]).is_err());
        assert_eq!(parse_patterns(&["zone.*", "zone.*"]).unwrap().len(), 1);
    }
}
