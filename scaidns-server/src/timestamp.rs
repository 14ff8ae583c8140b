//! [`Timestamp`]: the one way the API writes and reads points in time.
//!
//! The contract (api-zones §1.3) says ISO-8601 UTC with a `Z` suffix (`2026-04-01T10:00:00Z`);
//! poem-openapi writes `chrono::DateTime<Utc>` with `+00:00`. Every DTO uses this newtype
//! instead, so the wire format is decided here once. Input accepts any RFC 3339 offset and is
//! converted to UTC.

use std::borrow::Cow;

use chrono::{DateTime, SecondsFormat, Utc};
use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

/// A UTC point in time, written as RFC 3339 with a `Z` suffix (fractional seconds only when
/// there are any).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub DateTime<Utc>);

impl Timestamp {
    /// The wire form.
    pub fn to_wire(&self) -> String {
        self.0.to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    /// Parses RFC 3339 with any offset.
    pub fn parse(raw: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(raw.trim())
            .map(|t| Self(t.with_timezone(&Utc)))
            .map_err(|_| {
                format!("'{raw}' is not an RFC 3339 date-time (e.g. 2026-04-01T10:00:00Z)")
            })
    }

    /// The inner value.
    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(t: DateTime<Utc>) -> Self {
        Self(t)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(t: Timestamp) -> Self {
        t.0
    }
}

impl Type for Timestamp {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema::new_with_format("string", "date-time")))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for Timestamp {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(raw) => Self::parse(&raw).map_err(ParseError::custom),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ParseFromParameter for Timestamp {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        Self::parse(value).map_err(ParseError::custom)
    }
}

impl ToJSON for Timestamp {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_wire()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_z_and_reads_any_offset() {
        let t = Timestamp::parse("2026-04-01T12:00:00+02:00").unwrap();
        assert_eq!(t.to_wire(), "2026-04-01T10:00:00Z");
        let fine = Timestamp::parse("2026-04-01T10:00:00.250Z").unwrap();
        assert_eq!(
            fine.to_json(),
            Some(Value::from("2026-04-01T10:00:00.250Z"))
        );
        assert!(Timestamp::parse("yesterday").is_err());
        assert!(Timestamp::parse_from_json(Some(Value::from(5))).is_err());
    }
}
