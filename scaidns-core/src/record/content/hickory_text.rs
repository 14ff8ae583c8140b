//! Presentation text of hickory-proto `RData` received from another server (a zone transfer,
//! RFC 5936), in the form ScaiDNS's importer reads, and proof that it reads back exactly.
//!
//! hickory's `Display` is used where it is exact; character strings (TXT, SPF, HINFO, NAPTR,
//! CAA, URI) are quoted here because hickory prints them unquoted and lossy. Types hickory
//! decodes only as opaque bytes (no DNSSEC features; LOC, RP, URI, …) are decoded here for
//! the simple layouts (RFC 3597 §5: a known type must be written in its own presentation
//! form), generic `TYPEnnn` as `\# len hex`. Every text is parsed back with ScaiDNS's own
//! parser and encoded again ([`super::hickory::to_rdata`]); only when the wire bytes are
//! identical is it used, so a record either arrives exactly or is reported with its reason.

use base64::Engine as _;
use hickory_proto::rr::RData;
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

use crate::record::RecordType;
use crate::record::content::RecordContent;
use crate::record::content::hickory::to_rdata;

/// The ScaiDNS type and canonical content of `rdata` of type `code`, or why it cannot be
/// carried over exactly.
pub fn presentation(code: u16, rdata: &RData) -> Result<(RecordType, String), String> {
    let rtype: RecordType = format!("TYPE{code}")
        .parse()
        .map_err(|e: crate::error::Error| e.to_string())?;
    let text = text_of(rtype, rdata)?;
    let content = RecordContent::from_stored(rtype, &text).map_err(|e| e.to_string())?;
    if rtype == RecordType::ALIAS {
        // No wire form to compare (the server resolves it); its one name was read label by label.
        return Ok((rtype, content.as_str().to_owned()));
    }
    let again = to_rdata(&content).map_err(|e| e.to_string())?;
    if wire(rdata)? != wire(&again)? {
        return Err(format!(
            "{rtype} data would not be stored exactly as sent (read as '{}')",
            content.as_str()
        ));
    }
    Ok((rtype, content.as_str().to_owned()))
}

/// Uncompressed wire form (RFC 4034 §6.2 canonical form: names lowercase, as ScaiDNS stores them).
fn wire(rdata: &RData) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut encoder = BinEncoder::new(&mut out);
    encoder.set_canonical_form(true);
    rdata.emit(&mut encoder).map_err(|e| e.to_string())?;
    Ok(out)
}

fn text_of(rtype: RecordType, rdata: &RData) -> Result<String, String> {
    Ok(match rdata {
        RData::TXT(t) => strings(t.txt_data.iter().map(AsRef::as_ref)),
        RData::HINFO(h) => strings([h.cpu.as_ref(), h.os.as_ref()]),
        RData::NAPTR(n) => format!(
            "{} {} {} {}",
            n.order,
            n.preference,
            strings([n.flags.as_ref(), n.services.as_ref(), n.regexp.as_ref()]),
            n.replacement
        ),
        RData::CAA(c) => {
            let mut value = Vec::new();
            let mut encoder = BinEncoder::new(&mut value);
            c.emit(&mut encoder).map_err(|e| e.to_string())?;
            // flags, tag length, tag, then the value to the end (RFC 8659 §4.1).
            let tag_len = usize::from(*value.get(1).ok_or("short CAA data")?);
            let tag = value.get(2..2 + tag_len).ok_or("short CAA data")?;
            let rest = value.get(2 + tag_len..).unwrap_or_default();
            format!(
                "{} {} {}",
                value[0],
                String::from_utf8_lossy(tag),
                strings([rest])
            )
        }
        RData::Unknown { rdata, .. } => opaque_text(rtype, &rdata.anything)?,
        other => other.to_string(),
    })
}

/// Quoted character strings (RFC 1035 §5.1): `"` and `\` escaped, other bytes outside
/// printable ASCII as `\DDD`.
fn strings<'a>(items: impl IntoIterator<Item = &'a [u8]>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|s| {
            let mut q = String::from("\"");
            for &b in s {
                match b {
                    b'"' | b'\\' => {
                        q.push('\\');
                        q.push(char::from(b));
                    }
                    0x20..=0x7e => q.push(char::from(b)),
                    _ => q.push_str(&format!("\\{b:03}")),
                }
            }
            q.push('"');
            q
        })
        .collect();
    quoted.join(" ")
}

/// Reads RDATA field by field; every read fails on short data.
struct Wire<'a>(&'a [u8]);

impl<'a> Wire<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if self.0.len() < n {
            return Err("RDATA shorter than its type's layout".to_owned());
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }
    fn u32(&mut self) -> Result<u32, String> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }
    /// An uncompressed name (RFC 3597 §4); a compression pointer cannot be followed outside
    /// its message, so it is refused.
    fn name(&mut self) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let len = usize::from(self.u8()?);
            if len == 0 {
                break;
            }
            if len > 63 {
                return Err("a name in the RDATA is compressed".to_owned());
            }
            for &b in self.take(len)? {
                match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'*' => {
                        out.push(char::from(b));
                    }
                    _ => out.push_str(&format!("\\{b:03}")),
                }
            }
            out.push('.');
        }
        Ok(if out.is_empty() { ".".to_owned() } else { out })
    }
    fn done(&self) -> Result<(), String> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err("RDATA longer than its type's layout".to_owned())
        }
    }
}

fn hex_upper(b: &[u8]) -> String {
    hex::encode_upper(b)
}

/// Presentation text of a type hickory hands over as opaque bytes.
fn opaque_text(rtype: RecordType, data: &[u8]) -> Result<String, String> {
    let mut w = Wire(data);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let text = match rtype.as_str() {
        _ if matches!(rtype, RecordType::Generic(_)) => super::generic::render_generic(w.rest()),
        "SPF" => {
            let mut items = Vec::new();
            while !w.0.is_empty() {
                let len = usize::from(w.u8()?);
                items.push(w.take(len)?);
            }
            strings(items)
        }
        "DS" | "CDS" => format!(
            "{} {} {} {}",
            w.u16()?,
            w.u8()?,
            w.u8()?,
            hex_upper(w.rest())
        ),
        "KEY" | "CDNSKEY" => format!("{} {} {} {}", w.u16()?, w.u8()?, w.u8()?, b64(w.rest())),
        "DHCID" | "OPENPGPKEY" => b64(w.rest()),
        "DNAME" | "MR" | "ALIAS" => w.name()?,
        "RP" | "MINFO" => format!("{} {}", w.name()?, w.name()?),
        "AFSDB" | "KX" | "LP" => format!("{} {}", w.u16()?, w.name()?),
        "URI" => format!("{} {} {}", w.u16()?, w.u16()?, strings([w.rest()])),
        "L32" => {
            let pref = w.u16()?;
            let a = w.take(4)?;
            format!("{pref} {}.{}.{}.{}", a[0], a[1], a[2], a[3])
        }
        "L64" | "NID" => {
            let pref = w.u16()?;
            let groups: Vec<String> = (0..4)
                .map(|_| w.u16().map(|g| format!("{g:04x}")))
                .collect::<Result<_, _>>()?;
            format!("{pref} {}", groups.join(":"))
        }
        "LOC" => {
            let (version, size, horizontal, vertical) = (w.u8()?, w.u8()?, w.u8()?, w.u8()?);
            if version != 0 {
                return Err(format!("LOC version {version} is not RFC 1876's 0"));
            }
            let (lat, lon, alt) = (w.u32()?, w.u32()?, w.u32()?);
            // Altitude in centimetres above 100,000 m below the WGS 84 spheroid (RFC 1876 §2).
            let cm = i64::from(alt) - 10_000_000;
            let sign = if cm < 0 { "-" } else { "" };
            format!(
                "{} {} {sign}{}.{:02}m {} {} {}",
                angle(lat, 'N', 'S'),
                angle(lon, 'E', 'W'),
                cm.abs() / 100,
                cm.abs() % 100,
                precision(size)?,
                precision(horizontal)?,
                precision(vertical)?
            )
        }
        "EUI48" | "EUI64" => super::eui::render_eui(w.rest()),
        "ZONEMD" => format!(
            "{} {} {} {}",
            w.u32()?,
            w.u8()?,
            w.u8()?,
            hex_upper(w.rest())
        ),
        other => {
            return Err(format!(
                "{other} data is not read from a transfer yet (export it from the source as a \
                 zone file instead)"
            ));
        }
    };
    w.done()?;
    Ok(text)
}

/// A LOC latitude or longitude: thousandths of an arc second from 2^31 (RFC 1876 §2).
fn angle(value: u32, positive: char, negative: char) -> String {
    let offset = i64::from(value) - (1_i64 << 31);
    let (hemisphere, ms) = if offset < 0 {
        (negative, -offset)
    } else {
        (positive, offset)
    };
    format!(
        "{} {} {}.{:03} {hemisphere}",
        ms / 3_600_000,
        (ms / 60_000) % 60,
        (ms / 1000) % 60,
        ms % 1000
    )
}

/// A LOC size or precision: base and power of ten in centimetres, one nibble each.
fn precision(byte: u8) -> Result<String, String> {
    let (base, exponent) = (u64::from(byte >> 4), u32::from(byte & 0x0f));
    if base > 9 || exponent > 9 {
        return Err(format!("LOC precision byte {byte:#04x} is out of range"));
    }
    let cm = base * 10_u64.pow(exponent);
    Ok(format!("{}.{:02}m", cm / 100, cm % 100))
}

#[cfg(test)]
mod tests {
    use hickory_proto::rr::RecordType as HType;
    use hickory_proto::rr::rdata::{self as h, NULL};

    use super::*;

    #[test]
    fn quoted_strings_round_trip_exactly() {
        let txt = RData::TXT(h::TXT::from_bytes(vec![b"a \"b\" \\c", &[0, 200]]));
        let (t, text) = presentation(16, &txt).unwrap();
        assert_eq!(t, RecordType::TXT);
        assert!(text.contains("\\\"b\\\""), "{text}");
    }

    #[test]
    fn opaque_known_types_are_decoded_or_refused() {
        let rp = NULL::with(b"\x05admin\x07example\x00\x03txt\x07example\x00".to_vec());
        let (t, text) = presentation(
            17,
            &RData::Unknown {
                code: HType::from(17),
                rdata: rp,
            },
        )
        .unwrap();
        assert_eq!(
            (t, text.as_str()),
            (RecordType::RP, "admin.example. txt.example.")
        );
        let apl = RData::Unknown {
            code: HType::from(42),
            rdata: NULL::with(vec![0, 1, 24, 3, 192, 0, 2]),
        };
        assert!(presentation(42, &apl).unwrap_err().contains("APL"));
        let generic = RData::Unknown {
            code: HType::from(65280),
            rdata: NULL::with(vec![10, 0, 0, 1]),
        };
        assert_eq!(presentation(65280, &generic).unwrap().1, "\\# 4 0a000001");
        let rrsig = RData::Unknown {
            code: HType::from(46),
            rdata: NULL::with(vec![0]),
        };
        assert!(presentation(46, &rrsig).unwrap_err().contains("DNSSEC"));
    }
}
