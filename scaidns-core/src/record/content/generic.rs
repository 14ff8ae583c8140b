//! RFC 3597 generic content: `\# length hex…` for `TYPEnnn` types.
//!
//! PowerDNS prints the hex lowercase in one piece, and an empty RDATA as `\# 0 ` (with the
//! trailing blank), which is reproduced so stored text equals what PowerDNS returns.

use crate::error::Result;
use crate::record::content::lex::{fields, hex_fields, invalid};

/// Longest RDATA (RFC 1035 §3.2.1: 16-bit RDLENGTH).
const MAX_RDATA: usize = 65_535;

pub(crate) fn parse_generic(input: &str, rtype: &str) -> Result<Vec<u8>> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [marker, len, hex @ ..] = f.as_slice() else {
        return Err(usage(rtype));
    };
    if *marker != "\\#" {
        return Err(usage(rtype));
    }
    let len: usize = if len.bytes().all(|b| b.is_ascii_digit()) && len.len() <= 5 {
        len.parse().map_err(|_| usage(rtype))?
    } else {
        return Err(usage(rtype));
    };
    let data = if hex.is_empty() {
        Vec::new()
    } else {
        hex_fields(hex, &format!("{rtype} data"))?
    };
    if data.len() != len || len > MAX_RDATA {
        return Err(invalid(format!(
            "{rtype} content says {len} bytes but holds {}; the length must match the data and \
             be at most {MAX_RDATA}",
            data.len()
        )));
    }
    Ok(data)
}

pub(crate) fn render_generic(data: &[u8]) -> String {
    format!("\\# {} {}", data.len(), hex::encode(data))
}

fn usage(rtype: &str) -> crate::error::Error {
    invalid(format!(
        "{rtype} content must be RFC 3597 generic data '\\# length hex', like \\# 4 0a000001"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic() {
        let d = parse_generic("\\# 4 0A00 0001", "TYPE65280").unwrap();
        assert_eq!(render_generic(&d), "\\# 4 0a000001");
        assert_eq!(
            render_generic(&parse_generic("\\# 0", "T").unwrap()),
            "\\# 0 "
        );
        for bad in [
            "\\# 3 0a0000",
            "\\# 2 0a0000",
            "# 1 00",
            "\\# x 00",
            "0a000001",
            "\\#",
        ] {
            if bad == "\\# 3 0a0000" {
                assert!(parse_generic(bad, "T").is_ok());
                continue;
            }
            assert!(parse_generic(bad, "T").is_err(), "{bad}");
        }
    }
}
