//! restJson1 runtime: the HTTP request and response of REST and RPC v2 dispatchers, the binding
//! tables generated code emits (route templates, label/query/header members, payloads), route
//! matching (most specific template first, greedy labels) and restJson1 error rendering.

use super::ServiceError;
use percent_encoding::percent_decode_str;

/// An HTTP request as the REST and RPC v2 dispatchers read it.
#[derive(Debug, Clone, Copy)]
pub struct HttpRequest<'a> {
    /// `GET`, `POST`, ...
    pub method: &'a str,
    /// The path as sent, still percent-encoded (`/restapis/a%2Fb`).
    pub path: &'a str,
    /// The query string as sent, without `?`, still percent-encoded.
    pub query: &'a str,
    /// Header names and values (names compared case-insensitively).
    pub headers: &'a [(String, String)],
    /// The body.
    pub body: &'a [u8],
}

impl HttpRequest<'_> {
    /// Every value of header `name` (case-insensitive), in order.
    pub fn header_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The decoded query parameters, in order.
    pub fn query_params(&self) -> Vec<(String, String)> {
        query_params(self.query)
    }
}

/// The decoded parameters of a query string, in order (`a=1&b&c=%20` → `a:1, b:"", c:" "`).
pub fn query_params(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// An HTTP response built by a REST or RPC v2 encoder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

/// The value kind of a bound (non-body) member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalar {
    /// A string or enum.
    String,
    /// `integer` or `long`.
    Integer,
    /// `boolean`.
    Boolean,
    /// `float` or `double`.
    Double,
    /// `timestamp` in the given format.
    Timestamp(TimeFormat),
    /// `blob` (base64 in headers).
    Blob,
}

/// How a bound timestamp is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeFormat {
    /// `2024-01-07T10:20:30Z` (labels and query strings by default).
    Iso8601,
    /// `Sun, 07 Jan 2024 10:20:30 GMT` (headers by default).
    HttpDate,
    /// Epoch seconds.
    Epoch,
}

/// Where a bound member travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A `{label}` of the URI template (`{label+}`: greedy, slashes kept).
    Label,
    /// A query parameter named `name`.
    Query,
    /// A map of every query parameter not bound otherwise.
    QueryMap,
    /// The header `name`.
    Header,
    /// A map of every header starting with prefix `name` (prefix removed from the keys).
    Headers,
    /// The response status code.
    StatusCode,
}

/// One member bound outside the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    /// The member's key in the structure's JSON form.
    pub member: &'static str,
    /// Where it travels.
    pub location: Location,
    /// The label, parameter or header name (prefix for `Headers`).
    pub name: &'static str,
    /// The kind of the value (of the items for lists, of the values for maps).
    pub scalar: Scalar,
    /// A list (query parameter repeated, header values comma-separated).
    pub list: bool,
}

/// What the HTTP body of an input or output holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// The structure's body members as a JSON object.
    Members,
    /// The named structure (or document) member is the whole body, as JSON.
    Structure(&'static str),
    /// The named blob member is the whole body, raw.
    Blob(&'static str),
    /// The named string member is the whole body, as UTF-8 text.
    Text(&'static str),
}

/// The HTTP binding of one operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestOperation {
    /// Operation name.
    pub name: &'static str,
    /// HTTP method.
    pub method: &'static str,
    /// The URI template (`/restapis/{restapi_id}`, `/apikeys?mode=import`, `/{Key+}`).
    pub uri: &'static str,
    /// The success status.
    pub status: u16,
    /// CloudTrail `readOnly`.
    pub read_only: bool,
    /// False for operations whose CloudTrail `responseElements` is always `null`.
    pub audit_response: bool,
    /// The input's bound members.
    pub input: &'static [Binding],
    /// The input's body.
    pub input_payload: Payload,
    /// The output's bound members.
    pub output: &'static [Binding],
    /// The output's body.
    pub output_payload: Payload,
}

/// Label values of a matched route: (label name, percent-decoded value).
pub type Labels = Vec<(&'static str, String)>;

/// The first operation of `routes` (ordered most specific first) whose method, path template
/// and literal query parts match, with its labels.
pub fn route<'r>(
    routes: &'r [RestOperation],
    method: &str,
    path: &str,
    query: &str,
) -> Option<(&'r RestOperation, Labels)> {
    let params = query_params(query);
    routes.iter().find_map(|op| {
        if op.method != method {
            return None;
        }
        let (template, literals) = op.uri.split_once('?').unwrap_or((op.uri, ""));
        let labels = match_path(template, path)?;
        query_literals_present(literals, &params).then_some((op, labels))
    })
}

/// True when every `k=v` (or bare `k`) of a template's query part is in `params`.
fn query_literals_present(literals: &str, params: &[(String, String)]) -> bool {
    literals.split('&').filter(|l| !l.is_empty()).all(|lit| {
        let (k, v) = lit.split_once('=').unwrap_or((lit, ""));
        params
            .iter()
            .any(|(pk, pv)| pk == k && (v.is_empty() || pv == v))
    })
}

/// Matches a path against a template segment by segment: literals exactly, `{name}` one
/// non-empty segment, `{name+}` (last) the rest, slashes included. Values are percent-decoded.
pub fn match_path(template: &'static str, path: &str) -> Option<Labels> {
    let path = path.strip_prefix('/')?;
    let mut rest = Some(path);
    let mut labels = Vec::new();
    for seg in template.trim_start_matches('/').split('/') {
        if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix("+}")) {
            let value = rest.take().filter(|r| !r.is_empty())?;
            labels.push((name, decode(value)));
            return Some(labels);
        }
        let current = rest?;
        let (head, tail) = match current.split_once('/') {
            Some((h, t)) => (h, Some(t)),
            None => (current, None),
        };
        rest = tail;
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) if !head.is_empty() => labels.push((name, decode(head))),
            Some(_) => return None,
            None if decode(head) == seg => {}
            None => return None,
        }
    }
    rest.is_none().then_some(labels)
}

fn decode(s: &str) -> String {
    percent_decode_str(s).decode_utf8_lossy().into_owned()
}

/// The restJson1 error response: the model's status, `X-Amzn-ErrorType: <code>` and
/// `{"__type": code, "message": ...}` (botocore's `RestJSONParser` reads the header first).
/// The error's header-bound members follow as headers.
pub fn rest_error_response(err: &ServiceError) -> HttpResponse {
    let mut headers = vec![
        (String::from("X-Amzn-ErrorType"), err.code.to_string()),
        (
            String::from("Content-Type"),
            String::from("application/json"),
        ),
    ];
    let bound = err.headers.iter();
    headers.extend(bound.map(|(name, value)| ((*name).to_owned(), value.clone())));
    HttpResponse {
        status: err.status,
        headers,
        body: super::encode_error(err),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn op(method: &'static str, uri: &'static str, name: &'static str) -> RestOperation {
        RestOperation {
            name,
            method,
            uri,
            status: 200,
            read_only: false,
            audit_response: true,
            input: &[],
            input_payload: Payload::Members,
            output: &[],
            output_payload: Payload::Members,
        }
    }

    fn routes() -> Vec<RestOperation> {
        vec![
            op("POST", "/restapis?mode=import", "ImportRestApi"),
            op("POST", "/restapis", "CreateRestApi"),
            op("GET", "/restapis/{id}/resources", "GetResources"),
            op("GET", "/restapis/{id}/{child}", "GetChild"),
            op("GET", "/files/{Bucket}/{Key+}", "GetObject"),
        ]
    }

    fn name_of(method: &str, path: &str, query: &str) -> Option<&'static str> {
        let routes = routes();
        route(&routes, method, path, query).map(|(o, _)| o.name)
    }

    #[test]
    fn literal_query_parts_and_literals_win() {
        assert_eq!(
            name_of("POST", "/restapis", "mode=import&x=1"),
            Some("ImportRestApi")
        );
        assert_eq!(name_of("POST", "/restapis", ""), Some("CreateRestApi"));
        assert_eq!(
            name_of("GET", "/restapis/a/resources", ""),
            Some("GetResources")
        );
        assert_eq!(name_of("GET", "/restapis/a/other", ""), Some("GetChild"));
        assert_eq!(name_of("GET", "/restapis/a", ""), None);
        assert_eq!(name_of("PUT", "/restapis", ""), None);
    }

    #[test]
    fn labels_are_decoded_and_greedy_labels_keep_slashes() {
        let labels = match_path("/restapis/{id}/{child}", "/restapis/a%2Fb%20c/d").unwrap();
        assert_eq!(
            labels,
            vec![("id", String::from("a/b c")), ("child", String::from("d"))]
        );
        let (_, labels) = route(&routes(), "GET", "/files/bk/a/b%3F/c%20d", "")
            .map(|(o, l)| (o.name, l))
            .unwrap();
        assert_eq!(
            labels,
            vec![
                ("Bucket", String::from("bk")),
                ("Key", String::from("a/b?/c d"))
            ]
        );
        assert!(match_path("/files/{Bucket}/{Key+}", "/files/bk/").is_none());
        assert!(match_path("/restapis/{id}", "/restapis/").is_none());
    }

    #[test]
    fn errors_carry_the_type_header_and_body() {
        let resp = rest_error_response(&ServiceError::new("NotFoundException", 404, "gone"));
        assert_eq!(resp.status, 404);
        assert_eq!(resp.headers[0].1, "NotFoundException");
        assert_eq!(
            resp.body,
            br#"{"__type":"NotFoundException","message":"gone"}"#
        );
    }

    #[test]
    fn header_bound_error_members_are_headers() {
        let err = ServiceError::new("LimitExceededException", 429, "slow")
            .with_header("Retry-After", "7");
        let resp = rest_error_response(&err);
        assert_eq!(
            resp.headers[2],
            (String::from("Retry-After"), String::from("7"))
        );
        assert_eq!(
            resp.body,
            br#"{"__type":"LimitExceededException","message":"slow"}"#
        );
    }
}
