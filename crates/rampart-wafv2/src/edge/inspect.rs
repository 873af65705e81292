//! The edge's request as the engine inspects it.

use rampart_module::edge_filter::FilterRequest;
use rampart_waf::{InspectedRequest, TokenCheck};
use std::net::IpAddr;

/// `request` with its headers and the first `limit` bytes of its body.
pub fn inspected(request: &FilterRequest<'_>, limit: usize, token: TokenCheck) -> InspectedRequest {
    let mut out = InspectedRequest::new(request.method.as_str(), request.path, request.client_ip);
    out.query = request.query.to_owned();
    out.headers = request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str().to_owned(), v.as_bytes().to_vec()))
        .collect();
    out.body = request.body_prefix[..request.body_prefix.len().min(limit)].to_vec();
    out.body_len = request
        .body_len
        .unwrap_or(request.body_prefix.len())
        .max(out.body.len());
    out.token = token;
    out
}

/// The client address of a rate-based rule's readable aggregation key (`ip=192.0.2.1`,
/// `forwarded-ip=…`, possibly among other parts separated by `;`).
pub fn key_ip(key: &str) -> Option<IpAddr> {
    key.split(';').find_map(|part| {
        let (name, value) = part.split_once('=')?;
        matches!(name, "ip" | "forwarded-ip").then(|| value.parse().ok())?
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn rate_keys_name_their_address() {
        assert_eq!(key_ip("ip=192.0.2.1"), Some("192.0.2.1".parse().unwrap()));
        assert_eq!(key_ip("method=GET;ip=::1"), Some("::1".parse().unwrap()));
        assert_eq!(key_ip("header:x-api-key=abc"), None);
    }
}
