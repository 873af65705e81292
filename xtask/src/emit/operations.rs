//! `operations.rs`: the service trait (one defaulted method per operation) and `dispatch`.

use super::Ctx;
use crate::model::Operation;
use crate::names;
use crate::services::matches;
use std::fmt::Write as _;

/// Emits the handler trait, the operation list and the dispatcher.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let spec = ctx.spec;
    let mut out = ctx.header("Operations: handler trait and dispatcher.");
    out += "use super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_wire::codec::{Empty, Invocation, OperationSpec, ServiceError, invoke, unit};\n";
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
        "/// The {} operations. Every method defaults to `UnsupportedOperationException`;\n\
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
        arms += &arm(ctx, name, op);
    }
    out += "}\n\n";
    let _ = write!(
        out,
        "/// Runs `operation` (the part of `X-Amz-Target` after `{}.`) on `handler`.\n\
         pub async fn dispatch<H: {}>(handler: &H, ctx: &RequestContext, operation: &str, body: &[u8]) -> Invocation {{\n\
         match operation {{\n{arms}_ => Invocation::unknown_operation(),\n}}\n}}\n",
        spec.target_prefix, spec.trait_name
    );
    Ok(out)
}

/// The trait method of one operation, answering `UnsupportedOperationException` by default.
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
         async {{ Err(ServiceError::not_implemented({service:?}, {name:?})) }}\n}}\n\n",
        names::field(name)
    )
}

/// The `match` arm of one operation in `dispatch`.
fn arm(ctx: &Ctx<'_>, name: &str, op: &Operation) -> String {
    let (in_ty, pass, bind) = match &op.input {
        Some(r) => (names::type_name(&r.shape), ", i", "i"),
        None => (String::from("Empty"), "", "_"),
    };
    let call = format!("handler.{}(ctx{pass})", names::field(name));
    let call = if op.output.is_some() {
        call
    } else {
        format!("unit({call})")
    };
    format!(
        "{name:?} => {{\nlet spec = OperationSpec {{ name: {name:?}, read_only: {}, audit_response: {} }};\n\
         invoke(spec, body, |{bind}: {in_ty}| {call}).await\n}}\n",
        matches(ctx.spec.read_only, name),
        !matches(ctx.spec.hidden_responses, name),
    )
}
