//! The hook a per-request filter (the WAF) plugs into: it sees each request the edge routed
//! to a deployed stage before the integration runs, with the start of its body, and lets it
//! through (possibly with headers to add) or answers it. The contract lives in
//! `rampart_module::edge_filter` so the WAF crate does not depend on this one.

pub use rampart_module::edge_filter::{FilterRequest, RequestFilter, Verdict};
