//! `operations.rs`: the service trait (one required method per served operation), the operation
//! lists, a refusing `DecodeOnly` handler and `dispatch`. The parts both protocols share are
//! here; `query::operations` writes the query dispatcher.

use super::Ctx;
use crate::model::Operation;
use crate::names;
use crate::services::matches;
use std::fmt::Write as _;

/// Emits the handler trait, the operation lists, `DecodeOnly` and the awsJson dispatcher.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Operations: handler trait and dispatcher.");
    out += "use super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_codec::{Empty, Invocation, OperationSpec, ServiceError, invoke, unit};\n";
    out += "use std::future::Future;\n\n";
    out += &shared(ctx, "ServiceError::not_implemented");
    let mut arms = String::new();
    for (name, op) in &ctx.served {
        arms += &arm(ctx, name, op);
    }
    arms += &not_served_arms(ctx);
    let _ = write!(
        out,
        "/// Runs `operation` (the part of `X-Amz-Target` after `{}.`) on `handler`.\n\
         pub async fn dispatch<H: {}>(handler: &H, ctx: &RequestContext, operation: &str, body: &[u8]) -> Invocation {{\n\
         match operation {{\n{arms}_ => Invocation::unknown_operation(),\n}}\n}}\n",
        ctx.target_prefix(),
        ctx.trait_name()
    );
    Ok(out)
}

/// The operation lists, the handler trait, `DecodeOnly` and the not-served answer; `refuse`
/// is the function building the not-implemented error from (service id, operation).
pub fn shared(ctx: &Ctx<'_>, refuse: &str) -> String {
    let quote = |names: &mut dyn Iterator<Item = &str>| -> String {
        names
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = quote(&mut ctx.model.operations.keys().map(String::as_str));
    let served = quote(&mut ctx.served.iter().map(|(n, _)| *n));
    let trait_name = ctx.trait_name();
    let mut out = format!(
        "/// Every operation of the model.\npub const OPERATIONS: &[&str] = &[{all}];\n\n\
         /// The operations Rampart serves; the others answer not-served without reading the request.\n\
         pub const SERVED: &[&str] = &[{served}];\n\n\
         /// The {} operations Rampart serves.\npub trait {trait_name}: Send + Sync {{\n",
        ctx.model.metadata.service_id
    );
    let mut refusals = String::new();
    for (name, op) in &ctx.served {
        let (fun, args, ret) = (names::field(name), params(op, ""), output(op));
        let _ = write!(
            out,
            "/// `{name}`.\nfn {fun}({args}) -> impl Future<Output = Result<{ret}, ServiceError>> + Send;\n\n"
        );
        let _ = write!(
            refusals,
            "async fn {fun}({}) -> Result<{ret}, ServiceError> {{\n\
             Err({refuse}(super::SERVICE_ID, {name:?}))\n}}\n\n",
            params(op, "_")
        );
    }
    let _ = write!(
        out,
        "}}\n\n\
         /// A handler serving nothing: every served operation's input is decoded, audited and\n\
         /// validated by `dispatch`, then refused as not implemented (fuzzing and tests).\n\
         #[doc(hidden)]\n#[derive(Debug, Clone, Copy, Default)]\npub struct DecodeOnly;\n\n\
         impl {trait_name} for DecodeOnly {{\n{refusals}}}\n\n"
    );
    if !ctx.not_served.is_empty() {
        let _ = write!(
            out,
            "/// The answer to a model operation Rampart does not serve; the request is not read.\n\
             fn not_served(name: &'static str, read_only: bool) -> Invocation {{\n\
             Invocation::not_served(name, read_only, {refuse}(super::SERVICE_ID, name))\n}}\n\n"
        );
    }
    out
}

/// The parameters of a served operation's method; `unused` prefixes their names.
fn params(op: &Operation, unused: &str) -> String {
    let arg = op
        .input
        .as_ref()
        .map(|r| format!(", {unused}input: {}", names::type_name(&r.shape)))
        .unwrap_or_default();
    format!("&self, {unused}ctx: &RequestContext{arg}")
}

/// The output type of a served operation's method.
fn output(op: &Operation) -> String {
    op.output
        .as_ref()
        .map_or_else(|| String::from("()"), |r| names::type_name(&r.shape))
}

/// One `match` arm per model operation that is not served.
pub fn not_served_arms(ctx: &Ctx<'_>) -> String {
    let mut arms = String::new();
    for name in &ctx.not_served {
        let _ = writeln!(
            arms,
            "{name:?} => not_served({name:?}, {}),",
            matches(ctx.spec.read_only, name)
        );
    }
    arms
}

/// The `match` arm of one served operation in `dispatch`.
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

/// The input type, the closure parameter and the handler call of a served operation (REST and
/// RPC v2 dispatchers): `Empty` without input, `unit(..)` around calls without output.
pub fn call_parts(name: &str, op: &Operation) -> (String, &'static str, String) {
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
    (in_ty, bind, call)
}
