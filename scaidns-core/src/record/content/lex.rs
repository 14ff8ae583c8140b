//! Presentation-format lexing shared by every record type (RFC 1035 §5.1): fields separated by
//! blanks, `<character-string>`s in double quotes with `\"`, `\\`, `\X` and `\DDD` escapes, and
//! numbers.
//!
//! Rendering follows PowerDNS's own `txtEscape`: bytes below 32 or above 126 become `\DDD`, quotes
//! and backslashes are escaped, everything else is kept. PowerDNS 4.7 stores quoted text as given,
//! so one deterministic rendering is what makes equal data compare equal.

use crate::error::{Error, Result};

/// Longest `<character-string>` (RFC 1035 §3.3: one length octet).
pub(crate) const MAX_CHARSTR: usize = 255;

pub(crate) fn invalid(message: impl Into<String>) -> Error {
    Error::invalid("content", message)
}

/// Splits on blanks outside double quotes; a backslash inside quotes protects the next character.
pub(crate) fn fields<'a>(input: &'a str, what: &str) -> Result<Vec<&'a str>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in input.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if quoted => escaped = true,
            '"' => {
                quoted = !quoted;
                start.get_or_insert(i);
            }
            c if c.is_whitespace() && !quoted => {
                if let Some(s) = start.take() {
                    out.push(&input[s..i]);
                }
            }
            _ => {
                start.get_or_insert(i);
            }
        }
    }
    if quoted {
        return Err(invalid(format!(
            "{what} has a quoted string without its closing quote"
        )));
    }
    if let Some(s) = start {
        out.push(&input[s..]);
    }
    Ok(out)
}

/// Reads a sequence of quoted strings separated by optional blanks (`"a" "b"`, `"a""b"`).
pub(crate) fn quoted_strings(input: &str, what: &str) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    let mut rest = input.trim_start();
    while !rest.is_empty() {
        let Some(body) = rest.strip_prefix('"') else {
            return Err(invalid(format!(
                "{what} must be quoted strings like \"text\"; found text outside quotes"
            )));
        };
        let (bytes, after) = decode_until_quote(body, what)?;
        out.push(bytes);
        rest = after.trim_start();
    }
    Ok(out)
}

/// Decodes one field that is exactly one quoted string.
pub(crate) fn unquote(field: &str, what: &str) -> Result<Vec<u8>> {
    let mut strings = quoted_strings(field, what)?;
    match (strings.pop(), strings.is_empty()) {
        (Some(one), true) => Ok(one),
        _ => Err(invalid(format!("{what} must be one quoted string"))),
    }
}

/// A field that may be quoted (escapes decoded) or bare (taken literally).
pub(crate) fn maybe_quoted(field: &str, what: &str) -> Result<Vec<u8>> {
    if field.starts_with('"') {
        unquote(field, what)
    } else {
        Ok(field.as_bytes().to_vec())
    }
}

/// Decodes escapes up to the closing quote; returns the bytes and the text after the quote.
fn decode_until_quote<'a>(body: &'a str, what: &str) -> Result<(Vec<u8>, &'a str)> {
    let mut out = Vec::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Ok((out, &body[i + 1..])),
            '\\' => {
                let Some((_, next)) = chars.next() else { break };
                if next.is_ascii_digit() {
                    let mut value = u32::from(next) - u32::from('0');
                    for _ in 0..2 {
                        match chars.next() {
                            Some((_, d)) if d.is_ascii_digit() => {
                                value = value * 10 + (u32::from(d) - u32::from('0'))
                            }
                            _ => {
                                return Err(invalid(format!(
                                    "{what} has an escape \\DDD without three digits"
                                )));
                            }
                        }
                    }
                    let byte = u8::try_from(value).map_err(|_| {
                        invalid(format!("{what} has an escape \\{value} above \\255"))
                    })?;
                    out.push(byte);
                } else {
                    push_char(&mut out, next);
                }
            }
            c => push_char(&mut out, c),
        }
    }
    Err(invalid(format!(
        "{what} has a quoted string without its closing quote"
    )))
}

fn push_char(out: &mut Vec<u8>, c: char) {
    let mut buf = [0u8; 4];
    out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
}

/// Escapes bytes for use inside double quotes, the way PowerDNS renders them.
pub(crate) fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            32..=126 => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out
}

/// `"…"` with escapes.
pub(crate) fn quote(bytes: &[u8]) -> String {
    format!("\"{}\"", escape(bytes))
}

/// Parses an unsigned decimal field (leading zeros allowed) into any unsigned integer type.
pub(crate) fn number<T: TryFrom<u64>>(field: &str, what: &str, max: u64) -> Result<T> {
    let err = || invalid(format!("{what} must be a whole number from 0 to {max}"));
    if field.is_empty() || field.len() > 20 || !field.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let value: u64 = field.parse().map_err(|_| err())?;
    if value > max {
        return Err(err());
    }
    T::try_from(value).map_err(|_| err())
}

pub(crate) fn u8_field(field: &str, what: &str) -> Result<u8> {
    number(field, what, u64::from(u8::MAX))
}

pub(crate) fn u16_field(field: &str, what: &str) -> Result<u16> {
    number(field, what, u64::from(u16::MAX))
}

pub(crate) fn u32_field(field: &str, what: &str) -> Result<u32> {
    number(field, what, u64::from(u32::MAX))
}

/// Hex digits, possibly split over several fields (as in zone files), into bytes.
pub(crate) fn hex_fields(parts: &[&str], what: &str) -> Result<Vec<u8>> {
    let joined: String = parts.concat();
    if joined.is_empty() {
        return Err(invalid(format!(
            "{what} is missing (hexadecimal digits expected)"
        )));
    }
    if !joined.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid(format!(
            "{what} must be hexadecimal digits (0-9, a-f)"
        )));
    }
    if !joined.len().is_multiple_of(2) {
        return Err(invalid(format!(
            "{what} must have an even number of hexadecimal digits"
        )));
    }
    hex::decode(joined)
        .map_err(|_| invalid(format!("{what} must be hexadecimal digits (0-9, a-f)")))
}

/// Base64 (RFC 4648, padding optional), possibly split over several fields as zone files
/// write long keys, into bytes. PowerDNS prints it unsplit with padding.
pub(crate) fn base64_fields(parts: &[&str], what: &str) -> Result<Vec<u8>> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let joined: String = parts.concat();
    if joined.is_empty() {
        return Err(invalid(format!("{what} is missing (base64 expected)")));
    }
    LENIENT
        .decode(joined.as_bytes())
        .map_err(|_| invalid(format!("{what} must be base64 (A-Z, a-z, 0-9, +, /, =)")))
}

/// Standard padded base64, as PowerDNS prints it.
pub(crate) fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A DNSSEC algorithm number or its mnemonic (RFC 8624 and the IANA registry), as `named`
/// reads KEY, CDNSKEY and CERT records.
pub(crate) fn algorithm_field(field: &str, what: &str) -> Result<u8> {
    const MNEMONICS: &[(&str, u8)] = &[
        ("RSAMD5", 1),
        ("DH", 2),
        ("DSA", 3),
        ("RSASHA1", 5),
        ("DSA-NSEC3-SHA1", 6),
        ("RSASHA1-NSEC3-SHA1", 7),
        ("RSASHA256", 8),
        ("RSASHA512", 10),
        ("ECC-GOST", 12),
        ("ECDSAP256SHA256", 13),
        ("ECDSAP384SHA384", 14),
        ("ED25519", 15),
        ("ED448", 16),
        ("INDIRECT", 252),
        ("PRIVATEDNS", 253),
        ("PRIVATEOID", 254),
    ];
    let upper = field.to_ascii_uppercase();
    match MNEMONICS.iter().find(|(m, _)| *m == upper) {
        Some((_, n)) => Ok(*n),
        None if field.bytes().all(|b| b.is_ascii_digit()) => u8_field(field, what),
        None => Err(invalid(format!(
            "{what} must be a number from 0 to 255 or a mnemonic like ECDSAP256SHA256"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_fields_outside_quotes() {
        assert_eq!(
            fields(" 10\t 20  \"a b\" c ", "x").unwrap(),
            vec!["10", "20", "\"a b\"", "c"]
        );
        assert_eq!(
            fields(r#"alpn="h2 h3" port=1"#, "x").unwrap(),
            vec![r#"alpn="h2 h3""#, "port=1"]
        );
        assert_eq!(
            fields(r#""a\" b" c"#, "x").unwrap(),
            vec![r#""a\" b""#, "c"]
        );
        assert_eq!(fields("\"open", "x").unwrap_err().field(), Some("content"));
    }

    #[test]
    fn decodes_and_reescapes() {
        let s = quoted_strings(r#""a\"b" "c\\d""e\065\009""#, "TXT").unwrap();
        assert_eq!(
            s,
            vec![b"a\"b".to_vec(), b"c\\d".to_vec(), b"eA\t".to_vec()]
        );
        assert_eq!(quote(&s[2]), r#""eA\009""#);
        assert_eq!(escape("café".as_bytes()), r"caf\195\169");
        assert_eq!(escape(b"\x7f~ "), r"\127~ ");
        assert!(quoted_strings(r#""\256""#, "TXT").is_err());
        assert!(quoted_strings(r#""\12""#, "TXT").is_err());
        assert!(quoted_strings(r#""a"b"#, "TXT").is_err());
        assert!(quoted_strings(r#""a\"#, "TXT").is_err());
        assert_eq!(unquote("\"\"", "x").unwrap(), Vec::<u8>::new());
        assert!(unquote("\"a\" \"b\"", "x").is_err());
    }

    #[test]
    fn numbers_and_hex() {
        assert_eq!(u16_field("010", "x").unwrap(), 10);
        assert!(u16_field("65536", "x").is_err());
        assert!(u8_field("-1", "x").is_err());
        assert!(u8_field("+1", "x").is_err());
        assert_eq!(u32_field("4294967295", "x").unwrap(), u32::MAX);
        assert_eq!(hex_fields(&["AB", "cd"], "x").unwrap(), vec![0xab, 0xcd]);
        assert!(hex_fields(&["abc"], "x").is_err());
        assert!(hex_fields(&["zz"], "x").is_err());
        assert!(hex_fields(&[], "x").is_err());
    }
}
