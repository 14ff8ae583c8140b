//! Digest-carrying content: SSHFP (RFC 4255, RFC 6594), TLSA (RFC 6698) and DS (RFC 4034 §5).
//!
//! All three are small numbers followed by hex data; PowerDNS renders the hex lowercase and
//! joins hex split over several fields. Where the digest type fixes the length, the length is
//! checked, since a truncated fingerprint silently breaks SSH, DANE or the DNSSEC chain.

use crate::error::Result;
use crate::record::content::lex::{fields, hex_fields, invalid, u8_field, u16_field, u32_field};

/// Parsed SSHFP: algorithm, fingerprint type, fingerprint.
pub(crate) fn parse_sshfp(input: &str) -> Result<(u8, u8, Vec<u8>)> {
    let f = fields(input, "SSHFP content")?;
    let [alg, fp_type, hex @ ..] = f.as_slice() else {
        return Err(usage("SSHFP", "algorithm type fingerprint", "4 2 0123…ef"));
    };
    let alg = u8_field(alg, "SSHFP algorithm")?;
    let fp_type = u8_field(fp_type, "SSHFP fingerprint type")?;
    let fp = hex_fields(hex, "SSHFP fingerprint")?;
    check_len(
        &fp,
        expected_sshfp(fp_type),
        "SSHFP fingerprint",
        "fingerprint type",
        fp_type,
    )?;
    Ok((alg, fp_type, fp))
}

/// Parsed TLSA or SMIMEA (RFC 8162, same layout): usage, selector, matching type, data.
pub(crate) fn parse_tlsa(input: &str, rtype: &str) -> Result<(u8, u8, u8, Vec<u8>)> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [usage_f, selector, matching, hex @ ..] = f.as_slice() else {
        return Err(usage(
            rtype,
            "usage selector matching-type data",
            "3 1 1 0123…ef",
        ));
    };
    let cert_usage = u8_field(usage_f, &format!("{rtype} usage"))?;
    let selector = u8_field(selector, &format!("{rtype} selector"))?;
    let matching = u8_field(matching, &format!("{rtype} matching type"))?;
    let what = format!("{rtype} certificate data");
    let data = hex_fields(hex, &what)?;
    let expected = match matching {
        1 => Some(32),
        2 => Some(64),
        _ => None,
    };
    check_len(&data, expected, &what, "matching type", matching)?;
    Ok((cert_usage, selector, matching, data))
}

/// Parsed DS or CDS (RFC 7344, same layout): key tag, algorithm, digest type, digest.
/// CDS `0 0 0 00` asks the parent to delete the DS set (RFC 8078 §4).
pub(crate) fn parse_ds(input: &str, rtype: &str) -> Result<(u16, u8, u8, Vec<u8>)> {
    let f = fields(input, &format!("{rtype} content"))?;
    let [tag, alg, digest_type, hex @ ..] = f.as_slice() else {
        return Err(usage(
            rtype,
            "key-tag algorithm digest-type digest",
            "12345 13 2 0123…ef",
        ));
    };
    let tag = u16_field(tag, &format!("{rtype} key tag"))?;
    let alg = u8_field(alg, &format!("{rtype} algorithm"))?;
    let digest_type = u8_field(digest_type, &format!("{rtype} digest type"))?;
    let what = format!("{rtype} digest");
    let digest = hex_fields(hex, &what)?;
    let expected = match digest_type {
        1 => Some(20),
        2 | 3 => Some(32),
        4 => Some(48),
        _ => None,
    };
    check_len(&digest, expected, &what, "digest type", digest_type)?;
    Ok((tag, alg, digest_type, digest))
}

/// Parsed ZONEMD (RFC 8976): serial, scheme, hash algorithm, digest.
pub(crate) fn parse_zonemd(input: &str) -> Result<(u32, u8, u8, Vec<u8>)> {
    let f = fields(input, "ZONEMD content")?;
    let [serial, scheme, alg, hex @ ..] = f.as_slice() else {
        return Err(usage(
            "ZONEMD",
            "serial scheme hash-algorithm digest",
            "2018031500 1 1 febe…de",
        ));
    };
    let serial = u32_field(serial, "ZONEMD serial")?;
    let scheme = u8_field(scheme, "ZONEMD scheme")?;
    let alg = u8_field(alg, "ZONEMD hash algorithm")?;
    let digest = hex_fields(hex, "ZONEMD digest")?;
    let expected = match alg {
        1 => Some(48),
        2 => Some(64),
        _ => None,
    };
    check_len(&digest, expected, "ZONEMD digest", "hash algorithm", alg)?;
    Ok((serial, scheme, alg, digest))
}

fn expected_sshfp(fp_type: u8) -> Option<usize> {
    match fp_type {
        1 => Some(20),
        2 => Some(32),
        _ => None,
    }
}

fn check_len(
    data: &[u8],
    expected: Option<usize>,
    what: &str,
    kind: &str,
    value: u8,
) -> Result<()> {
    match expected {
        Some(n) if data.len() != n => Err(invalid(format!(
            "{what} for {kind} {value} must be {n} bytes ({} hexadecimal digits), got {}",
            n * 2,
            data.len()
        ))),
        _ => Ok(()),
    }
}

fn usage(rtype: &str, shape: &str, example: &str) -> crate::error::Error {
    invalid(format!("{rtype} content must be '{shape}', like {example}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const H32: &str = "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn sshfp() {
        let (a, t, fp) = parse_sshfp(&format!("4  2 {} {}", &H32[..32], &H32[32..])).unwrap();
        assert_eq!((a, t, hex::encode(fp)), (4, 2, H32.to_ascii_lowercase()));
        assert_eq!(
            parse_sshfp("1 1 0123456789abcdef0123456789abcdef01234567")
                .unwrap()
                .2
                .len(),
            20
        );
        assert_eq!(parse_sshfp("9 9 ab").unwrap().2, vec![0xab]);
        for bad in ["4 2", "4 2 abc", "4 2 abcd", "256 2 ab", "4 2 xyz0"] {
            let e = parse_sshfp(bad).unwrap_err();
            assert_eq!(e.field(), Some("content"));
            assert!(e.message().starts_with("SSHFP"), "{bad}: {e}");
        }
    }

    #[test]
    fn tlsa() {
        let (u, s, m, d) = parse_tlsa(&format!("3 1 1 {H32}"), "TLSA").unwrap();
        assert_eq!((u, s, m, d.len()), (3, 1, 1, 32));
        assert!(parse_tlsa("3 1 0 30820122", "TLSA").is_ok());
        for bad in [
            "3 1 1".to_owned(),
            "3 1 1 abcd".to_owned(),
            format!("3 1 2 {H32}"),
        ] {
            assert!(
                parse_tlsa(&bad, "TLSA")
                    .unwrap_err()
                    .message()
                    .starts_with("TLSA"),
                "{bad}"
            );
        }
    }

    #[test]
    fn ds() {
        let (tag, a, t, d) = parse_ds(&format!("12345 13 2 {H32}"), "DS").unwrap();
        assert_eq!((tag, a, t, d.len()), (12345, 13, 2, 32));
        for bad in [
            "65536 13 2 ab",
            "1 ECDSAP256SHA256 2 ab",
            "1 13 2 abcd",
            "1 13 1",
        ] {
            assert!(
                parse_ds(bad, "DS").unwrap_err().message().starts_with("DS"),
                "{bad}"
            );
        }
    }
}
