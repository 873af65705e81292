//! `operations.rs` of a query service: the handler traits (as for awsJson services),
//! `DecodeOnly` and `dispatch` by `Action`; other operations answer `UnsupportedOperation`
//! without reading their parameters.

use crate::emit::{Ctx, operations};
use crate::model::Operation;
use crate::services::matches;
use std::fmt::Write as _;

/// Emits the handler traits, the operation lists, `DecodeOnly` and the dispatcher.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Operations: handler traits and dispatcher.");
    out += "use super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_codec::{Empty, Invocation, QueryEnv, QueryNode, QueryOperationSpec, ServiceError, \
            answer, invoke_query, unit, unknown_action, unsupported_operation};\n";
    out += "use std::future::Future;\n\n";
    out += &operations::shared(ctx, "unsupported_operation")?;
    let mut arms = String::new();
    for (name, op) in &ctx.served {
        arms += &arm(ctx, name, op)?;
    }
    arms += &operations::not_served_arms(ctx);
    let _ = write!(
        out,
        "/// Runs `action` (the `Action` parameter) on `handler` with the request's parameters.\n\
         pub async fn dispatch<H: {}>(handler: &H, ctx: &RequestContext, action: &str, params: &QueryNode) -> Invocation {{\n\
         let env = QueryEnv {{ namespace: super::XML_NAMESPACE, request_id: &ctx.request_id }};\n\
         match action {{\n{arms}_ => unknown_action(action, super::API_VERSION),\n}}\n}}\n",
        ctx.trait_name()
    );
    Ok(out)
}

/// The `match` arm of one operation in `dispatch`.
fn arm(ctx: &Ctx<'_>, name: &str, op: &Operation) -> Result<String, String> {
    let (in_ty, bind, call) = operations::handler_call(name, op);
    let wrapper = match &op.output {
        Some(r) => {
            let wrapper = r
                .result_wrapper
                .as_deref()
                .ok_or_else(|| format!("operation {name}: output without resultWrapper"))?;
            format!("Some({wrapper:?})")
        }
        None => String::from("None"),
    };
    Ok(format!(
        "{name:?} => {{\nlet spec = QueryOperationSpec {{ name: {name:?}, read_only: {}, \
         audit_response: {}, result_wrapper: {wrapper} }};\n\
         invoke_query(spec, env, params, |{bind}: {in_ty}| {call}).await\n}}\n",
        matches(ctx.spec.read_only, name),
        !matches(ctx.spec.hidden_responses, name),
    ))
}
