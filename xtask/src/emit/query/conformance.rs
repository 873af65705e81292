//! `conformance.rs` of a query service: typed round trips by `Action` for tests that check
//! every served input and output shape against botocore's own serializer and parser.

use crate::emit::Ctx;
use crate::names;
use std::fmt::Write as _;

/// Emits `output_xml_from_json` and `input_json_from_form`.
pub fn emit(ctx: &Ctx<'_>) -> Result<String, String> {
    let mut out = ctx.header("Conformance hooks for tests (not part of the request path).");
    out += "use super::shapes::*;\nuse rampart_codec::{self as codec, Empty, QueryEnv, ServiceError};\n\n";
    let mut outputs = String::new();
    let mut inputs = String::new();
    for (name, op) in &ctx.served {
        let (ty, wrapper) = match &op.output {
            Some(r) => (
                names::type_name(&r.shape),
                format!("{:?}", r.result_wrapper.as_deref()),
            ),
            None => (String::from("Empty"), String::from("None")),
        };
        let _ = writeln!(
            outputs,
            "{name:?} => codec::output_xml_from_json::<{ty}>({name:?}, {wrapper}, env, output),"
        );
        let ty = op
            .input
            .as_ref()
            .map_or_else(|| String::from("Empty"), |r| names::type_name(&r.shape));
        let _ = writeln!(
            inputs,
            "{name:?} => codec::input_json_from_form::<{ty}>(form),"
        );
    }
    let _ = write!(
        out,
        "/// The response document `dispatch` writes when `action` returns `output` (the output \
         shape as AWS JSON); `None` for unknown actions.\n\
         #[doc(hidden)]\n\
         pub fn output_xml_from_json(action: &str, output: &[u8], request_id: &str) \
         -> Option<Result<Vec<u8>, ServiceError>> {{\n\
         let env = QueryEnv {{ namespace: super::XML_NAMESPACE, request_id }};\n\
         Some(match action {{\n{outputs}_ => return None,\n}})\n}}\n\n\
         /// The input `dispatch` decodes from `form`, as AWS JSON, without validation; `None` for \
         unknown actions.\n\
         #[doc(hidden)]\n\
         pub fn input_json_from_form(action: &str, form: &[u8]) \
         -> Option<Result<Vec<u8>, ServiceError>> {{\n\
         Some(match action {{\n{inputs}_ => return None,\n}})\n}}\n"
    );
    Ok(out)
}
