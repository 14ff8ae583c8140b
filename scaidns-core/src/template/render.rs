//! Rendering a template: resolves every variable (given, default or built-in), checks the
//! values, and substitutes them into record names and contents.
//!
//! Syntax: `${name}` is replaced; `$$` is a literal `$`; any other `$` is kept as is. Values are
//! plain text of at most [`super::MAX_VALUE`] characters without control characters, and match
//! their variable's pattern when it has one. The result is text for the normal record parser —
//! one rendered record is always one record, whatever its values contain.

use std::collections::BTreeMap;

use super::{MAX_VALUE, Template, check_text, compile_pattern};
use crate::error::{Error, ErrorKind, Result};

/// The built-in variables and what they hold (`GET /templates/variables`).
pub const BUILTIN_VARIABLES: &[(&str, &str)] = &[
    ("domain", "the zone's name, without a trailing dot"),
    ("zone_id", "the zone's id"),
    ("tenant", "the slug of the tenant that owns the zone"),
];

/// Values of the built-in variables for one zone.
#[derive(Debug, Clone)]
pub struct Builtins {
    /// `${domain}`.
    pub domain: String,
    /// `${zone_id}`.
    pub zone_id: String,
    /// `${tenant}`.
    pub tenant: String,
}

impl Builtins {
    fn get(&self, name: &str) -> Option<&str> {
        match name {
            "domain" => Some(&self.domain),
            "zone_id" => Some(&self.zone_id),
            "tenant" => Some(&self.tenant),
            _ => None,
        }
    }
}

/// One record of a rendered template: input for record parsing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedRecord {
    /// Owner name as rendered.
    pub name: String,
    /// Type mnemonic.
    pub rtype: String,
    /// Content as rendered.
    pub content: String,
    /// TTL, when the template gives one.
    pub ttl: Option<i64>,
}

/// The names of the placeholders in `text`, in order (with repeats).
pub(crate) fn placeholders(text: &str) -> Result<Vec<String>> {
    let mut names = Vec::new();
    substitute(text, &mut |name| {
        names.push(name.to_owned());
        Ok(String::new())
    })?;
    Ok(names)
}

/// Renders `template` for a zone with `given` values: the records and every variable's value.
/// A missing required variable is 422 `missing_variables` naming all of them; an unknown or
/// bad value 422 naming `variables.<name>`.
pub fn render(
    template: &Template,
    builtins: &Builtins,
    given: &BTreeMap<String, String>,
) -> Result<(Vec<RenderedRecord>, BTreeMap<String, String>)> {
    for name in given.keys() {
        if builtins.get(name).is_some() {
            return Err(Error::invalid(
                format!("variables.{name}"),
                format!("'{name}' is a built-in variable and cannot be given"),
            ));
        }
        if !template.variables.iter().any(|v| &v.name == name) {
            return Err(Error::invalid(
                format!("variables.{name}"),
                format!("the template declares no variable '{name}'"),
            ));
        }
    }
    let mut values = BTreeMap::new();
    let mut missing = Vec::new();
    for v in &template.variables {
        let field = format!("variables.{}", v.name);
        let value = match (given.get(&v.name), &v.default) {
            (Some(value), _) => value.clone(),
            (None, Some(default)) => substitute(default, &mut |n| builtin(builtins, n))?,
            (None, None) if v.required => {
                missing.push(v.name.clone());
                continue;
            }
            (None, None) => String::new(),
        };
        check_text(&field, &value, MAX_VALUE, false)?;
        if let Some(pattern) = &v.pattern {
            let re = compile_pattern(pattern).map_err(|e| e.with_field(field.clone()))?;
            if !re.is_match(&value) {
                return Err(Error::invalid(
                    field,
                    format!("'{value}' does not match the pattern {pattern}"),
                ));
            }
        }
        values.insert(v.name.clone(), value);
    }
    if !missing.is_empty() {
        return Err(Error::new(
            ErrorKind::InvalidInput,
            "missing_variables",
            format!("required variables without a value: {}", missing.join(", ")),
        )
        .with_field("variables"));
    }
    let mut lookup = |name: &str| match values.get(name) {
        Some(v) => Ok(v.clone()),
        None => builtin(builtins, name),
    };
    let records = template
        .records
        .iter()
        .map(|r| {
            Ok(RenderedRecord {
                name: substitute(&r.name, &mut lookup)?,
                rtype: r.rtype.clone(),
                content: substitute(&r.content, &mut lookup)?,
                ttl: r.ttl,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((records, values))
}

fn builtin(builtins: &Builtins, name: &str) -> Result<String> {
    builtins
        .get(name)
        .map(str::to_owned)
        .ok_or_else(|| Error::invalid("variables", format!("unknown variable '{name}'")))
}

/// Replaces each `${name}` of `text` with `value(name)`; `$$` is a literal `$`.
fn substitute(text: &str, value: &mut dyn FnMut(&str) -> Result<String>) -> Result<String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').ok_or_else(|| {
                Error::invalid("records", "a '${' placeholder is not closed with '}'")
            })?;
            out.push_str(&value(&body[..end])?);
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}
