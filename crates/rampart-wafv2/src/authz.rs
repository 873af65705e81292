//! Authorization of every call: the caller's IAM policies must allow `wafv2:<Operation>` on
//! the resource the request names: its ARN when the request gives one, else the ARN its
//! Name, Scope and Id make (`*` in place of the id on Create), else `*` (List, CheckCapacity
//! and the managed rule group catalog).

use crate::arn::{Kind, Location, Scope};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use serde_json::{Map, Value};

/// Members that carry the ARN a request acts on, in the order they are looked for.
const ARN_MEMBERS: &[&str] = &[
    "ResourceArn",
    "ResourceARN",
    "WebACLArn",
    "WebAclArn",
    "ARN",
];

/// The kind of resource an operation's name mentions.
fn kind_of(operation: &str) -> Option<Kind> {
    [
        ("IPSet", Kind::IpSet),
        ("RegexPatternSet", Kind::RegexPatternSet),
        ("RuleGroup", Kind::RuleGroup),
        ("WebACL", Kind::WebAcl),
    ]
    .into_iter()
    .find(|(word, _)| operation.contains(word))
    .map(|(_, kind)| kind)
}

/// The resource `operation` with `input` acts on, for the authorization check.
pub fn resource_of(ctx: &RequestContext, operation: &str, input: &Map<String, Value>) -> String {
    let text = |key: &str| input.get(key).and_then(Value::as_str);
    if let Some(arn) = ARN_MEMBERS.iter().find_map(|k| text(k)) {
        return arn.to_owned();
    }
    let scope = match text("Scope") {
        Some("CLOUDFRONT") => Scope::CloudFront,
        _ => Scope::Regional,
    };
    let name = text("Name").or_else(|| text("WebACLName"));
    match (kind_of(operation), name) {
        (Some(kind), Some(name)) if !operation.starts_with("List") => Location {
            region: ctx.region.as_str().to_owned(),
            account: ctx.account().as_str().to_owned(),
            scope,
            kind,
            name: name.to_owned(),
            id: text("Id")
                .or_else(|| text("WebACLId"))
                .unwrap_or("*")
                .to_owned(),
        }
        .arn(),
        _ => String::from("*"),
    }
}

/// Allows or refuses `operation` with `input` for the caller.
pub fn authorize(
    ctx: &RequestContext,
    operation: &str,
    input: &Map<String, Value>,
) -> Result<(), ServiceError> {
    let action = format!("wafv2:{operation}");
    let resource = resource_of(ctx, operation, input);
    ctx.authorize_own(&action, &resource, &ctx.policy_context())
        .map_err(|denied| ServiceError::access_denied(denied.message))
}
