//! EUI48 and EUI64 content (RFC 7043): six or eight hex octets joined by hyphens, printed
//! lowercase. Colons (as MAC addresses are often written) are accepted too.

use crate::error::Result;
use crate::record::content::lex::invalid;

pub(crate) fn parse_eui(input: &str, octets: usize, rtype: &str) -> Result<Vec<u8>> {
    let example = if octets == 6 {
        "00-00-5e-00-53-2a"
    } else {
        "00-00-5e-ef-10-00-00-2a"
    };
    let err = || {
        invalid(format!(
            "{rtype} content must be {octets} pairs of hexadecimal digits joined by hyphens, like {example}"
        ))
    };
    let sep = if input.contains(':') { ':' } else { '-' };
    let parts: Vec<&str> = input.split(sep).collect();
    if parts.len() != octets {
        return Err(err());
    }
    parts
        .iter()
        .map(|p| {
            if p.len() == 2 && p.bytes().all(|b| b.is_ascii_hexdigit()) {
                u8::from_str_radix(p, 16).map_err(|_| err())
            } else {
                Err(err())
            }
        })
        .collect()
}

pub(crate) fn render_eui(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eui() {
        let e = parse_eui("00:00:5E:00:53:2A", 6, "EUI48").unwrap();
        assert_eq!(render_eui(&e), "00-00-5e-00-53-2a");
        assert_eq!(
            parse_eui("00-00-5e-ef-10-00-00-2a", 8, "EUI64")
                .unwrap()
                .len(),
            8
        );
        for bad in [
            "00-00-5e-00-53",
            "00-00-5e-00-53-2a-00",
            "0-00-5e-00-53-2a",
            "zz-00-5e-00-53-2a",
        ] {
            assert!(parse_eui(bad, 6, "EUI48").is_err(), "{bad}");
        }
    }
}
