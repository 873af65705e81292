//! The RFC 8555 ACME server behind each ACME endpoint, served without SigV4 through the
//! platform's public routes: at `/_rampart/acme/<endpoint id>/...` on any host, and at
//! `/<endpoint id>/...` on AWS's `acm-acme-enroll.<region>.api.aws`. Every request is
//! answered with a fresh `Replay-Nonce`; POSTs are JWS-signed (`request`), by a new key
//! (newAccount) or an account's (`kid`). `account` registers accounts with an external
//! account binding and rolls keys over, `order` creates orders, finalizes them with a CSR
//! and serves the issued chain, `challenge` validates http-01 and dns-01 for real, `revoke`
//! revokes certificates.

mod account;
mod challenge;
mod finalize;
mod nonce;
mod order;
mod request;
mod revoke;
mod role;

use super::names::EndpointRef;
use super::problem::Problem;
use super::record::EndpointRecord;
use crate::AcmService;
use rampart_codec::{BoxFuture, HttpRequest, HttpResponse, PublicHead, PublicRoute};
use serde_json::{Value, json};
use std::sync::Arc;

/// The path prefix of the ACME servers on any host.
pub const PATH: &str = "/_rampart/acme/";
/// The largest request body read (a CSR in a JWS is a few KiB).
const MAX_BODY: usize = 64 * 1024;

/// The route, over the service.
pub struct AcmeServer(pub Arc<AcmService>);

/// A request to one endpoint's server.
pub struct Call<'a> {
    pub endpoint: EndpointRef,
    pub record: EndpointRecord,
    /// The endpoint's URL prefix (scheme, host, path up to the endpoint id).
    pub base: String,
    /// The path after the endpoint id (`/directory`, `/acct/<id>`, ...).
    pub resource: String,
    pub request: &'a HttpRequest<'a>,
}

/// A successful answer.
pub struct Reply {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    /// A Link header (`<url>;rel="up"`).
    pub link: Option<String>,
}

impl Reply {
    /// A JSON answer.
    pub fn json(status: u16, value: &Value) -> Reply {
        Reply {
            status,
            location: None,
            content_type: "application/json",
            body: value.to_string().into_bytes(),
            link: None,
        }
    }

    /// The same answer with a Location header.
    pub fn at(mut self, location: String) -> Reply {
        self.location = Some(location);
        self
    }
}

impl PublicRoute for AcmeServer {
    fn claims(&self, head: &PublicHead<'_>) -> bool {
        head.path.starts_with(PATH) || aws_host(head.host)
    }

    fn max_body(&self) -> usize {
        MAX_BODY
    }

    fn serve<'a>(&'a self, request: &'a HttpRequest<'a>) -> BoxFuture<'a, HttpResponse> {
        Box::pin(async move {
            let answer = self.answer(request).await;
            let nonce = self.0.new_nonce().await.ok();
            respond(answer, nonce)
        })
    }
}

/// Whether `host` is AWS's ACME host of some Region.
fn aws_host(host: &str) -> bool {
    host.strip_prefix("acm-acme-enroll.")
        .and_then(|r| r.strip_suffix(".api.aws"))
        .is_some_and(|r| !r.is_empty() && !r.contains('.'))
}

impl AcmeServer {
    /// Routes a request to its endpoint's resource.
    async fn answer(&self, request: &HttpRequest<'_>) -> Result<Reply, Problem> {
        let host = request.header_values("host").next().unwrap_or_default();
        let (prefix, rest) = match request.path.strip_prefix(PATH) {
            Some(rest) => (PATH, rest),
            None => ("/", request.path.trim_start_matches('/')),
        };
        let (id, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let found = self.0.endpoint_by_id(id).await?;
        let (endpoint, record) = found.ok_or_else(Problem::not_found)?;
        let scheme = if self.0.plain_http { "http" } else { "https" };
        let call = Call {
            base: format!("{scheme}://{host}{prefix}{id}"),
            endpoint,
            record,
            resource: format!("/{tail}"),
            request,
        };
        if call.record.status != "ACTIVE" {
            return Err(Problem::unauthorized("The ACME endpoint is not active."));
        }
        match (request.method, call.resource.as_str()) {
            ("GET", "/directory") => Ok(directory(&call)),
            ("GET", "/new-nonce") => Ok(Reply::json(204, &Value::Null).empty()),
            ("HEAD", "/new-nonce") => Ok(Reply::json(200, &Value::Null).empty()),
            ("POST", _) => self.0.acme_post(&call).await,
            _ => Err(Problem::not_found()),
        }
    }
}

impl Reply {
    /// The same answer without a body.
    pub fn without_body(self) -> Reply {
        self.empty()
    }

    /// The same answer without a body.
    fn empty(mut self) -> Reply {
        self.body.clear();
        self
    }
}

/// The directory (RFC 8555 section 7.1.1).
fn directory(call: &Call<'_>) -> Reply {
    let base = &call.base;
    Reply::json(
        200,
        &json!({
            "newNonce": format!("{base}/new-nonce"),
            "newAccount": format!("{base}/new-account"),
            "newOrder": format!("{base}/new-order"),
            "revokeCert": format!("{base}/revoke-cert"),
            "keyChange": format!("{base}/key-change"),
            "meta": {
                "externalAccountRequired": true,
                "website": "https://docs.aws.amazon.com/acm/latest/userguide/acm-acme-endpoints.html",
            },
        }),
    )
}

/// The HTTP answer, with the next nonce.
fn respond(answer: Result<Reply, Problem>, nonce: Option<String>) -> HttpResponse {
    let mut headers = vec![("cache-control".to_owned(), "no-store".to_owned())];
    if let Some(nonce) = nonce {
        headers.push(("replay-nonce".to_owned(), nonce));
    }
    match answer {
        Ok(reply) => {
            if let Some(location) = reply.location {
                headers.push(("location".to_owned(), location));
            }
            if let Some(link) = reply.link {
                headers.push(("link".to_owned(), link));
            }
            if !reply.body.is_empty() {
                headers.push(("content-type".to_owned(), reply.content_type.to_owned()));
            }
            HttpResponse {
                status: reply.status,
                headers,
                body: reply.body,
            }
        }
        Err(problem) => {
            let ct = "application/problem+json".to_owned();
            headers.push(("content-type".to_owned(), ct));
            HttpResponse {
                status: problem.status,
                headers,
                body: problem.body(),
            }
        }
    }
}

/// The path segment after `prefix` in a resource path.
pub fn segment<'a>(resource: &'a str, prefix: &str) -> Option<&'a str> {
    let id = resource.strip_prefix(prefix)?;
    (!id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')).then_some(id)
}

impl AcmService {
    /// The endpoint whose id is `id`, with its record, if it exists.
    async fn endpoint_by_id(
        &self,
        id: &str,
    ) -> Result<Option<(EndpointRef, EndpointRecord)>, Problem> {
        let internal = |_| Problem::server_internal();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Ok(None);
        }
        let Some(found) = self.acme.endpoint_ids.get(id).await.map_err(internal)? else {
            return Ok(None);
        };
        let Ok(endpoint) = EndpointRef::parse(&found.value.arn) else {
            return Ok(None);
        };
        let record = self.acme.endpoints.get(&endpoint.row()).await;
        Ok(record.map_err(internal)?.map(|r| (endpoint, r.value)))
    }
}
