//! Zone and record names: whatever the input, parsing never panics, and a name that parses is
//! canonical (lowercase ASCII, absolute, no empty label, within the RFC 1035 lengths, inside
//! its zone) and parses back to itself from each of its printed forms.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scaidns_core::ErrorKind;
use scaidns_core::record::RecordName;
use scaidns_core::name::ZoneName;
use scaidns_core::name::{MAX_LABEL_LEN, MAX_NAME_LEN};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // "zone\nname": the zone input and a record name inside it; without a newline the whole
    // input is tried as both, under a fixed zone.
    let (zone_input, name_input) = text.split_once('\n').unwrap_or((text, text));

    let zone = match ZoneName::parse(zone_input) {
        Ok(zone) => {
            check_zone(&zone);
            zone
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::InvalidInput, "{zone_input:?}: {e}");
            let Ok(fixed) = ZoneName::parse("example.com") else {
                unreachable!("a fixed valid zone name")
            };
            fixed
        }
    };
    match RecordName::parse(name_input, &zone) {
        Ok(name) => check_record_name(&name, &zone),
        Err(e) => assert_eq!(e.kind(), ErrorKind::InvalidInput, "{name_input:?}: {e}"),
    }
});

/// What every canonical absolute name is, whatever produced it.
fn check_canonical(fqdn: &str) {
    let bare = fqdn
        .strip_suffix('.')
        .unwrap_or_else(|| panic!("{fqdn:?} is not absolute"));
    assert!(bare.len() <= MAX_NAME_LEN, "{fqdn:?} is too long");
    assert!(
        !bare
            .bytes()
            .any(|b| b.is_ascii_uppercase() || !b.is_ascii()),
        "{fqdn:?} is not lowercase ASCII"
    );
    for label in bare.split('.') {
        assert!(!label.is_empty(), "{fqdn:?} has an empty label");
        assert!(
            label.len() <= MAX_LABEL_LEN,
            "{fqdn:?} has a label too long"
        );
    }
}

fn check_zone(zone: &ZoneName) {
    check_canonical(zone.fqdn());
    assert_eq!(zone.as_str(), zone.fqdn().trim_end_matches('.'));
    assert!(zone.as_str().contains('.'), "{zone:?} has a single label");
    for form in [zone.fqdn(), zone.as_str()] {
        let again =
            ZoneName::parse(form).unwrap_or_else(|e| panic!("{zone:?} form {form:?} fails: {e}"));
        assert_eq!(&again, zone, "{form:?} re-parses differently");
    }
    assert!(zone.overlaps(zone));
}

fn check_record_name(name: &RecordName, zone: &ZoneName) {
    let fqdn = name.fqdn();
    check_canonical(fqdn);
    assert!(zone.contains_fqdn(fqdn), "{name:?} is outside {zone:?}");
    for form in [fqdn, name.as_str()] {
        let again = RecordName::parse(form, zone)
            .unwrap_or_else(|e| panic!("{name:?} form {form:?} fails in {zone:?}: {e}"));
        assert_eq!(&again, name, "{form:?} re-parses differently in {zone:?}");
    }
    let stored = RecordName::from_fqdn(fqdn, zone)
        .unwrap_or_else(|e| panic!("{name:?} does not read back: {e}"));
    assert_eq!(&stored, name);
    // The relative form is for display: input like `www.example.com` inside `example.com` reads
    // as absolute (interface decision 9), so it is checked by composition, not by re-parsing.
    let relative = name.relative_to(zone);
    if name.is_apex(zone) {
        assert_eq!(relative, "@");
    } else {
        assert_eq!(
            format!("{relative}.{}", zone.fqdn()),
            fqdn,
            "{name:?} relative form"
        );
    }
}
