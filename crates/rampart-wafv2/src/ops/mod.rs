//! The WAFv2 operations, one file per concern. Each reads its input as AWS's JSON and
//! answers JSON read back into the generated output shape (see `json`).

mod assoc;
mod capacity;
mod compiles;
mod crud;
pub(crate) mod json;
mod logging;
mod managed;
mod policy;
mod resources;
mod samples;
pub(crate) mod tags;

/// Implements operation trait `$trait` (method `$method`) for `Wafv2Service`: the input as a
/// JSON object `$input`, the body an async expression giving the output as JSON.
macro_rules! json_op {
    ($trait:ident, $method:ident, $req:ident, $resp:ident, |$svc:ident, $ctx:ident, $input:ident| $body:expr) => {
        impl crate::generated::$trait for crate::Wafv2Service {
            async fn $method(
                &self,
                ctx: &rampart_core::RequestContext,
                input: crate::generated::$req,
            ) -> Result<crate::generated::$resp, rampart_codec::ServiceError> {
                let $input = crate::ops::json::to_map(&input)?;
                crate::authz::authorize(ctx, stringify!($trait), &$input)?;
                let ($svc, $ctx) = (self, ctx);
                let output: Result<serde_json::Value, rampart_codec::ServiceError> = $body.await;
                crate::ops::json::shape(output?)
            }
        }
    };
}
pub(crate) use json_op;
