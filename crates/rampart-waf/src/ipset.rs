//! IP sets (IPv4 and IPv6 CIDR blocks) and forwarded-IP headers (`ForwardedIPConfig`,
//! `IPSetForwardedIPConfig`).

use crate::error::{CompileError, Result};
use crate::field::fallback;
use crate::json;
use crate::request::{InspectedRequest, trim};
use serde_json::Value;
use std::net::IpAddr;

/// CIDR blocks as sorted, disjoint inclusive ranges (first, last address), so a lookup is a
/// binary search however many blocks the set holds (managed IP reputation lists hold
/// thousands).
#[derive(Debug, Clone, Default)]
pub(crate) struct IpSet {
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl IpSet {
    /// From an `IPSet`'s JSON (`Addresses`: `"192.0.2.0/24"`, `"2001:db8::/32"`).
    pub(crate) fn parse(set: &Value, arn: &str) -> Result<IpSet> {
        let what = format!("IPSet {arn}");
        let obj = json::object(set, &what)?;
        let mut out = IpSet::default();
        for addr in json::opt_array(obj, "Addresses", &what)? {
            let text = addr.as_str().unwrap_or_default();
            out.add(text).ok_or_else(|| {
                CompileError::invalid(format!("{what}: invalid CIDR block {text}"))
            })?;
        }
        merge(&mut out.v4);
        merge(&mut out.v6);
        Ok(out)
    }

    /// Adds one CIDR block; `None` when it is not one. [`IpSet::parse`] sorts and merges the
    /// ranges after the last one.
    fn add(&mut self, cidr: &str) -> Option<()> {
        let (ip, bits) = cidr.split_once('/')?;
        let bits: u32 = bits.parse().ok()?;
        match ip.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) if bits <= 32 => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                let net = u32::from(v4) & mask;
                self.v4.push((net, net | !mask));
            }
            IpAddr::V6(v6) if bits <= 128 => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                let net = u128::from(v6) & mask;
                self.v6.push((net, net | !mask));
            }
            _ => return None,
        }
        Some(())
    }

    /// Whether `ip` is in a block (IPv4-mapped IPv6 addresses as IPv4).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(v4) => within(&self.v4, u32::from(v4)),
            IpAddr::V6(v6) => within(&self.v6, u128::from(v6)),
        }
    }
}

/// Sorts ranges and merges the overlapping ones.
fn merge<T: Ord + Copy>(ranges: &mut Vec<(T, T)>) {
    ranges.sort_unstable();
    let mut out: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for &(first, last) in ranges.iter() {
        match out.last_mut() {
            Some(prev) if first <= prev.1 => prev.1 = prev.1.max(last),
            _ => out.push((first, last)),
        }
    }
    *ranges = out;
}

/// Whether `n` is in one of the sorted, disjoint ranges.
fn within<T: Ord + Copy>(ranges: &[(T, T)], n: T) -> bool {
    let i = ranges.partition_point(|&(first, _)| first <= n);
    i.checked_sub(1)
        .and_then(|j| ranges.get(j))
        .is_some_and(|&(_, last)| last >= n)
}

/// Which address of a forwarded-IP header an IP set inspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    First,
    Last,
    Any,
}

/// A forwarded-IP header: its name, what to do without a valid address, which address.
#[derive(Debug, Clone)]
pub(crate) struct ForwardedIp {
    header: String,
    fallback_match: bool,
    position: Position,
}

impl ForwardedIp {
    /// `ForwardedIPConfig` (first address) or, with `positional`, `IPSetForwardedIPConfig`.
    pub(crate) fn parse(value: &Value, what: &str, positional: bool) -> Result<ForwardedIp> {
        let obj = json::object(value, what)?;
        let header = json::req_str(obj, "HeaderName", what)?.to_owned();
        let fallback_match = fallback(obj, what, true)?;
        let position = if positional {
            json::enum_str(obj, "Position", what, |p| match p {
                "FIRST" => Some(Position::First),
                "LAST" => Some(Position::Last),
                "ANY" => Some(Position::Any),
                _ => None,
            })?
        } else {
            Position::First
        };
        Ok(ForwardedIp {
            header,
            fallback_match,
            position,
        })
    }

    /// The address AWS takes from the header (the first), if the header holds a valid one there.
    pub(crate) fn first(&self, req: &InspectedRequest) -> Option<IpAddr> {
        let value = req.first_header(&self.header)?;
        value.split(|&b| b == b',').next().and_then(parse_ip)
    }

    /// Whether the header's address(es) satisfy `pred`; the fallback when there is none valid.
    pub(crate) fn test(&self, req: &InspectedRequest, pred: &dyn Fn(IpAddr) -> bool) -> bool {
        let Some(value) = req.first_header(&self.header) else {
            return self.fallback_match;
        };
        let mut parts = value.split(|&b| b == b',');
        let chosen = match self.position {
            Position::First => parts.next().and_then(parse_ip),
            Position::Last => parts.next_back().and_then(parse_ip),
            Position::Any => {
                let ips: Vec<IpAddr> = parts.filter_map(parse_ip).collect();
                if ips.is_empty() {
                    return self.fallback_match;
                }
                return ips.into_iter().any(pred);
            }
        };
        chosen.map_or(self.fallback_match, pred)
    }

    /// The fallback answer (MATCH → true).
    pub(crate) fn fallback_match(&self) -> bool {
        self.fallback_match
    }
}

fn parse_ip(bytes: &[u8]) -> Option<IpAddr> {
    std::str::from_utf8(trim(bytes)).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(blocks: &[&str]) -> IpSet {
        match IpSet::parse(&json!({ "Addresses": blocks }), "arn") {
            Ok(set) => set,
            Err(e) => panic!("{e}"),
        }
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn ranges_are_merged_and_searched() {
        let s = set(&[
            "10.0.0.0/8",
            "10.1.0.0/16",
            "192.0.2.7/32",
            "192.0.2.8/31",
            "2001:db8::/32",
        ]);
        assert_eq!(s.v4.len(), 3);
        for yes in [
            "10.0.0.0",
            "10.255.255.255",
            "10.1.2.3",
            "192.0.2.7",
            "192.0.2.9",
            "2001:db8:ffff::1",
            "::ffff:10.2.3.4",
        ] {
            assert!(s.contains(ip(yes)), "{yes}");
        }
        for no in [
            "9.255.255.255",
            "11.0.0.0",
            "192.0.2.6",
            "192.0.2.10",
            "2001:db9::",
            "0.0.0.0",
        ] {
            assert!(!s.contains(ip(no)), "{no}");
        }
        assert!(set(&["0.0.0.0/0"]).contains(ip("255.255.255.255")));
        assert!(!set(&[]).contains(ip("192.0.2.1")));
    }
}
