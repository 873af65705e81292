//! `cidr` blocks, IPv4 and IPv6 (AWS, "Content filtering…": IP address matching "is available
//! for both IPv4 and IPv6 addresses"). An event value matches when it is an address of the
//! same family inside the block.

use std::net::IpAddr;

/// A compiled CIDR block: the network bits as a `u128` (IPv4 in the low 32 bits) and the mask.
#[derive(Debug, Clone)]
pub(super) struct Cidr {
    network: u128,
    mask: u128,
    v6: bool,
}

impl Cidr {
    /// Parses `address/prefix-length` (a bare address is a block of one).
    pub(super) fn parse(text: &str) -> Result<Cidr, String> {
        let bad = || format!("Nonstandard IP address: {text}");
        let (address, length) = match text.split_once('/') {
            Some((address, length)) => (address, Some(length)),
            None => (text, None),
        };
        let address: IpAddr = address.parse().map_err(|_| bad())?;
        let (bits, width, v6) = split(address);
        let length = match length {
            Some(length) if length.bytes().all(|b| b.is_ascii_digit()) && !length.is_empty() => {
                length.parse::<u32>().map_err(|_| bad())?
            }
            Some(_) => return Err(bad()),
            None => width,
        };
        if length > width {
            return Err(bad());
        }
        let mask = mask(length, width);
        Ok(Cidr {
            network: bits & mask,
            mask,
            v6,
        })
    }

    /// Whether `text` is an IP address inside the block.
    pub(super) fn contains(&self, text: &str) -> bool {
        let Ok(address) = text.parse::<IpAddr>() else {
            return false;
        };
        let (bits, _, v6) = split(address);
        v6 == self.v6 && bits & self.mask == self.network
    }
}

fn split(address: IpAddr) -> (u128, u32, bool) {
    match address {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32, false),
        IpAddr::V6(v6) => (u128::from(v6), 128, true),
    }
}

/// The mask of a `length`-bit prefix in a `width`-bit address (in the low `width` bits).
fn mask(length: u32, width: u32) -> u128 {
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    if length == 0 {
        return 0;
    }
    all & !((1u128 << (width - length)) - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks() {
        assert_eq!(mask(24, 32), 0xffff_ff00);
        assert_eq!(mask(32, 32), 0xffff_ffff);
        assert_eq!(mask(0, 32), 0);
        assert_eq!(mask(128, 128), u128::MAX);
        assert_eq!(mask(1, 128), 1u128 << 127);
    }
}
