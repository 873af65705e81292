//! `operations.rs` of a query service: the handler trait (every operation defaulting to
//! `UnsupportedOperation`) and `dispatch` by `Action`.

use crate::emit::Ctx;
use crate::model::Operation;
use crate::names;
use crate::services::matches;
use std::fmt::Write as _;

/// Emits the handler trait, the operation list and the dispatcher.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let spec = ctx.spec;
    let mut out = ctx.header("Operations: handler trait and dispatcher.");
    out += "use super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_wire::codec::{Empty, Invocation, QueryEnv, QueryNode, QueryOperationSpec, ServiceError, \
            invoke_query, unit, unknown_action, unsupported_operation};\n";
    out += "use std::future::Future;\n\n";
    let quoted: Vec<String> = ctx
        .model
        .operations
        .keys()
        .map(|k| format!("{k:?}"))
        .collect();
    let _ = write!(
        out,
        "/// Every operation of the model.\npub const OPERATIONS: &[&str] = &[{}];\n\n",
        quoted.join(", ")
    );
    let _ = write!(
        out,
        "/// The {} operations. Every method defaults to `UnsupportedOperation`;\n\
         /// implement the ones the service supports.\n\
         pub trait {}: Send + Sync {{\n",
        ctx.model.metadata.service_id, spec.trait_name
    );
    let mut arms = String::new();
    for (name, op) in &ctx.model.operations {
        if &op.name != name {
            return Err(format!("operation {name} is named {}", op.name));
        }
        out += &method(ctx, name, op);
        arms += &arm(ctx, name, op)?;
    }
    out += "}\n\n";
    let _ = write!(
        out,
        "/// Runs `action` (the `Action` parameter) on `handler` with the request's parameters.\n\
         pub async fn dispatch<H: {}>(handler: &H, ctx: &RequestContext, action: &str, params: &QueryNode) -> Invocation {{\n\
         let env = QueryEnv {{ namespace: super::XML_NAMESPACE, request_id: &ctx.request_id }};\n\
         match action {{\n{arms}_ => unknown_action(action, super::API_VERSION),\n}}\n}}\n",
        spec.trait_name
    );
    Ok(out)
}

/// The trait method of one operation, answering `UnsupportedOperation` by default.
fn method(ctx: &Ctx<'_>, name: &str, op: &Operation) -> String {
    let service = &ctx.model.metadata.service_id;
    let arg = op
        .input
        .as_ref()
        .map(|r| format!(", _input: {}", names::type_name(&r.shape)))
        .unwrap_or_default();
    let ret = op
        .output
        .as_ref()
        .map_or_else(|| String::from("()"), |r| names::type_name(&r.shape));
    format!(
        "/// `{name}`.\n\
         fn {}(&self, _ctx: &RequestContext{arg}) -> impl Future<Output = Result<{ret}, ServiceError>> + Send {{\n\
         async {{ Err(unsupported_operation({service:?}, {name:?})) }}\n}}\n\n",
        names::field(name)
    )
}

/// The `match` arm of one operation in `dispatch`.
fn arm(ctx: &Ctx<'_>, name: &str, op: &Operation) -> Result<String, String> {
    let (in_ty, pass, bind) = match &op.input {
        Some(r) => (names::type_name(&r.shape), ", i", "i"),
        None => (String::from("Empty"), "", "_"),
    };
    let call = format!("handler.{}(ctx{pass})", names::field(name));
    let (call, wrapper) = match &op.output {
        Some(r) => {
            let wrapper = r
                .result_wrapper
                .as_deref()
                .ok_or_else(|| format!("operation {name}: output without resultWrapper"))?;
            (call, format!("Some({wrapper:?})"))
        }
        None => (format!("unit({call})"), String::from("None")),
    };
    Ok(format!(
        "{name:?} => {{\nlet spec = QueryOperationSpec {{ name: {name:?}, read_only: {}, \
         audit_response: {}, result_wrapper: {wrapper} }};\n\
         invoke_query(spec, env, params, |{bind}: {in_ty}| {call}).await\n}}\n",
        matches(ctx.spec.read_only, name),
        !matches(ctx.spec.hidden_responses, name),
    ))
}
