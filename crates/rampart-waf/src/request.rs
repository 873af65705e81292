//! The request as the engine inspects it, and the environment of an evaluation.

use std::net::IpAddr;

/// The CAPTCHA/challenge token the request carried, as the caller checked it (signature and
/// domain); the engine judges its age against each rule's immunity time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenCheck {
    /// No token (`aws-waf-token` cookie) on the request.
    #[default]
    Absent,
    /// A token that failed the caller's checks.
    Invalid,
    /// A valid token: when (Unix seconds) a CAPTCHA puzzle and a silent challenge were last
    /// solved, if ever.
    Valid {
        /// Last CAPTCHA solved.
        captcha_at: Option<u64>,
        /// Last challenge solved.
        challenge_at: Option<u64>,
    },
}

/// One web request as the engine inspects it. The caller truncates `body` to the web ACL's
/// body inspection limit ([`crate::WebAclPlan::body_inspection_limit`]) and gives the full
/// length in `body_len`.
#[derive(Debug, Clone)]
pub struct InspectedRequest {
    /// HTTP method, as sent.
    pub method: String,
    /// URI path, as sent (not decoded).
    pub uri_path: String,
    /// Raw query string without `?` (empty when none).
    pub query: String,
    /// URI fragment without `#`, when the caller knows one.
    pub fragment: Option<String>,
    /// Headers in the order received: (name, value).
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body, at most the inspection limit.
    pub body: Vec<u8>,
    /// The full body length (≥ `body.len()`); larger means the body is oversize.
    pub body_len: usize,
    /// The address of the connection's peer.
    pub client_ip: IpAddr,
    /// JA3 fingerprint of the TLS ClientHello (32 hex characters), when computed.
    pub ja3: Option<String>,
    /// JA4 fingerprint, when computed.
    pub ja4: Option<String>,
    /// The WAF token.
    pub token: TokenCheck,
}

impl InspectedRequest {
    /// A bodiless request with no headers, for `method` and a `path?query` target.
    pub fn new(method: &str, target: &str, client_ip: IpAddr) -> InspectedRequest {
        let (path, rest) = target.split_once('?').unwrap_or((target, ""));
        InspectedRequest {
            method: method.to_owned(),
            uri_path: path.to_owned(),
            query: rest.to_owned(),
            fragment: None,
            headers: Vec::new(),
            body: Vec::new(),
            body_len: 0,
            client_ip,
            ja3: None,
            ja4: None,
            token: TokenCheck::Absent,
        }
    }

    /// Adds a header (builder style).
    pub fn header(mut self, name: &str, value: &str) -> InspectedRequest {
        self.headers
            .push((name.to_owned(), value.as_bytes().to_vec()));
        self
    }

    /// Sets the body, truncated to `limit` bytes (builder style).
    pub fn body(mut self, body: &[u8], limit: usize) -> InspectedRequest {
        self.body_len = body.len();
        self.body = body[..body.len().min(limit)].to_vec();
        self
    }

    /// The values of the headers named `name` (case-insensitive), in order.
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The first value of header `name`.
    pub fn first_header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
    }

    /// The cookies of every `Cookie` header: (name, value), split at `;` and the first `=`,
    /// surrounding spaces trimmed.
    pub fn cookies(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.header_values("cookie")
            .flat_map(|v| v.split(|&b| b == b';'))
            .map(trim)
            .filter(|c| !c.is_empty())
            .map(|c| split_once(c, b'='))
    }

    /// The body is larger than what the engine was given.
    pub fn body_oversize(&self) -> bool {
        self.body_len > self.body.len()
    }
}

/// Query arguments of a raw query string: (name, value) split at `&` and the first `=`.
pub(crate) fn query_args(query: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    query
        .split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|p| split_once(p, b'='))
}

fn split_once(bytes: &[u8], sep: u8) -> (&[u8], &[u8]) {
    match bytes.iter().position(|&b| b == sep) {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (bytes, &[]),
    }
}

pub(crate) fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &bytes[start..end.max(start)]
}

/// Country (and region) of an address; the caller provides the database.
pub trait GeoLookup: Send + Sync {
    /// ISO 3166-1 alpha-2 country code (upper case) of `ip`.
    fn country(&self, ip: IpAddr) -> Option<[u8; 2]>;
    /// ISO 3166-2 region code without the country (`"WA"` for `US-WA`), when known.
    fn region(&self, ip: IpAddr) -> Option<String> {
        let _ = ip;
        None
    }
}

/// Autonomous system number of an address; the caller provides the database.
pub trait AsnLookup: Send + Sync {
    /// The ASN announcing `ip`.
    fn asn(&self, ip: IpAddr) -> Option<u32>;
}

/// A geography database that knows no address.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoGeo;

impl GeoLookup for NoGeo {
    fn country(&self, _ip: IpAddr) -> Option<[u8; 2]> {
        None
    }
}

/// An ASN database that knows no address.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoAsn;

impl AsnLookup for NoAsn {
    fn asn(&self, _ip: IpAddr) -> Option<u32> {
        None
    }
}

/// What an evaluation needs besides the request: the time and the lookups.
#[derive(Clone, Copy)]
pub struct Environment<'a> {
    /// Now, in Unix seconds (the caller's clock).
    pub now: u64,
    /// Country lookup.
    pub geo: &'a dyn GeoLookup,
    /// ASN lookup.
    pub asn: &'a dyn AsnLookup,
}

impl Environment<'static> {
    /// No geography or ASN data, at time `now`.
    pub fn bare(now: u64) -> Environment<'static> {
        Environment {
            now,
            geo: &NoGeo,
            asn: &NoAsn,
        }
    }
}
