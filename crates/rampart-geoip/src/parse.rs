//! One line of a range file: `start,end,value[,more…]`.
//!
//! Addresses are written as IPv4 or IPv6 text, or as a decimal number for IPv4 (Tor's `geoip`
//! file). Blank lines and `#` comments are skipped; fields after the value (ip-location-db's
//! AS organisation) are ignored.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::{NonZeroU16, NonZeroU32};

/// The first and last address of a line's range, of one family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Bounds {
    V4(u32, u32),
    V6(u128, u128),
}

/// A parsed line: its range and the text of its value field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    pub bounds: Bounds,
    pub value: &'a str,
}

/// Parses a line; `Ok(None)` for a blank line or a comment.
pub(crate) fn line(text: &str) -> Result<Option<Line<'_>>, String> {
    let text = text.trim();
    if text.is_empty() || text.starts_with('#') {
        return Ok(None);
    }
    let mut fields = text.splitn(4, ',').map(str::trim);
    let (Some(start), Some(end), Some(value)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err("expected `start,end,value`".into());
    };
    let bounds = match (address(start)?, address(end)?) {
        (IpAddr::V4(first), IpAddr::V4(last)) => Bounds::V4(first.into(), last.into()),
        (IpAddr::V6(first), IpAddr::V6(last)) => Bounds::V6(first.into(), last.into()),
        _ => return Err(format!("{start} and {end} are not of one address family")),
    };
    let ordered = match bounds {
        Bounds::V4(first, last) => first <= last,
        Bounds::V6(first, last) => first <= last,
    };
    if !ordered {
        return Err(format!("the range starts at {start}, after its end {end}"));
    }
    Ok(Some(Line { bounds, value }))
}

/// An address field: IPv4 or IPv6 text, or a decimal IPv4 address.
fn address(field: &str) -> Result<IpAddr, String> {
    if !field.is_empty() && field.bytes().all(|b| b.is_ascii_digit()) {
        return field
            .parse::<u32>()
            .map(|n| IpAddr::V4(Ipv4Addr::from(n)))
            .map_err(|_| {
                format!(
                    "{field} is beyond the last IPv4 address (decimal addresses are IPv4; \
                     write IPv6 addresses as text)"
                )
            });
    }
    if field.contains(':') {
        return field
            .parse::<Ipv6Addr>()
            .map(IpAddr::V6)
            .map_err(|_| format!("{field:?} is not an IPv6 address"));
    }
    field
        .parse::<Ipv4Addr>()
        .map(IpAddr::V4)
        .map_err(|_| format!("{field:?} is not an IP address"))
}

/// A country field: two ASCII letters (stored upper case), or `??` for "unknown" (`Ok(None)`:
/// the range is skipped).
pub(crate) fn country(field: &str) -> Result<Option<NonZeroU16>, String> {
    if field == "??" {
        return Ok(None);
    }
    match field.as_bytes() {
        [a, b] if a.is_ascii_alphabetic() && b.is_ascii_alphabetic() => {
            Ok(NonZeroU16::new(u16::from_be_bytes([
                a.to_ascii_uppercase(),
                b.to_ascii_uppercase(),
            ])))
        }
        _ => Err(format!(
            "{field:?} is not a two-letter country code (ISO 3166-1 alpha-2) or ??"
        )),
    }
}

/// An AS number field: decimal, optionally after `AS`; 0 (AS0, no origin) is `Ok(None)`.
pub(crate) fn asn(field: &str) -> Result<Option<NonZeroU32>, String> {
    let digits = field
        .strip_prefix("AS")
        .or_else(|| field.strip_prefix("as"))
        .unwrap_or(field);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field:?} is not an AS number"));
    }
    let number: u32 = digits
        .parse()
        .map_err(|_| format!("{field} is beyond the last AS number (4294967295)"))?;
    Ok(NonZeroU32::new(number))
}

/// A stored country back as its two letters.
pub(crate) fn country_letters(code: NonZeroU16) -> [u8; 2] {
    code.get().to_be_bytes()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tor_decimal_and_text_lines() {
        let tor = line("16777216,16777471,AU").unwrap().unwrap();
        assert_eq!(tor.bounds, Bounds::V4(16_777_216, 16_777_471));
        assert_eq!(tor.value, "AU");
        let v6 = line("2001:2::,2001:2:0:ffff:ffff:ffff:ffff:ffff,JP")
            .unwrap()
            .unwrap();
        assert!(matches!(v6.bounds, Bounds::V6(..)));
        let text = line(" 1.0.0.0 , 1.0.0.255 , AU \r").unwrap().unwrap();
        assert_eq!(text.bounds, Bounds::V4(16_777_216, 16_777_471));
    }

    #[test]
    fn blank_lines_and_comments_are_skipped() {
        assert_eq!(line("").unwrap(), None);
        assert_eq!(line("   \r").unwrap(), None);
        assert_eq!(line("# 1,2,AU").unwrap(), None);
    }

    #[test]
    fn asn_lines_keep_the_number_and_ignore_the_organisation() {
        let parsed = line("1.0.0.0,1.0.0.255,13335,\"Cloudflare, Inc.\"")
            .unwrap()
            .unwrap();
        assert_eq!(parsed.value, "13335");
        assert_eq!(asn(parsed.value).unwrap().map(NonZeroU32::get), Some(13335));
        assert_eq!(asn("AS64512").unwrap().map(NonZeroU32::get), Some(64512));
        assert_eq!(asn("0").unwrap(), None);
    }

    #[test]
    fn bad_lines_say_why() {
        let cases = [
            ("1,2", "expected `start,end,value`"),
            ("1.0.0.0,::1,AU", "not of one address family"),
            ("2,1,AU", "after its end"),
            ("4294967296,4294967296,AU", "beyond the last IPv4 address"),
            ("1.0.0,1.0.0.255,AU", "not an IP address"),
            ("::g,::1,AU", "not an IPv6 address"),
            (",1,AU", "not an IP address"),
        ];
        for (text, reason) in cases {
            let err = line(text).unwrap_err();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }

    #[test]
    fn country_and_asn_values() {
        assert_eq!(country("??").unwrap(), None);
        assert_eq!(country("au").unwrap().map(country_letters), Some(*b"AU"));
        for bad in ["A", "AUS", "1A", "", "É"] {
            assert!(country(bad).is_err(), "{bad}");
        }
        for bad in ["", "AS", "-1", "1e3", "4294967296", "AS 1"] {
            assert!(asn(bad).is_err(), "{bad}");
        }
    }
}
