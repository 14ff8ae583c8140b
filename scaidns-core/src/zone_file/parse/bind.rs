//! Master-file records and directives (RFC 1035 §5, RFC 2308 §4 for `$TTL`), with BIND's
//! extensions that `named` accepts: TTL units (`1h30m`) and TTL and class in either order.

use super::lexer::{self, Entry, Tag};
use super::names::{absolute, qualify, quote_strings};
use super::{Raw, Sink};
use crate::record::RecordType;
use crate::record::ttl::MAX_PROTOCOL_TTL;

/// What the directives and earlier records set for the lines that follow.
struct Context {
    origin: String,
    default_ttl: Option<i64>,
    last_ttl: Option<i64>,
    last_owner: Option<String>,
}

pub(super) fn read(input: &str, sink: &mut Sink<'_>) {
    let mut cx = Context {
        origin: sink.zone.fqdn().to_owned(),
        default_ttl: None,
        last_ttl: None,
        last_owner: None,
    };
    lexer::entries(input, |entry| {
        if let Some(reason) = &entry.error {
            sink.error(entry.line, &entry.text, reason.clone());
            return true;
        }
        let first = &entry.tokens[0].text;
        if !entry.blank_owner && entry.tag.is_none() && first.starts_with('$') {
            if let Err(reason) = directive(&entry, &mut cx) {
                sink.error(entry.line, &entry.text, reason);
            }
            return true;
        }
        if let Err(reason) = record(&entry, &mut cx, sink) {
            sink.error(entry.line, &entry.text, reason);
        }
        !sink.full()
    });
}

/// A name as the wire holds it: at most 255 octets (253 characters written without the root
/// dot), labels of at most 63. Checked as each line is read, so a huge `$ORIGIN` or owner is
/// an error of its line and never grows or is copied from line to line.
fn check_name(name: &str, what: &str) -> Result<(), String> {
    let mut total = 0usize;
    let mut label = 0usize;
    let mut bytes = name.bytes().peekable();
    while let Some(b) = bytes.next() {
        match b {
            b'.' => {
                total += label + 1;
                label = 0;
                continue;
            }
            b'\\' => {
                // `\DDD` or `\X` is one octet.
                if bytes.peek().is_some_and(u8::is_ascii_digit) {
                    bytes.next();
                    bytes.next();
                }
                bytes.next();
            }
            _ => {}
        }
        label += 1;
        if label > 63 {
            return Err(format!("{what} has a label longer than 63 characters"));
        }
    }
    total += label;
    if total > 254 {
        return Err(format!("{what} is longer than 253 characters"));
    }
    Ok(())
}

fn directive(entry: &Entry, cx: &mut Context) -> Result<(), String> {
    let args: Vec<&str> = entry.tokens[1..].iter().map(|t| t.text.as_str()).collect();
    match entry.tokens[0].text.to_ascii_uppercase().as_str() {
        "$ORIGIN" => match args.as_slice() {
            [name] => {
                let origin = absolute(name, &cx.origin);
                check_name(&origin, "$ORIGIN")?;
                cx.origin = origin.to_ascii_lowercase();
                Ok(())
            }
            _ => Err("$ORIGIN takes one domain name".to_owned()),
        },
        "$TTL" => match args.as_slice() {
            [ttl] => {
                let ttl = parse_ttl(ttl).ok_or_else(|| format!("$TTL: {}", ttl_error(ttl)))?;
                cx.default_ttl = Some(ttl);
                Ok(())
            }
            _ => Err("$TTL takes one TTL".to_owned()),
        },
        "$INCLUDE" => Err(
            "$INCLUDE is not supported: paste the included file's records in its place".to_owned(),
        ),
        "$GENERATE" => {
            Err("$GENERATE is not supported: write out the records it would generate".to_owned())
        }
        other => Err(format!("unknown directive {other}")),
    }
}

fn record(entry: &Entry, cx: &mut Context, sink: &mut Sink<'_>) -> Result<(), String> {
    let mut tokens = entry.tokens.iter().map(|t| t.text.as_str()).peekable();
    let owner = if entry.blank_owner {
        cx.last_owner.clone().ok_or(
            "the line starts with a blank but no valid owner name comes before it to reuse",
        )?
    } else {
        let name = tokens.next().unwrap_or_default();
        let owner = absolute(name, &cx.origin);
        // A bad owner is not reused by the blank-owner lines after it.
        cx.last_owner = None;
        check_name(&owner, "the owner name")?;
        cx.last_owner = Some(owner.clone());
        owner
    };

    let mut ttl = None;
    let mut class = false;
    let rtype = loop {
        let token = tokens.next().ok_or("the record has no type")?;
        if ttl.is_none()
            && let Some(seconds) = parse_ttl(token)
        {
            ttl = Some(seconds);
            continue;
        }
        // No type name starts with a digit: this is a TTL mistyped, never a type to skip.
        if token.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(ttl_error(token));
        }
        if !class && is_class(token) {
            if !token.eq_ignore_ascii_case("IN") {
                return Err(format!(
                    "class {token} is not supported; only IN records can be imported"
                ));
            }
            class = true;
            continue;
        }
        break token;
    };
    if ttl.is_some() {
        cx.last_ttl = ttl;
    }
    let ttl = ttl.or(cx.default_ttl).or(cx.last_ttl);

    let mut fields: Vec<String> = tokens.map(str::to_owned).collect();
    if let Ok(t) = rtype.parse::<RecordType>()
        && !matches!(t, RecordType::Generic(_))
        && fields.first().is_some_and(|f| f == "\\#")
    {
        return Err(format!(
            "generic RDATA (\\#) for a known type ({t}): write it in its presentation form"
        ));
    }
    if let Ok(t) = rtype.parse::<RecordType>() {
        qualify(t, &mut fields, &cx.origin);
        quote_strings(t, &mut fields);
    }
    if fields.is_empty() {
        return Err(format!("the {rtype} record has no data"));
    }
    let content = fields.join(" ");
    sink.record(Raw {
        line: entry.line,
        text: &entry.text,
        name: &owner,
        rtype,
        content: &content,
        ttl,
        disabled: entry.tag == Some(Tag::Disabled),
    });
    Ok(())
}

/// Why `token` (in a TTL's place, starting with a digit) is not a TTL.
pub(super) fn ttl_error(token: &str) -> String {
    let unit = |c: char| c.is_ascii_digit() || "smhdwSMHDW".contains(c);
    if token.chars().all(unit) {
        format!("TTL '{token}' out of range (at most {MAX_PROTOCOL_TTL} seconds)")
    } else {
        format!("'{token}' is not a TTL")
    }
}

fn is_class(token: &str) -> bool {
    ["IN", "CH", "CS", "HS", "NONE", "ANY"]
        .iter()
        .any(|c| token.eq_ignore_ascii_case(c))
}

/// A TTL in seconds, or with BIND's units (`1w2d3h4m5s`, case-insensitive).
pub(super) fn parse_ttl(token: &str) -> Option<i64> {
    if token.is_empty() || !token.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in token.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    total = total.checked_add(number.unwrap_or(0))?;
    (total <= i64::from(MAX_PROTOCOL_TTL)).then_some(total)
}
