//! LOC content (RFC 1876): `d [m [s]] N|S d [m [s]] E|W [alt[m] [size[m] [hp[m] [vp[m]]]]]`.
//!
//! Input is read the way `named` reads it (minutes, seconds, altitude and the three sizes
//! optional; `m` suffixes optional). Output is PowerDNS 4.7's `getZoneRepresentation`, which
//! computes degrees, minutes and seconds in floating point: it can print `55 60.000` for
//! 56 minutes, and the hemisphere of 0° as S and W. Both are reproduced exactly, and both read
//! back to the same wire value. Ranges are those PowerDNS can read without overflowing its
//! integers (altitude up to 21374836.47 m, sizes up to 42949672.95 m).

use std::fmt;

use crate::error::Result;
use crate::record::content::lex::{fields, invalid};

/// Wire fields of a LOC record (version 0).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Loc {
    /// Diameter, mantissa in the high nibble and power of ten in the low one (cm).
    pub size: u8,
    /// Horizontal precision, same encoding.
    pub horiz_pre: u8,
    /// Vertical precision, same encoding.
    pub vert_pre: u8,
    /// Thousandths of an arc second, offset by 2^31 (north positive).
    pub latitude: u32,
    /// Thousandths of an arc second, offset by 2^31 (east positive).
    pub longitude: u32,
    /// Centimetres above 100 000 m below the WGS 84 spheroid.
    pub altitude: u32,
}

const EQUATOR: u32 = 1 << 31;
const MS_PER_DEGREE: u64 = 3_600_000;
const ALTITUDE_OFFSET_CM: i64 = 10_000_000;
/// PowerDNS adds the offset in a signed 32-bit int.
const MAX_ALTITUDE_CM: i64 = i32::MAX as i64 - ALTITUDE_OFFSET_CM;
const MAX_SIZE_CM: u64 = u32::MAX as u64;

pub(crate) fn parse_loc(input: &str) -> Result<Loc> {
    let f = fields(input, "LOC content")?;
    let mut rest = f.as_slice();
    let latitude = coordinate(&mut rest, ['N', 'S'], 90, "latitude")?;
    let longitude = coordinate(&mut rest, ['E', 'W'], 180, "longitude")?;
    let mut loc = Loc {
        size: 0x12,
        horiz_pre: 0x16,
        vert_pre: 0x13,
        latitude,
        longitude,
        altitude: 10_000_000,
    };
    let mut rest = rest.iter();
    if let Some(alt) = rest.next() {
        loc.altitude = altitude(alt)?;
    }
    for (slot, what) in [
        (&mut loc.size, "LOC size"),
        (&mut loc.horiz_pre, "LOC horizontal precision"),
        (&mut loc.vert_pre, "LOC vertical precision"),
    ] {
        if let Some(token) = rest.next() {
            *slot = precision(token, what)?;
        }
    }
    if rest.next().is_some() {
        return Err(usage());
    }
    Ok(loc)
}

fn usage() -> crate::error::Error {
    invalid(
        "LOC content must be 'deg [min [sec]] N|S deg [min [sec]] E|W [altitude[m] [size[m] \
         [horizontal-precision[m] [vertical-precision[m]]]]]', like 51 56 0.123 N 5 54 0 E 4m",
    )
}

/// Reads degrees, optional minutes and seconds, and the hemisphere letter.
fn coordinate(rest: &mut &[&str], hemispheres: [char; 2], max_deg: u64, what: &str) -> Result<u32> {
    let mut numbers = Vec::new();
    loop {
        let Some((token, after)) = rest.split_first() else {
            return Err(usage());
        };
        *rest = after;
        let upper = token.to_ascii_uppercase();
        if let Some(h) = hemispheres.iter().find(|h| upper == h.to_string()) {
            let [deg, min, sec] = match numbers.as_slice() {
                [d] => [*d, 0, 0],
                [d, m] => [*d, *m, 0],
                [d, m, s] => [*d, *m, *s],
                _ => return Err(usage()),
            };
            let ms = deg * MS_PER_DEGREE + min * 60_000 + sec;
            if deg > max_deg || min > 59 || sec > 60_000 || ms > max_deg * MS_PER_DEGREE {
                return Err(invalid(format!(
                    "LOC {what} must be at most {max_deg} degrees, with minutes below 60 and \
                     seconds up to 60"
                )));
            }
            let ms = u32::try_from(ms).map_err(|_| usage())?;
            return Ok(if *h == hemispheres[0] {
                EQUATOR + ms
            } else {
                EQUATOR - ms
            });
        }
        // Degrees and minutes are whole; seconds may have up to three decimals.
        let value = if numbers.len() == 2 {
            decimal(token, 3)
        } else {
            decimal(token, 0)
        };
        match value {
            Some(v) if numbers.len() < 3 => numbers.push(v),
            _ => return Err(usage()),
        }
    }
}

/// A non-negative decimal with at most `places` decimals, scaled by 10^places.
fn decimal(token: &str, places: u32) -> Option<u64> {
    let (int, frac) = token.split_once('.').unwrap_or((token, ""));
    if int.is_empty() && frac.is_empty()
        || int.len() > 12
        || frac.len() > places as usize
        || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        || token.ends_with('.') && places == 0
    {
        return None;
    }
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut frac_value: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..places as usize {
        frac_value *= 10;
    }
    int.checked_mul(10u64.pow(places))?.checked_add(frac_value)
}

fn strip_m(token: &str) -> &str {
    token
        .strip_suffix('m')
        .or_else(|| token.strip_suffix('M'))
        .unwrap_or(token)
}

fn altitude(token: &str) -> Result<u32> {
    let err = || {
        invalid(
            "LOC altitude must be metres from -100000.00 to 21374836.47 with at most two \
             decimals, like -24m or 10.5m",
        )
    };
    let token = strip_m(token);
    let (negative, digits) = match token.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, token.strip_prefix('+').unwrap_or(token)),
    };
    let cm = i64::try_from(decimal(digits, 2).ok_or_else(err)?).map_err(|_| err())?;
    let cm = if negative { -cm } else { cm };
    if !(-ALTITUDE_OFFSET_CM..=MAX_ALTITUDE_CM).contains(&cm) {
        return Err(err());
    }
    u32::try_from(cm + ALTITUDE_OFFSET_CM).map_err(|_| err())
}

/// Size or precision in metres into RFC 1876's mantissa/exponent byte (rounded down, as
/// `named` and PowerDNS do).
fn precision(token: &str, what: &str) -> Result<u8> {
    let err = || {
        invalid(format!(
            "{what} must be metres from 0 to 42949672.95 with at most two decimals, like 10m"
        ))
    };
    let cm = decimal(strip_m(token), 2).ok_or_else(err)?;
    if cm > MAX_SIZE_CM {
        return Err(err());
    }
    let mut exponent = 0u32;
    while exponent < 9 && cm >= 10u64.pow(exponent + 1) {
        exponent += 1;
    }
    let mantissa = (cm / 10u64.pow(exponent)).min(9);
    u8::try_from(mantissa << 4 | u64::from(exponent)).map_err(|_| err())
}

/// PowerDNS's rendering of a precision byte: `0.01 * mantissa`, times ten per exponent step.
fn metres(byte: u8) -> f64 {
    let mut value = 0.01 * f64::from(byte >> 4);
    for _ in 0..(byte & 0x0f) {
        value *= 10.0;
    }
    value
}

/// Degrees, minutes and seconds exactly as PowerDNS computes them in floating point.
fn dms(degrees: f64) -> (i32, i32, f64) {
    #[allow(clippy::cast_possible_truncation)] // C's (int) cast, as PowerDNS does
    let whole = degrees as i32;
    let fraction = degrees - f64::from(whole);
    let remainder = 60.0 * fraction;
    #[allow(clippy::cast_possible_truncation)]
    let minutes = (fraction * 60.0) as i32;
    #[allow(clippy::cast_possible_truncation)]
    let seconds = ((remainder - f64::from(remainder as i32)) * 60.0).abs();
    (whole.abs(), minutes.abs(), seconds)
}

fn signed_degrees(wire: u32) -> f64 {
    f64::from(wire.wrapping_sub(EQUATOR).cast_signed()) / 3_600_000.0
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let latitude = signed_degrees(self.latitude);
        let longitude = signed_degrees(self.longitude);
        let altitude = f64::from(self.altitude.cast_signed()) / 100.0 - 100_000.0;
        let (lat_d, lat_m, lat_s) = dms(latitude);
        let (lon_d, lon_m, lon_s) = dms(longitude);
        write!(
            f,
            "{lat_d} {lat_m} {lat_s:.3} {} {lon_d} {lon_m} {lon_s:.3} {} {altitude:.2}m {:.2}m {:.2}m {:.2}m",
            if latitude > 0.0 { 'N' } else { 'S' },
            if longitude > 0.0 { 'E' } else { 'W' },
            metres(self.size),
            metres(self.horiz_pre),
            metres(self.vert_pre),
        )
    }
}

/// Wire form (RFC 1876 §2).
pub(crate) fn wire(loc: &Loc) -> Vec<u8> {
    let mut out = vec![0, loc.size, loc.horiz_pre, loc.vert_pre];
    out.extend_from_slice(&loc.latitude.to_be_bytes());
    out.extend_from_slice(&loc.longitude.to_be_bytes());
    out.extend_from_slice(&loc.altitude.to_be_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> String {
        parse_loc(s)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
            .to_string()
    }

    #[test]
    fn renders_like_powerdns() {
        for (input, want) in [
            (
                "51 56 0.123 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m",
                "51 56 0.123 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m",
            ),
            // PowerDNS's floating point: 56 minutes print as 55 60.000.
            (
                "51 56 0 N 5 54 0 E 4m",
                "51 55 60.000 N 5 54 0.000 E 4.00m 1.00m 10000.00m 10.00m",
            ),
            (
                "0 0 0 N 0 0 0 E 0m",
                "0 0 0.000 S 0 0 0.000 W 0.00m 1.00m 10000.00m 10.00m",
            ),
            (
                "42 21 54 N 71 06 18 W -24m 30m",
                "42 21 54.000 N 71 6 18.000 W -24.00m 30.00m 10000.00m 10.00m",
            ),
            (
                "52 N 4 e",
                "52 0 0.000 N 4 0 0.000 E 0.00m 1.00m 10000.00m 10.00m",
            ),
        ] {
            assert_eq!(canon(input), want, "{input}");
            assert_eq!(canon(want), want, "{want} is not stable");
        }
    }

    #[test]
    fn rejections() {
        for bad in [
            "91 0 0 N 0 0 0 E",
            "0 60 0 N 0 0 0 E",
            "0 0 0 E 0 0 0 N",
            "1 2 3 4 N 0 E",
            "0 N 0 E 1m 2m 3m 4m 5m",
            "0 N 0 E 99999999m",
            "0 N 0 E 0m 50000000m",
            "0 N",
            "0 N 181 E",
        ] {
            assert!(parse_loc(bad).is_err(), "{bad}");
        }
    }
}
