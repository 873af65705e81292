//! PRIVATE REST APIs and the private listener (`[edge] private_listen`), Rampart's stand-in
//! for an interface VPC endpoint of `execute-api`. There a request names its API by path
//! (`/restapis/<api-id>/<stage>/_user_request_/<path>`), by the `x-apigw-api-id` header
//! (any host, as with the endpoint's own DNS name; the stage the first path segment), by the
//! endpoint-specific host `<api-id>-<vpce-id>.execute-api.<region>.<domain>` (only for this
//! endpoint, and only for an API that lists it in `vpcEndpointIds`, as AWS makes that alias
//! only then) or by the private DNS host `<api-id>.execute-api.<region>.<domain>`. As in AWS,
//! a VPC endpoint routes to PRIVATE APIs only and public listeners never reach them: either
//! way the answer is API Gateway's 403 `{"message":"Forbidden"}`.

use crate::edge::body::EdgeBody;
use crate::edge::respond::gateway_error;
use crate::edge::route::{Target, execute_api_label, stage_target, target};
use crate::edge::snapshot::ApiView;

/// The header naming the API when the host does not (the VPC endpoint's own DNS name).
pub const API_ID_HEADER: &str = "x-apigw-api-id";

/// The VPC endpoint a private listener stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcEndpoint {
    /// `aws:SourceVpce` of the requests arriving there.
    pub vpce_id: String,
    /// `aws:SourceVpc` of the requests arriving there.
    pub vpc_id: String,
}

/// Where a request on the private listener goes, with the VPC endpoint id its host named
/// (the endpoint-specific host form), if any.
pub fn private_target(
    host: Option<&str>,
    api_id_header: Option<&str>,
    path: &str,
) -> Option<(Target, Option<String>)> {
    if path.starts_with("/restapis/") {
        return target(None, path).map(|t| (t, None));
    }
    if let Some(api_id) = api_id_header {
        return stage_target(api_id.trim(), path).map(|t| (t, None));
    }
    let label = execute_api_label(host?)?;
    match label.split_once("-vpce-") {
        Some((api_id, digits)) => {
            stage_target(api_id, path).map(|t| (t, Some(format!("vpce-{digits}"))))
        }
        None => stage_target(label, path).map(|t| (t, None)),
    }
}

/// Whether `api` answers a request arriving through `endpoint` (none: a public listener)
/// whose host named VPC endpoint `named`.
pub fn reachable(api: &ApiView, endpoint: Option<&VpcEndpoint>, named: Option<&str>) -> bool {
    let private = api.endpoint_type == "PRIVATE";
    let Some(endpoint) = endpoint else {
        return !private;
    };
    private
        && named.is_none_or(|named| {
            named.eq_ignore_ascii_case(&endpoint.vpce_id)
                && api
                    .vpc_endpoint_ids
                    .iter()
                    .any(|id| id == &endpoint.vpce_id)
        })
}

/// 403 for an API this listener does not reach.
pub fn forbidden(request_id: &str) -> http::Response<EdgeBody> {
    gateway_error(request_id, 403, "ForbiddenException", "Forbidden")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn api(endpoint_type: &str, vpc_endpoint_ids: &[&str]) -> ApiView {
        ApiView {
            id: "abc123defg".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            endpoint_type: endpoint_type.into(),
            vpc_endpoint_ids: vpc_endpoint_ids.iter().map(|s| (*s).to_owned()).collect(),
            execute_api_disabled: false,
            policy: None,
            stages: HashMap::new(),
        }
    }

    fn endpoint() -> VpcEndpoint {
        VpcEndpoint {
            vpce_id: "vpce-0123456789abcdef0".into(),
            vpc_id: "vpc-0a1b2c3d".into(),
        }
    }

    fn parts(found: Option<(Target, Option<String>)>) -> (String, String, String, Option<String>) {
        let (t, named) = found.unwrap();
        (t.api_id, t.stage, t.path, named)
    }

    #[test]
    fn the_private_listener_takes_the_path_the_header_and_both_host_forms() {
        let by_path = private_target(
            Some("x"),
            Some("ignored"),
            "/restapis/abc123defg/prod/_user_request_/a",
        );
        assert_eq!(
            parts(by_path),
            ("abc123defg".into(), "prod".into(), "/a".into(), None)
        );
        let vpce_host = "vpce-0123456789abcdef0-abcd1234.execute-api.us-east-1.vpce.localhost";
        let by_header = private_target(Some(vpce_host), Some("ABC123defg"), "/prod/x/y");
        assert_eq!(
            parts(by_header),
            ("abc123defg".into(), "prod".into(), "/x/y".into(), None)
        );
        let alias = "abc123defg-vpce-0123456789abcdef0.execute-api.us-east-1.localhost:4520";
        assert_eq!(
            parts(private_target(Some(alias), None, "/prod")),
            (
                "abc123defg".into(),
                "prod".into(),
                "/".into(),
                Some("vpce-0123456789abcdef0".into())
            )
        );
        let plain = "abc123defg.execute-api.us-east-1.localhost";
        assert_eq!(
            parts(private_target(Some(plain), None, "/prod/p")),
            ("abc123defg".into(), "prod".into(), "/p".into(), None)
        );
        assert!(private_target(Some("example.com"), None, "/prod/p").is_none());
        assert!(private_target(Some(plain), None, "/").is_none());
        assert!(private_target(None, Some(""), "/prod").is_none());
    }

    #[test]
    fn private_apis_answer_only_through_the_endpoint_and_public_ones_only_outside() {
        let vpce = endpoint();
        let private = api("PRIVATE", &[]);
        assert!(!reachable(&private, None, None));
        assert!(reachable(&private, Some(&vpce), None));
        // The endpoint-specific host exists only for an API associated with this endpoint.
        let named = Some("vpce-0123456789abcdef0");
        assert!(!reachable(&private, Some(&vpce), named));
        let associated = api("PRIVATE", &["vpce-0123456789abcdef0"]);
        assert!(reachable(&associated, Some(&vpce), named));
        assert!(!reachable(&associated, Some(&vpce), Some("vpce-99999999")));
        for public in ["REGIONAL", "EDGE"] {
            assert!(reachable(&api(public, &[]), None, None));
            assert!(!reachable(&api(public, &[]), Some(&vpce), None));
        }
        let answer = forbidden("rid");
        assert_eq!(answer.status(), 403);
        assert_eq!(answer.headers()["x-amzn-ErrorType"], "ForbiddenException");
    }
}
