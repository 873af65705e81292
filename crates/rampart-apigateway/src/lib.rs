//! API Gateway REST APIs for Rampart (issue 16, first slice): the control plane served from
//! the generated `apigateway` restJson1 wire layer (REST APIs with EDGE / REGIONAL / PRIVATE
//! endpoint types, resources with `{param}` and `{proxy+}` path parts, methods, HTTP /
//! HTTP_PROXY / MOCK integrations with plain parameter mappings, method and integration
//! responses, deployments as snapshots of the resource tree, stages with variables and
//! throttling, tags; OpenAPI 3 / Swagger 2 import (ImportRestApi, PutRestApi) and export
//! (GetExport); API keys (also imported from CSV), usage plans and usage (UpdateUsage); custom
//! domain names; the model's other operations answer not-served), and [`edge`], the data
//! plane that invokes deployed stages on a listener of its own.

mod convert;
pub mod edge;
pub mod generated;
mod ids;
mod module;
mod openapi;
mod ops;
mod patch;
mod plans;
mod record;
mod service;
pub mod truststore;

pub use module::{TABLES, module};
pub use service::ApiGatewayService;
