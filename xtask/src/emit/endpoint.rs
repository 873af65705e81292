//! `endpoint.rs`: `Endpoint<S>`, a service implementing the generated API behind the wire
//! layer's seam (`AwsJsonService`, `AwsQueryService` or `AwsHttpService` for restJson1, restXml and
//! RPC v2 CBOR): the model's constants and `dispatch`.

use super::Ctx;
use crate::model::Protocol;

/// The imports and the struct both protocols share.
fn head(ctx: &Ctx<'_>, seam: &str, args: &str) -> String {
    let mut out = ctx.header("The endpoint: the service behind the wire layer's seam.");
    out += &format!(
        "use super::operations::{{{api}, dispatch}};\n\
         use rampart_codec::{{{seam}, BoxFuture, Invocation{args}}};\n\
         use rampart_core::RequestContext;\nuse std::sync::Arc;\n\n\
         /// A {id} service (any `{api}`) behind the wire layer's `{seam}` seam.\n\
         pub struct Endpoint<S>(pub Arc<S>);\n\n\
         impl<S> std::fmt::Debug for Endpoint<S> {{\n\
         fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n\
         f.write_str(\"Endpoint({id})\")\n}}\n}}\n\n",
        api = ctx.trait_name(),
        id = ctx.model.metadata.service_id,
    );
    out
}

/// `Endpoint` of an awsJson service.
pub fn json(ctx: &Ctx<'_>) -> String {
    head(ctx, "AwsJsonService", "") + &json_impl(ctx)
}

/// `Endpoint` of an RPC v2 CBOR service that also answers awsJson: both seams.
pub fn json_and_cbor(ctx: &Ctx<'_>) -> String {
    let args = ", AwsHttpService, HttpInvocation, HttpProtocol, HttpRequest";
    let mut out = head(ctx, "AwsJsonService", args)
        + &json_impl(ctx)
        + "
";
    out += &http_impl(
        ctx,
        "RpcV2Cbor",
        "super::TARGET_PREFIX",
        "let _ = (method, query);\n\
         rampart_codec::cbor_route(path).is_some_and(|(s, _)| s == super::TARGET_PREFIX)",
        "super::cbor::dispatch(self.0.as_ref(), ctx, req.path, req.body)",
    );
    out
}

/// `Endpoint` of a restJson1 or restXml service.
pub fn rest(ctx: &Ctx<'_>) -> String {
    let args = ", HttpInvocation, HttpProtocol, HttpRequest";
    let protocol = match ctx.protocols[0] {
        Protocol::RestXml => "RestXml",
        _ => "RestJson1",
    };
    head(ctx, "AwsHttpService", args)
        + &http_impl(
            ctx,
            protocol,
            "\"\"",
            "rampart_codec::route(super::http::ROUTES, method, path, query).is_some()",
            "dispatch(self.0.as_ref(), ctx, req)",
        )
}

/// The `AwsHttpService` impl: `protocol` a variant of `HttpProtocol`, the other arguments
/// expressions.
fn http_impl(ctx: &Ctx<'_>, protocol: &str, prefix: &str, has_route: &str, call: &str) -> String {
    format!(
        "impl<S: {} + 'static> AwsHttpService for Endpoint<S> {{\n\
         fn signing_name(&self) -> &'static str {{\nsuper::SIGNING_NAME\n}}\n\
         fn event_source(&self) -> &'static str {{\nsuper::EVENT_SOURCE\n}}\n\
         fn protocol(&self) -> HttpProtocol {{\nHttpProtocol::{protocol}\n}}\n\
         fn target_prefix(&self) -> &'static str {{\n{prefix}\n}}\n\
         fn has_route(&self, method: &str, path: &str, query: &str) -> bool {{\n\
         {has_route}\n}}\n\
         fn invoke<'a>(&'a self, ctx: &'a RequestContext, req: &'a HttpRequest<'a>) \
         -> BoxFuture<'a, HttpInvocation> {{\n\
         Box::pin({call})\n}}\n}}\n",
        ctx.trait_name()
    )
}

fn json_impl(ctx: &Ctx<'_>) -> String {
    format!(
        "impl<S: {} + 'static> AwsJsonService for Endpoint<S> {{\n\
         fn target_prefix(&self) -> &'static str {{\nsuper::TARGET_PREFIX\n}}\n\
         fn signing_name(&self) -> &'static str {{\nsuper::SIGNING_NAME\n}}\n\
         fn event_source(&self) -> &'static str {{\nsuper::EVENT_SOURCE\n}}\n\
         fn json_version(&self) -> &'static str {{\nsuper::JSON_VERSION\n}}\n\
         fn invoke<'a>(&'a self, ctx: &'a RequestContext, operation: &'a str, body: &'a [u8]) \
         -> BoxFuture<'a, Invocation> {{\n\
         Box::pin(dispatch(self.0.as_ref(), ctx, operation, body))\n}}\n}}\n",
        ctx.trait_name()
    )
}

/// `Endpoint` of a query service.
pub fn query(ctx: &Ctx<'_>) -> String {
    let mut out = head(ctx, "AwsQueryService", ", QueryNode");
    out += &format!(
        "impl<S: {} + 'static> AwsQueryService for Endpoint<S> {{\n\
         fn signing_name(&self) -> &'static str {{\nsuper::SIGNING_NAME\n}}\n\
         fn event_source(&self) -> &'static str {{\nsuper::EVENT_SOURCE\n}}\n\
         fn xml_namespace(&self) -> &'static str {{\nsuper::XML_NAMESPACE\n}}\n\
         fn api_version(&self) -> &'static str {{\nsuper::API_VERSION\n}}\n\
         fn global_region(&self) -> Option<&'static str> {{\nsuper::GLOBAL_REGION\n}}\n\
         fn has_action(&self, action: &str) -> bool {{\nsuper::OPERATIONS.contains(&action)\n}}\n\
         fn invoke<'a>(&'a self, ctx: &'a RequestContext, action: &'a str, params: &'a QueryNode) \
         -> BoxFuture<'a, Invocation> {{\n\
         Box::pin(dispatch(self.0.as_ref(), ctx, action, params))\n}}\n}}\n",
        ctx.trait_name()
    );
    out
}
