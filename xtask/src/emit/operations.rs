//! `operations.rs`: the handler traits (a base trait with the handlers' error and the per-call
//! hook, one trait per served operation, the service trait as their sum), the operation lists,
//! a refusing `DecodeOnly` handler and `dispatch`. The parts both protocols share are here;
//! `query::operations` writes the query dispatcher.

use super::Ctx;
use crate::model::Operation;
use crate::names;
use crate::services::matches;
use std::fmt::Write as _;

/// Names of the generated module's own items an operation trait must not take.
const TAKEN: &[&str] = &["DecodeOnly", "Endpoint", "Arc", "BoxFuture"];

/// Emits the handler traits, the operation lists, `DecodeOnly` and the awsJson dispatcher.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Operations: handler traits and dispatcher.");
    out += "use super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_codec::{Empty, Invocation, OperationSpec, ServiceError, answer, invoke, \
            invoke_checked, unit};\n";
    out += "use std::future::Future;\n\n";
    out += &shared(ctx, "ServiceError::not_implemented")?;
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

/// The operation lists, the handler traits, `DecodeOnly` and the not-served answer; `refuse`
/// is the function building the not-implemented error from (service id, operation).
pub fn shared(ctx: &Ctx<'_>, refuse: &str) -> Result<String, String> {
    let quote = |names: &mut dyn Iterator<Item = &str>| -> String {
        names
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let all = quote(&mut ctx.model.operations.keys().map(String::as_str));
    let served = quote(&mut ctx.served.iter().map(|(n, _)| *n));
    let mut out = format!(
        "/// Every operation of the model.\npub const OPERATIONS: &[&str] = &[{all}];\n\n\
         /// The operations Rampart serves; the others answer not-served without reading the request.\n\
         pub const SERVED: &[&str] = &[{served}];\n\n"
    );
    out += &base_trait(ctx);
    let handler = ctx.handler_name();
    let mut decode_only =
        format!("impl {handler} for DecodeOnly {{\ntype Error = ServiceError;\n}}\n\n");
    let mut sum = vec![handler.clone()];
    for (name, op) in &ctx.served {
        let op_trait = operation_trait(ctx, name)?;
        out += &op_trait_decl(ctx, name, op, &op_trait);
        decode_only += &refusal(ctx, name, op, &op_trait, refuse);
        sum.push(op_trait);
    }
    out += &api_trait(ctx, &sum.join(" + "));
    let _ = write!(
        out,
        "/// A handler serving nothing: every served operation's input is decoded, audited and\n\
         /// validated by `dispatch`, then refused as not implemented (fuzzing and tests).\n\
         #[doc(hidden)]\n#[derive(Debug, Clone, Copy, Default)]\npub struct DecodeOnly;\n\n\
         {decode_only}"
    );
    if !ctx.not_served.is_empty() {
        let _ = write!(
            out,
            "/// The answer to a model operation Rampart does not serve; the request is not read.\n\
             fn not_served(name: &'static str, read_only: bool) -> Invocation {{\n\
             Invocation::not_served(name, read_only, {refuse}(super::SERVICE_ID, name))\n}}\n\n"
        );
    }
    Ok(out)
}

/// The service trait: the sum of the base trait and the operation traits (`bounds`), with a
/// blanket impl.
fn api_trait(ctx: &Ctx<'_>, bounds: &str) -> String {
    let (api, handler) = (ctx.trait_name(), ctx.handler_name());
    format!(
        "/// The {} operations Rampart serves: implemented by implementing\n\
         /// [`{handler}`] and every operation's trait.\npub trait {api}: {bounds} {{}}\n\n\
         impl<T: {bounds}> {api} for T {{}}\n\n",
        ctx.model.metadata.service_id
    )
}

/// The base trait every operation trait extends: the handlers' error and the per-call hook.
fn base_trait(ctx: &Ctx<'_>) -> String {
    format!(
        "/// What the {} operation traits share: the error their handlers answer (`dispatch`\n\
         /// converts it to the AWS error) and a hook run after each handler call.\n\
         pub trait {}: Send + Sync {{\n\
         /// The handlers' error.\n\
         type Error: Into<ServiceError> + Send;\n\n\
         /// Called once per call that reached a handler, after it: the operation's model name\n\
         /// and whether the handler succeeded. Does nothing unless the service overrides it.\n\
         fn after_call(&self, ctx: &RequestContext, operation: &'static str, ok: bool) {{\n\
         let _ = (ctx, operation, ok);\n}}\n}}\n\n",
        ctx.model.metadata.service_id,
        ctx.handler_name()
    )
}

/// The trait name of operation `name`, refused when it would shadow a generated type.
fn operation_trait(ctx: &Ctx<'_>, name: &str) -> Result<String, String> {
    let ty = names::type_name(name);
    let shadows = ctx.structs.contains(name)
        || ctx.enums.contains(name)
        || TAKEN.contains(&ty.as_str())
        || ty == ctx.trait_name()
        || ty == ctx.handler_name();
    if shadows {
        return Err(format!(
            "operation {name}: its trait would shadow a generated type"
        ));
    }
    Ok(ty)
}

/// The trait of one served operation.
fn op_trait_decl(ctx: &Ctx<'_>, name: &str, op: &Operation, op_trait: &str) -> String {
    let (fun, args, ret) = (names::field(name), params(op, ""), output(op));
    let handler = ctx.handler_name();
    let check = match (&op.input, ctx.is_prechecked(name)) {
        (Some(input), true) => format!(
            "/// The service's own checks of `{name}`'s input, run before model validation.\n\
             fn check_{fun}(&self, ctx: &RequestContext, input: &{}) -> Result<(), Self::Error>;\n\n",
            names::type_name(&input.shape)
        ),
        _ => String::new(),
    };
    format!(
        "/// `{name}`.\npub trait {op_trait}: {handler} {{\n{check}\
         /// Runs `{name}`.\n\
         fn {fun}({args}) -> impl Future<Output = Result<{ret}, Self::Error>> + Send;\n}}\n\n"
    )
}

/// `DecodeOnly`'s refusal of one served operation.
fn refusal(ctx: &Ctx<'_>, name: &str, op: &Operation, op_trait: &str, refuse: &str) -> String {
    let (fun, ret) = (names::field(name), output(op));
    let check = match (&op.input, ctx.is_prechecked(name)) {
        (Some(input), true) => format!(
            "fn check_{fun}(&self, _ctx: &RequestContext, _input: &{}) -> Result<(), ServiceError> {{\nOk(())\n}}\n\n",
            names::type_name(&input.shape)
        ),
        _ => String::new(),
    };
    format!(
        "impl {op_trait} for DecodeOnly {{\n{check}\
         async fn {fun}({}) -> Result<{ret}, ServiceError> {{\n\
         Err({refuse}(super::SERVICE_ID, {name:?}))\n}}\n}}\n\n",
        params(op, "_")
    )
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

/// The input type, closure binding and handler call of a served operation in `dispatch`: the
/// call answers the AWS error and runs the `after_call` hook.
pub fn handler_call(name: &str, op: &Operation) -> (String, &'static str, String) {
    let (in_ty, pass, bind) = match &op.input {
        Some(r) => (names::type_name(&r.shape), ", i", "i"),
        None => (String::from("Empty"), "", "_"),
    };
    let call = format!(
        "answer(move || handler.{}(ctx{pass}), move |ok| handler.after_call(ctx, {name:?}, ok))",
        names::field(name)
    );
    let call = if op.output.is_some() {
        call
    } else {
        format!("unit({call})")
    };
    (in_ty, bind, call)
}

/// The `match` arm of one served operation in `dispatch`.
fn arm(ctx: &Ctx<'_>, name: &str, op: &Operation) -> String {
    let (in_ty, bind, call) = handler_call(name, op);
    let run = if ctx.is_prechecked(name) {
        format!(
            "invoke_checked(spec, body, |i: &{in_ty}| handler.check_{}(ctx, i).map_err(Into::into), |{bind}: {in_ty}| {call})",
            names::field(name)
        )
    } else {
        format!("invoke(spec, body, |{bind}: {in_ty}| {call})")
    };
    format!(
        "{name:?} => {{\nlet spec = OperationSpec {{ name: {name:?}, read_only: {}, audit_response: {} }};\n\
         {run}.await\n}}\n",
        matches(ctx.spec.read_only, name),
        !matches(ctx.spec.hidden_responses, name),
    )
}
