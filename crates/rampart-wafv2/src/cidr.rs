//! IP set addresses: CIDR blocks of the set's IP version, every prefix length but /0, at
//! most 10,000 per set (AWS's quota).

use crate::errors::{bad_format, limits_exceeded};
use rampart_codec::ServiceError;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The most addresses an IP set holds.
pub const MAX_ADDRESSES: usize = 10_000;

/// Checks `addresses` for an IP set of `version` (`IPV4` or `IPV6`).
pub fn check_addresses(version: &str, addresses: &[String]) -> Result<(), ServiceError> {
    if addresses.len() > MAX_ADDRESSES {
        return Err(limits_exceeded());
    }
    for address in addresses {
        if !is_cidr(version, address) {
            return Err(bad_format("IP_ADDRESS", address));
        }
    }
    Ok(())
}

/// True when `text` is a CIDR block of `version` with a prefix length from 1 to the
/// address width.
pub fn is_cidr(version: &str, text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    let digits =
        !prefix.is_empty() && prefix.len() <= 3 && prefix.bytes().all(|b| b.is_ascii_digit());
    let Some(prefix) = digits.then(|| prefix.parse::<u8>().ok()).flatten() else {
        return false;
    };
    match version {
        "IPV4" => address.parse::<Ipv4Addr>().is_ok() && (1..=32).contains(&prefix),
        "IPV6" => address.parse::<Ipv6Addr>().is_ok() && (1..=128).contains(&prefix),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_table() {
        let cases = [
            ("IPV4", "10.0.0.0/8", true),
            ("IPV4", "192.0.2.44/32", true),
            ("IPV4", "192.0.2.44", false),
            ("IPV4", "192.0.2.0/0", false),
            ("IPV4", "192.0.2.0/33", false),
            ("IPV4", "192.0.2.256/32", false),
            ("IPV4", "192.0.2.1/+3", false),
            ("IPV4", "2001:db8::/32", false),
            ("IPV6", "2001:db8::/32", true),
            ("IPV6", "1111:0000:0000:0000:0000:0000:0000:0111/128", true),
            ("IPV6", "2001:db8::/129", false),
            ("IPV6", "10.0.0.0/8", false),
        ];
        for (version, text, ok) in cases {
            assert_eq!(is_cidr(version, text), ok, "{version} {text}");
        }
    }

    #[test]
    fn limits() {
        let many: Vec<String> = (0..=MAX_ADDRESSES)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        assert!(check_addresses("IPV4", &many[..MAX_ADDRESSES]).is_ok());
        let err = check_addresses("IPV4", &many).err().map(|e| e.code);
        assert_eq!(err.as_deref(), Some("WAFLimitsExceededException"));
        let bad = check_addresses("IPV4", &["1.2.3.4/40".to_owned()]).err();
        assert_eq!(
            bad.map(|e| e.members),
            Some(vec![
                ("Field", "IP_ADDRESS".to_owned()),
                ("Parameter", "1.2.3.4/40".to_owned()),
                ("Reason", crate::errors::BAD_FORMAT.to_owned()),
            ])
        );
    }
}
