//! AWS query protocol (IAM, STS): a form body (`Action=...&Name.member.1=...`) parsed into the
//! parameter tree and run through both generated dispatchers (decode, audit JSON, validation)
//! with the generated handlers that serve nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rampart_fuzz::{context, run_ready};
use rampart_wire::codec::QueryNode;

// The generated `DecodeOnly` handlers: every served operation answers not-implemented after its
// input was decoded and validated; the others answer not-served unread.

fuzz_target!(|data: &[u8]| {
    // As the gateway reads a request: the query string, then the body (split here at `\n`).
    let (query, body) = match data.iter().position(|b| *b == b'\n') {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (data, &[][..]),
    };
    let mut params = QueryNode::parse_form(query);
    params.merge_form(body);
    let action = params.param("Action").unwrap_or_default().to_owned();
    let ctx = context();
    for inv in [
        run_ready(rampart_iam::generated::dispatch(
            &rampart_iam::generated::DecodeOnly,
            ctx,
            &action,
            &params,
        )),
        run_ready(rampart_sts::generated::dispatch(
            &rampart_sts::generated::DecodeOnly,
            ctx,
            &action,
            &params,
        )),
    ] {
        let err = inv.result.expect_err("no handler is implemented");
        assert!((400..600).contains(&err.status), "{err:?}");
    }
});
