//! Emission for Smithy RPC v2 CBOR services (ACM PCA, Shield, FMS): the awsJson files (the
//! same service also answers awsJson 1.x, which botocore 1.44.8 resolves it to), plus `cbor.rs`
//! (dispatch of `POST /service/<targetPrefix>/operation/<Operation>`) and conformance hooks
//! for both protocols.

use super::{Ctx, GenFile, endpoint, json_files, module_root, operations};
use crate::model::ShapeRef;
use crate::names;
use crate::services::matches;
use std::fmt::Write as _;

/// Generates the service's module.
pub fn generate(ctx: &Ctx<'_>) -> Result<Vec<GenFile>, String> {
    let root = module_root(ctx, "pub mod cbor;\n#[doc(hidden)]\npub mod conformance;\n");
    let mut files = json_files(ctx, root)?;
    for file in files.iter_mut().filter(|f| f.name == "endpoint.rs") {
        file.content = endpoint::json_and_cbor(ctx);
    }
    files.extend([
        GenFile {
            name: "cbor.rs",
            content: dispatcher(ctx),
        },
        GenFile {
            name: "conformance.rs",
            content: conformance(ctx),
        },
    ]);
    Ok(files)
}

fn dispatcher(ctx: &Ctx<'_>) -> String {
    let mut out = ctx.header("Smithy RPC v2 CBOR dispatcher.");
    out += "use super::operations::*;\nuse super::shapes::*;\nuse rampart_core::RequestContext;\n";
    out += "use rampart_codec::{self as codec, Empty, HttpInvocation, Invocation, OperationSpec, \
            ServiceError, answer, invoke_cbor, unit};\n\n";
    let mut arms = String::new();
    for (name, op) in &ctx.served {
        let (in_ty, bind, call) = operations::handler_call(name, op);
        let _ = write!(
            arms,
            "{name:?} => {{\nlet spec = OperationSpec {{ name: {name:?}, read_only: {}, \
             audit_response: {} }};\ninvoke_cbor(spec, body, |{bind}: {in_ty}| {call}).await\n}}\n",
            matches(ctx.spec.read_only, name),
            !matches(ctx.spec.hidden_responses, name),
        );
    }
    for name in &ctx.not_served {
        let _ = writeln!(
            arms,
            "{name:?} => HttpInvocation::from_invocation(Invocation::not_served({name:?}, {}, \
             ServiceError::not_implemented(super::SERVICE_ID, {name:?}))),",
            matches(ctx.spec.read_only, name)
        );
    }
    let _ = write!(
        out,
        "/// Runs the operation `path` (`/service/{}/operation/<Operation>`) names on `handler`.\n\
         pub async fn dispatch<H: {}>(handler: &H, ctx: &RequestContext, path: &str, body: &[u8]) \
         -> HttpInvocation {{\n\
         let operation = match codec::cbor_route(path) {{\n\
         Some((service, operation)) if service == super::TARGET_PREFIX => operation,\n\
         _ => return HttpInvocation::from_invocation(Invocation::unknown_operation()),\n}};\n\
         match operation {{\n{arms}_ => HttpInvocation::from_invocation(Invocation::unknown_operation()),\n}}\n}}\n",
        ctx.target_prefix(),
        ctx.trait_name()
    );
    out
}

fn conformance(ctx: &Ctx<'_>) -> String {
    let mut out = ctx.header("Conformance hooks for tests (not part of the request path).");
    out += "use super::shapes::*;\nuse rampart_codec::{self as codec, Empty, ServiceError};\n\n";
    for (fun, doc, codec, input) in [
        (
            "cbor_input_json",
            "A CBOR request body's input",
            "cbor_input_json",
            true,
        ),
        (
            "cbor_output",
            "The CBOR body of an output",
            "cbor_output_from_json",
            false,
        ),
        (
            "json_input_json",
            "An awsJson request body's input",
            "json_input_json",
            true,
        ),
        (
            "json_output",
            "The awsJson body of an output",
            "json_output_from_json",
            false,
        ),
    ] {
        let _ = write!(
            out,
            "/// {doc} (given or answered as AWS JSON, without validation); `None` for unknown \
             operations.\n#[doc(hidden)]\n\
             pub fn {fun}(operation: &str, bytes: &[u8]) -> Option<Result<Vec<u8>, ServiceError>> {{\n\
             Some(match operation {{\n{}_ => return None,\n}})\n}}\n\n",
            hook_arms(ctx, codec, input)
        );
    }
    out
}

/// One arm per served operation calling `codec::<codec>` with its input or output type.
fn hook_arms(ctx: &Ctx<'_>, codec: &str, input: bool) -> String {
    let ty = |r: &Option<ShapeRef>| {
        r.as_ref()
            .map_or_else(|| String::from("Empty"), |r| names::type_name(&r.shape))
    };
    let mut arms = String::new();
    for (name, op) in &ctx.served {
        let t = if input { ty(&op.input) } else { ty(&op.output) };
        let _ = writeln!(arms, "{name:?} => codec::{codec}::<{t}>(bytes),");
    }
    arms
}
