//! Character-string content besides TXT: HINFO (RFC 1035 §3.3.2, `cpu os`) and URI (RFC 7553,
//! `priority weight "target"`). PowerDNS 4.7 requires the strings quoted; `named` also reads
//! single words unquoted, so both are accepted and written quoted.

use crate::error::Result;
use crate::record::content::lex::{MAX_CHARSTR, fields, invalid, maybe_quoted, u16_field};

pub(crate) fn parse_hinfo(input: &str) -> Result<(Vec<u8>, Vec<u8>)> {
    let f = fields(input, "HINFO content")?;
    let [cpu, os] = f.as_slice() else {
        return Err(invalid(
            "HINFO content must be 'cpu os' (quote values with blanks), like \"PC\" \"Linux\"",
        ));
    };
    let cpu = maybe_quoted(cpu, "HINFO cpu")?;
    let os = maybe_quoted(os, "HINFO os")?;
    if cpu.len() > MAX_CHARSTR || os.len() > MAX_CHARSTR {
        return Err(invalid(format!(
            "HINFO cpu and os must each be at most {MAX_CHARSTR} bytes"
        )));
    }
    Ok((cpu, os))
}

pub(crate) fn parse_uri(input: &str) -> Result<(u16, u16, Vec<u8>)> {
    let f = fields(input, "URI content")?;
    let [priority, weight, target] = f.as_slice() else {
        return Err(invalid(
            "URI content must be 'priority weight \"target\"', like 10 1 \"https://www.example.com/\"",
        ));
    };
    Ok((
        u16_field(priority, "URI priority")?,
        u16_field(weight, "URI weight")?,
        maybe_quoted(target, "URI target")?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hinfo_and_uri() {
        assert_eq!(
            parse_hinfo("PC \"Linux 6\"").unwrap(),
            (b"PC".to_vec(), b"Linux 6".to_vec())
        );
        assert!(parse_hinfo("PC").is_err());
        assert!(parse_hinfo("a b c").is_err());
        assert_eq!(parse_uri("10 1 ftp://x/").unwrap().2, b"ftp://x/".to_vec());
        assert!(parse_uri("10 ftp://x/").is_err());
    }
}
