//! IP sets (IPv4 and IPv6 CIDR blocks) and forwarded-IP headers (`ForwardedIPConfig`,
//! `IPSetForwardedIPConfig`).

use crate::error::{CompileError, Result};
use crate::field::fallback;
use crate::json;
use crate::request::{InspectedRequest, trim};
use serde_json::Value;
use std::net::IpAddr;

/// CIDR blocks as (network, mask) pairs.
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
        Ok(out)
    }

    /// Adds one CIDR block; `None` when it is not one.
    pub(crate) fn add(&mut self, cidr: &str) -> Option<()> {
        let (ip, bits) = cidr.split_once('/')?;
        let bits: u32 = bits.parse().ok()?;
        match ip.parse::<IpAddr>().ok()? {
            IpAddr::V4(v4) if bits <= 32 => {
                let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
                self.v4.push((u32::from(v4) & mask, mask));
            }
            IpAddr::V6(v6) if bits <= 128 => {
                let mask = u128::MAX.checked_shl(128 - bits).unwrap_or(0);
                self.v6.push((u128::from(v6) & mask, mask));
            }
            _ => return None,
        }
        Some(())
    }

    /// Whether `ip` is in a block (IPv4-mapped IPv6 addresses as IPv4).
    pub(crate) fn contains(&self, ip: IpAddr) -> bool {
        match ip.to_canonical() {
            IpAddr::V4(v4) => {
                let n = u32::from(v4);
                self.v4.iter().any(|(net, mask)| n & mask == *net)
            }
            IpAddr::V6(v6) => {
                let n = u128::from(v6);
                self.v6.iter().any(|(net, mask)| n & mask == *net)
            }
        }
    }
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
