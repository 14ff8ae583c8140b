//! Record templates (spec §9, issue 10 item 2): a named set of records with `${var}`
//! placeholders in their names and contents, shipped by the platform (`system`, no tenant) or
//! owned by a tenant (`custom`).
//!
//! This module is the model and its rules (bounds, variable declarations); `render` turns a
//! template and variable values into record inputs. Rendering only substitutes text: the
//! rendered name and content then go through the normal record parsing like any typed record,
//! so a value can never add a record or a field (see `render`).

mod render;

pub use render::{BUILTIN_VARIABLES, Builtins, RenderedRecord, render};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::{TemplateId, TenantId};
use crate::string_enum::string_enum;

/// Most records a custom template may hold.
pub const MAX_RECORDS: usize = 100;
/// Most variables a custom template may declare.
pub const MAX_VARIABLES: usize = 50;
/// Longest template name.
pub const MAX_NAME: usize = 100;
/// Longest description.
pub const MAX_DESCRIPTION: usize = 1000;
/// Longest record name or content before rendering.
pub const MAX_RECORD_TEXT: usize = 4096;
/// Longest variable value (given or default).
pub const MAX_VALUE: usize = 1024;
/// Longest variable pattern.
pub const MAX_PATTERN: usize = 256;
/// Compiled size bound of a variable pattern (the `regex` crate matches in linear time; this
/// bounds the memory a tenant's pattern may take).
const PATTERN_SIZE_LIMIT: usize = 64 * 1024;

string_enum!(
    /// Who ships a template.
    TemplateType {
        /// Shipped with the platform: visible to every tenant, read-only.
        System => "system",
        /// A tenant's own.
        Custom => "custom",
    }
);

/// One record of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateRecord {
    /// Owner name (`@`, relative or absolute), placeholders allowed.
    pub name: String,
    /// Type mnemonic (no placeholders).
    #[serde(rename = "type")]
    pub rtype: String,
    /// Content in presentation form, placeholders allowed.
    pub content: String,
    /// TTL; the zone's default when absent.
    #[serde(default)]
    pub ttl: Option<i64>,
}

/// A variable a template declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateVariable {
    /// Name used as `${name}`.
    pub name: String,
    /// What to give.
    #[serde(default)]
    pub description: Option<String>,
    /// Whether a value must be given (when there is no default).
    #[serde(default)]
    pub required: bool,
    /// Value used when none is given (built-in placeholders allowed).
    #[serde(default)]
    pub default: Option<String>,
    /// Regular expression the whole value must match.
    #[serde(default)]
    pub pattern: Option<String>,
}

/// A template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Template {
    /// Id.
    pub id: TemplateId,
    /// Owner; `None` for system templates.
    pub tenant_id: Option<TenantId>,
    /// Name, unique within its tenant.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Records.
    pub records: Vec<TemplateRecord>,
    /// Declared variables.
    pub variables: Vec<TemplateVariable>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last change.
    pub updated_at: DateTime<Utc>,
}

impl Template {
    /// `system` or `custom`.
    pub fn template_type(&self) -> TemplateType {
        if self.tenant_id.is_none() {
            TemplateType::System
        } else {
            TemplateType::Custom
        }
    }

    /// Checks a template's content before it is stored: bounds, names, patterns, and that
    /// every placeholder names a built-in or declared variable.
    pub fn check(&self) -> Result<()> {
        check_text("name", &self.name, MAX_NAME, false)?;
        if self.name.trim().is_empty() {
            return Err(Error::invalid("name", "the template needs a name"));
        }
        if let Some(d) = &self.description {
            check_text("description", d, MAX_DESCRIPTION, true)?;
        }
        if self.records.is_empty() {
            return Err(Error::invalid(
                "records",
                "a template needs at least one record",
            ));
        }
        if self.records.len() > MAX_RECORDS {
            return Err(Error::invalid(
                "records",
                format!("a template holds at most {MAX_RECORDS} records"),
            ));
        }
        if self.variables.len() > MAX_VARIABLES {
            return Err(Error::invalid(
                "variables",
                format!("a template declares at most {MAX_VARIABLES} variables"),
            ));
        }
        let mut declared = std::collections::HashSet::new();
        for (i, v) in self.variables.iter().enumerate() {
            let at = |f: &str| format!("variables[{i}].{f}");
            check_variable_name(&v.name).map_err(|e| e.with_field(at("name")))?;
            if BUILTIN_VARIABLES.iter().any(|(b, _)| *b == v.name) {
                return Err(Error::invalid(
                    at("name"),
                    format!("'{}' is a built-in variable and cannot be declared", v.name),
                ));
            }
            if !declared.insert(v.name.as_str()) {
                return Err(Error::invalid(
                    at("name"),
                    format!("variable '{}' is declared twice", v.name),
                ));
            }
            if let Some(d) = &v.description {
                check_text(&at("description"), d, MAX_DESCRIPTION, true)?;
            }
            if let Some(d) = &v.default {
                check_text(&at("default"), d, MAX_VALUE, false)?;
                // A default may use built-ins only: it is rendered before any other value.
                for name in render::placeholders(d).map_err(|e| e.with_field(at("default")))? {
                    if !BUILTIN_VARIABLES.iter().any(|(b, _)| *b == name) {
                        return Err(Error::invalid(
                            at("default"),
                            format!("a default may only use built-in variables, not '{name}'"),
                        ));
                    }
                }
            }
            if let Some(p) = &v.pattern {
                compile_pattern(p).map_err(|e| e.with_field(at("pattern")))?;
            }
        }
        for (i, r) in self.records.iter().enumerate() {
            let at = |f: &str| format!("records[{i}].{f}");
            check_text(&at("name"), &r.name, MAX_RECORD_TEXT, false)?;
            check_text(&at("content"), &r.content, MAX_RECORD_TEXT, false)?;
            r.rtype
                .parse::<crate::record::RecordType>()
                .map_err(|e| Error::invalid(at("type"), e.message().to_owned()))?;
            for (field, text) in [("name", &r.name), ("content", &r.content)] {
                for name in render::placeholders(text).map_err(|e| e.with_field(at(field)))? {
                    let known = declared.contains(name.as_str())
                        || BUILTIN_VARIABLES.iter().any(|(b, _)| *b == name);
                    if !known {
                        return Err(Error::invalid(
                            at(field),
                            format!(
                                "placeholder '${{{name}}}' names no declared or built-in variable"
                            ),
                        ));
                    }
                }
            }
        }
        Ok(())
    }
}

/// Compiles a variable pattern, anchored so that it must match the whole value; refuses an
/// over-long or over-large one with a 422.
pub fn compile_pattern(pattern: &str) -> Result<regex::Regex> {
    if pattern.chars().count() > MAX_PATTERN {
        return Err(Error::invalid(
            "pattern",
            format!("a pattern is at most {MAX_PATTERN} characters"),
        ));
    }
    regex::RegexBuilder::new(&format!("^(?:{pattern})$"))
        .size_limit(PATTERN_SIZE_LIMIT)
        .dfa_size_limit(PATTERN_SIZE_LIMIT)
        .nest_limit(32)
        .build()
        .map_err(|e| Error::invalid("pattern", format!("not a usable pattern: {e}")))
}

fn check_variable_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || name.len() > 64 || !chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(Error::invalid(
            "name",
            "a variable name is a letter or '_' then up to 63 letters, digits or '_'",
        ));
    }
    Ok(())
}

/// Bounds a text field and refuses control characters (a newline never reaches record
/// parsing from a template).
pub(crate) fn check_text(field: &str, text: &str, max: usize, allow_newlines: bool) -> Result<()> {
    if text.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("{field} is at most {max} characters"),
        ));
    }
    let bad = text
        .chars()
        .any(|c| c.is_control() && !(allow_newlines && (c == '\n' || c == '\t')));
    if bad {
        return Err(Error::invalid(
            field,
            format!("{field} must not contain control characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
