//! TXT content (RFC 1035 §3.3.14): one or more `<character-string>`s of at most 255 bytes.
//!
//! Input that starts with a quote must be complete quoted strings and keeps its split; anything
//! else is one literal string (so SPF or DKIM text can be pasted as is). Strings longer than 255
//! bytes are cut into 255-byte pieces: PowerDNS 4.7 stores an over-long string as given and
//! splits it only on the wire, so splitting here keeps what is stored equal to what is served.

use crate::error::Result;
use crate::record::content::lex::{MAX_CHARSTR, invalid, quote, quoted_strings};

/// Most RDATA bytes a record can hold (RFC 1035 §3.2.1: 16-bit RDLENGTH).
const MAX_RDATA: usize = 65_535;

pub(crate) fn parse_txt(input: &str) -> Result<Vec<Vec<u8>>> {
    let strings = if input.starts_with('"') {
        quoted_strings(input, "TXT content")?
    } else {
        vec![input.as_bytes().to_vec()]
    };
    let chunks = split_long(strings);
    if chunks.iter().map(|c| c.len() + 1).sum::<usize>() > MAX_RDATA {
        return Err(invalid(format!(
            "TXT content must be at most {MAX_RDATA} bytes in total"
        )));
    }
    Ok(chunks)
}

/// Cuts every string into pieces of at most 255 bytes, keeping empty strings.
pub(crate) fn split_long(strings: Vec<Vec<u8>>) -> Vec<Vec<u8>> {
    let mut out = Vec::with_capacity(strings.len());
    for s in strings {
        if s.len() <= MAX_CHARSTR {
            out.push(s);
        } else {
            out.extend(s.chunks(MAX_CHARSTR).map(<[u8]>::to_vec));
        }
    }
    out
}

pub(crate) fn render_txt(strings: &[Vec<u8>]) -> String {
    strings
        .iter()
        .map(|s| quote(s))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(input: &str) -> String {
        render_txt(&parse_txt(input).unwrap())
    }

    #[test]
    fn quotes_unquoted_input_literally() {
        assert_eq!(
            canon("v=spf1 include:_spf.example.com -all"),
            "\"v=spf1 include:_spf.example.com -all\""
        );
        assert_eq!(canon(r#"say "hi" \o/"#), r#""say \"hi\" \\o/""#);
        assert_eq!(canon("tab\there"), r#""tab\009here""#);
        assert_eq!(canon("café"), r#""caf\195\169""#);
    }

    #[test]
    fn keeps_quoted_strings() {
        assert_eq!(canon(r#""a"   "b""#), r#""a" "b""#);
        assert_eq!(canon(r#""a""b""#), r#""a" "b""#);
        assert_eq!(canon(r#""""#), r#""""#);
        assert_eq!(canon(r#""x\255\"\\""#), r#""x\255\"\\""#);
        assert_eq!(canon(r#""\t""#), r#""t""#);
    }

    #[test]
    fn splits_long_strings() {
        let long = "a".repeat(600);
        let out = canon(&long);
        let want = format!(
            "\"{}\" \"{}\" \"{}\"",
            "a".repeat(255),
            "a".repeat(255),
            "a".repeat(90)
        );
        assert_eq!(out, want);
        assert_eq!(canon(&out), out);
        let exact = format!("\"{}\"", "b".repeat(255));
        assert_eq!(canon(&exact), exact);
    }

    #[test]
    fn rejects_broken_quoting_and_huge_text() {
        for bad in [r#""a"b"#, r#""open"#, r#""a" b"#] {
            let e = parse_txt(bad).unwrap_err();
            assert_eq!(e.field(), Some("content"), "{bad}");
            assert!(e.message().starts_with("TXT content"), "{bad}");
        }
        assert!(parse_txt(&"x".repeat(70_000)).is_err());
    }
}
