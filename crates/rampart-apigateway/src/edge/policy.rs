//! REST API resource policies at the edge: the API's `policy`, compiled once per snapshot,
//! judged for each invocation with the IAM engine as action `execute-api:Invoke` on
//! `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>` for the anonymous
//! caller (the edge does not sign requests), with `aws:SourceIp` the client's address, the
//! current time and, through the private listener, `aws:SourceVpce` and `aws:SourceVpc`; a
//! PRIVATE API without a policy, no allow or an explicit deny answers 403 AccessDeniedException with
//! API Gateway's `{"Message": "User: anonymous is not authorized ..."}`.

use crate::edge::body::{EdgeBody, full};
use crate::edge::private::VpcEndpoint;
use crate::edge::respond::stamp;
use http::{HeaderValue, Response, StatusCode};
use rampart_policy::{Context, Decision, Policy, PolicyKind, PolicySet, Principal, Request};
use std::net::IpAddr;
use std::sync::Arc;

/// A compiled resource policy; one that does not parse refuses every call.
#[derive(Debug, Clone)]
pub enum ResourcePolicy {
    Compiled(Arc<Policy>),
    Unreadable,
}

/// Compiles an API's policy text, if it has one; `execute-api:/<rest>` resources are
/// API Gateway's shorthand for `arn:aws:execute-api:<region>:<account>:<api>/<rest>`.
pub fn compile(
    text: Option<&str>,
    region: &str,
    account: &str,
    api: &str,
) -> Option<ResourcePolicy> {
    let text = text.filter(|t| !t.trim().is_empty())?;
    let full = format!("\"arn:aws:execute-api:{region}:{account}:{api}/");
    let text = text.replace("\"execute-api:/", &full);
    Some(match Policy::parse(&text, PolicyKind::Resource) {
        Ok(policy) => ResourcePolicy::Compiled(Arc::new(policy)),
        Err(e) => {
            tracing::warn!(error = %e, "a REST API's resource policy does not parse; it denies");
            ResourcePolicy::Unreadable
        }
    })
}

/// One invocation to judge.
#[derive(Debug)]
pub struct Invocation<'a> {
    pub region: &'a str,
    pub account: &'a str,
    pub api: &'a str,
    pub stage: &'a str,
    pub method: &'a str,
    /// The requested path, starting with `/`.
    pub path: &'a str,
    pub client_ip: IpAddr,
    /// The VPC endpoint the call came through (the private listener), if any.
    pub endpoint: Option<&'a VpcEndpoint>,
}

impl Invocation<'_> {
    /// The `execute-api` ARN invoked.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:execute-api:{}:{}:{}/{}/{}/{}",
            self.region,
            self.account,
            self.api,
            self.stage,
            self.method,
            self.path.trim_start_matches('/')
        )
    }
}

/// The decision of `policy` on `call`.
pub fn judge(
    policy: &ResourcePolicy,
    call: &Invocation<'_>,
    now: time::OffsetDateTime,
) -> Decision {
    let ResourcePolicy::Compiled(policy) = policy else {
        return Decision::ImplicitDeny;
    };
    let principal = Principal::anonymous();
    let mut context = Context::new()
        .with_source_ip(call.client_ip)
        .with_current_time(now)
        .with_secure_transport(false);
    if let Some(endpoint) = call.endpoint {
        context.set("aws:SourceVpce", endpoint.vpce_id.as_str());
        context.set("aws:SourceVpc", endpoint.vpc_id.as_str());
    }
    let resource = call.arn();
    let request = Request {
        principal: &principal,
        action: "execute-api:Invoke",
        resource: &resource,
        resource_account: call.account,
        context: &context,
    };
    let set = PolicySet {
        resource: Some(policy),
        require_resource_allow: true,
        ..PolicySet::default()
    };
    rampart_policy::evaluate(&request, &set)
}

/// The account as API Gateway shows it in refusals: all but the last 4 digits masked.
fn masked(account: &str) -> String {
    let keep = account.len().saturating_sub(4);
    format!("{}{}", "*".repeat(keep), &account[keep..])
}

/// 403 for a call the policy does not allow.
pub fn denied(call: &Invocation<'_>, decision: Decision, request_id: &str) -> Response<EdgeBody> {
    let arn = call.arn().replacen(call.account, &masked(call.account), 1);
    let explicit = if decision == Decision::ExplicitDeny {
        " with an explicit deny"
    } else {
        ""
    };
    let message = format!(
        "User: anonymous is not authorized to perform: execute-api:Invoke on resource: {arn}{explicit}"
    );
    let body = serde_json::json!({ "Message": message }).to_string();
    let mut response = Response::new(full(body));
    *response.status_mut() = StatusCode::FORBIDDEN;
    let headers = response.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        "x-amzn-ErrorType",
        HeaderValue::from_static("AccessDeniedException"),
    );
    stamp(&mut response, request_id);
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn call(ip: &str) -> Invocation<'static> {
        Invocation {
            region: "us-east-1",
            account: "111122223333",
            api: "abc123defg",
            stage: "prod",
            method: "GET",
            path: "/pets/1",
            client_ip: ip.parse().unwrap(),
            endpoint: None,
        }
    }

    const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
         "Resource":"arn:aws:execute-api:us-east-1:111122223333:abc123defg/prod/GET/*"},
        {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke",
         "Resource":"arn:aws:execute-api:us-east-1:111122223333:abc123defg/*",
         "Condition":{"IpAddress":{"aws:SourceIp":["127.0.0.3/32"]}}}]}"#;

    #[test]
    fn policies_allow_deny_by_source_ip_and_default_to_deny() {
        let now = time::OffsetDateTime::now_utc();
        let policy = compile(Some(POLICY), "us-east-1", "111122223333", "abc123defg").unwrap();
        assert_eq!(judge(&policy, &call("127.0.0.2"), now), Decision::Allow);
        assert_eq!(
            judge(&policy, &call("127.0.0.3"), now),
            Decision::ExplicitDeny
        );
        let mut post = call("127.0.0.2");
        post.method = "POST";
        assert_eq!(judge(&policy, &post, now), Decision::ImplicitDeny);
        assert!(compile(None, "r", "a", "i").is_none());
        let broken = compile(Some("{not json"), "r", "a", "i").unwrap();
        assert_eq!(
            judge(&broken, &call("127.0.0.2"), now),
            Decision::ImplicitDeny
        );
        let short = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*",
            "Action":"execute-api:Invoke","Resource":"execute-api:/prod/*"}]}"#;
        let short = compile(Some(short), "us-east-1", "111122223333", "abc123defg").unwrap();
        assert_eq!(judge(&short, &post, now), Decision::Allow);
    }

    #[test]
    fn private_calls_carry_the_vpc_endpoint_and_vpc() {
        let now = time::OffsetDateTime::now_utc();
        let text = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke",
             "Resource":"execute-api:/*",
             "Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0123456789abcdef0"}}},
            {"Effect":"Deny","Principal":"*","Action":"execute-api:Invoke",
             "Resource":"execute-api:/*",
             "Condition":{"StringEquals":{"aws:SourceVpc":"vpc-bad00bad"}}}]}"#;
        let policy = compile(Some(text), "us-east-1", "111122223333", "abc123defg").unwrap();
        let endpoint = |vpce: &str, vpc: &str| VpcEndpoint {
            vpce_id: vpce.into(),
            vpc_id: vpc.into(),
        };
        let mut through = call("10.0.0.1");
        assert_eq!(judge(&policy, &through, now), Decision::ImplicitDeny);
        let ours = endpoint("vpce-0123456789abcdef0", "vpc-0a1b2c3d");
        through.endpoint = Some(&ours);
        assert_eq!(judge(&policy, &through, now), Decision::Allow);
        let other = endpoint("vpce-99999999", "vpc-0a1b2c3d");
        through.endpoint = Some(&other);
        assert_eq!(judge(&policy, &through, now), Decision::ImplicitDeny);
        let denied_vpc = endpoint("vpce-0123456789abcdef0", "vpc-bad00bad");
        through.endpoint = Some(&denied_vpc);
        assert_eq!(judge(&policy, &through, now), Decision::ExplicitDeny);
    }

    #[test]
    fn refusals_name_the_masked_resource() {
        let answer = denied(&call("127.0.0.3"), Decision::ExplicitDeny, "rid");
        assert_eq!(answer.status(), 403);
        assert_eq!(
            call("1.1.1.1").arn(),
            "arn:aws:execute-api:us-east-1:111122223333:abc123defg/prod/GET/pets/1"
        );
        assert_eq!(masked("111122223333"), "********3333");
    }
}
