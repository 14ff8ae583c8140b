//! CSYNC content (RFC 7477): `serial flags type…`. PowerDNS prints the types in numeric order
//! by its own names (`TYPEnnn` for the rest), whatever order they were written in.

use crate::error::Result;
use crate::record::content::lex::{fields, invalid, u16_field, u32_field};
use crate::record::content::type_codes;

/// CSYNC fields.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Csync {
    /// SOA serial.
    pub serial: u32,
    /// Flags (1 = immediate, 2 = soaminimum).
    pub flags: u16,
    /// Type codes to synchronise, ascending, without duplicates.
    pub types: Vec<u16>,
}

pub(crate) fn parse_csync(input: &str) -> Result<Csync> {
    let f = fields(input, "CSYNC content")?;
    let [serial, flags, types @ ..] = f.as_slice() else {
        return Err(invalid(
            "CSYNC content must be 'serial flags type…', like 66 3 A NS AAAA",
        ));
    };
    let mut codes = types
        .iter()
        .map(|t| {
            type_codes::parse(t).ok_or_else(|| {
                invalid(format!(
                    "CSYNC type '{t}' is not a record type name or TYPEnnn"
                ))
            })
        })
        .collect::<Result<Vec<u16>>>()?;
    codes.sort_unstable();
    codes.dedup();
    Ok(Csync {
        serial: u32_field(serial, "CSYNC serial")?,
        flags: u16_field(flags, "CSYNC flags")?,
        types: codes,
    })
}

impl std::fmt::Display for Csync {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.serial, self.flags)?;
        for t in &self.types {
            write!(f, " {}", type_codes::display(*t))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csync() {
        let c = parse_csync("66 3 aaaa NS A TYPE65000 a").unwrap();
        assert_eq!(c.to_string(), "66 3 A NS AAAA TYPE65000");
        assert_eq!(parse_csync("66 0").unwrap().to_string(), "66 0");
        assert_eq!(parse_csync("1 0 TYPE1").unwrap().to_string(), "1 0 A");
        assert!(parse_csync("66 3 BOGUS").is_err());
        assert!(parse_csync("66").is_err());
    }
}
