//! restJson1 binding: a request's labels, query parameters, headers and body gathered into the
//! input structure's AWS JSON form (then decoded like any awsJson input), and an output
//! structure's JSON form split into status code, headers and body.

use super::rest::{
    Binding, HttpRequest, HttpResponse, Labels, Location, Payload, RestOperation, Scalar,
    TimeFormat,
};
use super::{ServiceError, Timestamp, deserialize_input};
use base64_simd::STANDARD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Decodes an operation's input from a routed request (no validation).
pub fn decode_rest_input<I: DeserializeOwned>(
    op: &RestOperation,
    req: &HttpRequest<'_>,
    labels: &Labels,
) -> Result<I, ServiceError> {
    let obj = body_members(op.input_payload, req.body)?;
    bind_input(op, req, labels, obj)
}

/// Adds the request's bound members to `obj` (the body's members) and decodes the input.
pub(crate) fn bind_input<I: DeserializeOwned>(
    op: &RestOperation,
    req: &HttpRequest<'_>,
    labels: &Labels,
    mut obj: Map<String, Value>,
) -> Result<I, ServiceError> {
    // The template's literal query parts (`?mode=import`) name the route, not members.
    let literals = op.uri.split_once('?').map_or("", |(_, q)| q);
    let literal = |k: &str| literals.split('&').any(|l| l.split('=').next() == Some(k));
    let params: Vec<(String, String)> = req
        .query_params()
        .into_iter()
        .filter(|(k, _)| !literal(k))
        .collect();
    for b in op.input {
        // A bound member comes from its binding only, never from the body.
        obj.remove(b.member);
    }
    for b in op.input {
        if let Some(v) = bound_value(b, req, labels, &params, op.input)? {
            obj.insert(b.member.to_owned(), v);
        }
    }
    let bytes = serde_json::to_vec(&Value::Object(obj)).map_err(|_| ServiceError::internal())?;
    deserialize_input(&bytes)
}

/// The body's part of the input: its members, or the payload member.
pub(crate) fn body_members(
    payload: Payload,
    body: &[u8],
) -> Result<Map<String, Value>, ServiceError> {
    let mut obj = Map::new();
    match payload {
        Payload::Members if body.iter().all(u8::is_ascii_whitespace) => {}
        Payload::Members => match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => obj = m,
            Ok(_) => return Err(ServiceError::serialization("Expected a JSON object")),
            Err(_) => {
                return Err(ServiceError::serialization(
                    "Request body is not valid JSON",
                ));
            }
        },
        _ if body.is_empty() => {}
        Payload::Structure(m) => {
            let v = serde_json::from_slice(body)
                .map_err(|_| ServiceError::serialization("Request body is not valid JSON"))?;
            obj.insert(m.to_owned(), v);
        }
        Payload::Blob(m) => {
            obj.insert(m.to_owned(), Value::String(STANDARD.encode_to_string(body)));
        }
        Payload::Text(m) => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ServiceError::serialization("Request body is not UTF-8"))?;
            obj.insert(m.to_owned(), Value::String(text.to_owned()));
        }
    }
    Ok(obj)
}

/// The JSON value of one bound member, if the request carries it.
fn bound_value(
    b: &Binding,
    req: &HttpRequest<'_>,
    labels: &Labels,
    params: &[(String, String)],
    all: &[Binding],
) -> Result<Option<Value>, ServiceError> {
    let texts: Vec<String> = match b.location {
        Location::Label => labels
            .iter()
            .filter(|(n, _)| *n == b.name)
            .map(|(_, v)| v.clone())
            .collect(),
        Location::Query => params
            .iter()
            .filter(|(k, _)| k == b.name)
            .map(|(_, v)| v.clone())
            .collect(),
        Location::Header => req
            .header_values(b.name)
            .flat_map(|v| split_header(v, b.list))
            .collect(),
        Location::QueryMap => return query_map(b, params, all).map(Some),
        Location::Headers => return header_map(b, req).map(Some),
        Location::StatusCode => return Ok(None),
    };
    if texts.is_empty() {
        return Ok(None);
    }
    if b.list {
        let items: Result<Vec<Value>, _> = texts.iter().map(|t| scalar(b, t)).collect();
        return items.map(|i| Some(Value::Array(i)));
    }
    texts.first().map(|t| scalar(b, t)).transpose()
}

/// A list header's items (comma-separated, optionally double-quoted); other headers whole.
fn split_header(value: &str, list: bool) -> Vec<String> {
    if !list {
        return vec![value.to_owned()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut escaped) = (false, false);
    for c in value.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == ',' && !quoted {
            out.push(std::mem::take(&mut cur).trim().to_owned());
        } else {
            cur.push(c);
        }
    }
    out.push(cur.trim().to_owned());
    out
}

/// The query parameters no other binding takes, as a map (of lists when `b.list`).
fn query_map(
    b: &Binding,
    params: &[(String, String)],
    all: &[Binding],
) -> Result<Value, ServiceError> {
    let taken = |k: &str| {
        all.iter()
            .any(|o| o.location == Location::Query && o.name == k)
    };
    let mut map = Map::new();
    for (k, v) in params.iter().filter(|(k, _)| !taken(k)) {
        let item = scalar(b, v)?;
        if b.list {
            let entry = map
                .entry(k.clone())
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(items) = entry {
                items.push(item);
            }
        } else {
            map.entry(k.clone()).or_insert(item);
        }
    }
    Ok(Value::Object(map))
}

/// The headers starting with the binding's prefix, as a map keyed without the prefix.
fn header_map(b: &Binding, req: &HttpRequest<'_>) -> Result<Value, ServiceError> {
    let mut map = Map::new();
    let prefix = b.name.len();
    for (name, value) in req.headers {
        let matches = name
            .get(..prefix)
            .is_some_and(|p| p.eq_ignore_ascii_case(b.name));
        if let (true, Some(key)) = (matches, name.get(prefix..)) {
            map.insert(key.to_owned(), scalar(b, value)?);
        }
    }
    Ok(Value::Object(map))
}

/// A bound text as its AWS JSON value.
fn scalar(b: &Binding, text: &str) -> Result<Value, ServiceError> {
    let bad = || ServiceError::serialization(format!("Invalid value for '{}'", b.name));
    Ok(match b.scalar {
        Scalar::String | Scalar::Blob => Value::String(text.to_owned()),
        Scalar::Integer => Value::from(text.trim().parse::<i64>().map_err(|_| bad())?),
        Scalar::Boolean => match text.trim() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        Scalar::Double => serde_json::Number::from_f64(text.trim().parse().map_err(|_| bad())?)
            .map(Value::Number)
            .ok_or_else(bad)?,
        Scalar::Timestamp(_) => {
            let t = Timestamp::parse_iso8601(text.trim())
                .or_else(|| parse_http_date(text.trim()))
                .ok_or_else(bad)?;
            serde_json::to_value(t).map_err(|_| bad())?
        }
    })
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Sun, 07 Jan 2024 10:20:30 GMT` (RFC 7231 IMF-fixdate; whole seconds).
pub fn http_date(t: &Timestamp) -> String {
    let t = t.0.to_offset(time::UtcOffset::UTC);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[usize::from(t.weekday().number_days_from_monday())],
        t.day(),
        MONTHS[usize::from(u8::from(t.month())) - 1],
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

/// Parses an IMF-fixdate (`Sun, 07 Jan 2024 10:20:30 GMT`, fractional seconds allowed).
pub fn parse_http_date(text: &str) -> Option<Timestamp> {
    let (_, rest) = text.split_once(", ")?;
    let parts: Vec<&str> = rest.split(' ').collect();
    let [day, month, year, clock, "GMT"] = parts.as_slice() else {
        return None;
    };
    let month = MONTHS.iter().position(|m| m == month)? + 1;
    let iso = format!("{year}-{month:02}-{day:0>2}T{clock}Z");
    Timestamp::parse_iso8601(&iso)
}

/// Encodes an operation's output: success status (or the status-code member), bound headers,
/// and the body (the remaining members as JSON, or the payload member).
pub fn encode_rest_output<O: Serialize>(
    op: &RestOperation,
    output: &O,
) -> Result<HttpResponse, ServiceError> {
    let (resp, obj) = split_output(op, output)?;
    let (content_type, body) = payload_body(op.output_payload, obj)?;
    Ok(finish_output(op, resp, content_type, body))
}

/// The response with the output's status and bound headers, and the members left for the body.
pub(crate) fn split_output<O: Serialize>(
    op: &RestOperation,
    output: &O,
) -> Result<(HttpResponse, Map<String, Value>), ServiceError> {
    let Value::Object(mut obj) = serde_json::to_value(output).map_err(|e| {
        tracing::error!(error = %e, "failed to encode operation output");
        ServiceError::internal()
    })?
    else {
        return Err(ServiceError::internal());
    };
    let mut resp = HttpResponse {
        status: op.status,
        headers: Vec::new(),
        body: Vec::new(),
    };
    for b in op.output {
        if let Some(v) = obj.remove(b.member) {
            put_bound(b, &v, &mut resp)?;
        }
    }
    Ok((resp, obj))
}

/// Completes a response with its body and, unless a header sets it, its content type.
pub(crate) fn finish_output(
    op: &RestOperation,
    mut resp: HttpResponse,
    content_type: &str,
    body: Vec<u8>,
) -> HttpResponse {
    // A header map without prefix (`location: headers`, name "") owns every header.
    let all_headers_bound = op
        .output
        .iter()
        .any(|b| b.location == Location::Headers && b.name.is_empty());
    let typed = resp
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"));
    if !typed && !all_headers_bound {
        resp.headers
            .push((String::from("Content-Type"), content_type.to_owned()));
    }
    resp.body = body;
    resp
}

/// The content type and bytes of the body.
pub(crate) fn payload_body(
    payload: Payload,
    mut obj: Map<String, Value>,
) -> Result<(&'static str, Vec<u8>), ServiceError> {
    let json = "application/json";
    Ok(match payload {
        Payload::Members => (json, to_json(&Value::Object(obj))?),
        Payload::Structure(m) => match obj.remove(m) {
            Some(v) => (json, to_json(&v)?),
            None => (json, b"{}".to_vec()),
        },
        Payload::Blob(m) => match obj.remove(m) {
            Some(Value::String(b64)) => (
                "application/octet-stream",
                STANDARD
                    .decode_to_vec(b64)
                    .map_err(|_| ServiceError::internal())?,
            ),
            _ => ("application/octet-stream", Vec::new()),
        },
        Payload::Text(m) => match obj.remove(m) {
            Some(Value::String(s)) => ("text/plain", s.into_bytes()),
            _ => ("text/plain", Vec::new()),
        },
    })
}

fn to_json(v: &Value) -> Result<Vec<u8>, ServiceError> {
    serde_json::to_vec(v).map_err(|_| ServiceError::internal())
}

/// Writes one bound output member into the response.
fn put_bound(b: &Binding, v: &Value, resp: &mut HttpResponse) -> Result<(), ServiceError> {
    match (b.location, v) {
        (Location::StatusCode, v) => {
            resp.status = v
                .as_u64()
                .and_then(|s| u16::try_from(s).ok())
                .ok_or_else(ServiceError::internal)?;
        }
        (Location::Headers, Value::Object(map)) => {
            for (k, item) in map {
                resp.headers
                    .push((format!("{}{k}", b.name), header_text(b, item)?));
            }
        }
        (_, Value::Array(items)) => {
            let texts: Result<Vec<String>, _> = items.iter().map(|i| header_text(b, i)).collect();
            let texts: Vec<String> = texts?.into_iter().map(quote_list_item).collect();
            resp.headers.push((b.name.to_owned(), texts.join(", ")));
        }
        (_, v) => resp.headers.push((b.name.to_owned(), header_text(b, v)?)),
    }
    Ok(())
}

/// A list header item, quoted when it holds a comma or a quote.
fn quote_list_item(s: String) -> String {
    if s.contains([',', '"']) {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        s
    }
}

/// The header text of an output value.
fn header_text(b: &Binding, v: &Value) -> Result<String, ServiceError> {
    Ok(match (b.scalar, v) {
        (Scalar::Timestamp(format), v) => {
            let t: Timestamp =
                serde_json::from_value(v.clone()).map_err(|_| ServiceError::internal())?;
            match format {
                TimeFormat::HttpDate => http_date(&t),
                TimeFormat::Iso8601 => t.to_iso8601(),
                TimeFormat::Epoch => v.to_string(),
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::rest::route;
    use serde::Deserialize;
    use time::macros::datetime;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Obj {
        #[serde(rename = "Key", default, skip_serializing_if = "Option::is_none")]
        key: Option<String>,
        #[serde(rename = "Since", default, skip_serializing_if = "Option::is_none")]
        since: Option<Timestamp>,
        #[serde(rename = "Ids", default, skip_serializing_if = "Option::is_none")]
        ids: Option<Vec<i64>>,
        #[serde(rename = "Meta", default, skip_serializing_if = "Option::is_none")]
        meta: Option<std::collections::BTreeMap<String, String>>,
        #[serde(rename = "Status", default, skip_serializing_if = "Option::is_none")]
        status: Option<i32>,
        #[serde(rename = "Note", default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    }

    const fn bind(
        member: &'static str,
        location: Location,
        name: &'static str,
        scalar: Scalar,
        list: bool,
    ) -> Binding {
        Binding {
            member,
            location,
            name,
            scalar,
            list,
        }
    }

    const BINDINGS: &[Binding] = &[
        bind("Key", Location::Label, "Key", Scalar::String, false),
        bind(
            "Since",
            Location::Header,
            "X-Since",
            Scalar::Timestamp(TimeFormat::HttpDate),
            false,
        ),
        bind("Ids", Location::Query, "id", Scalar::Integer, true),
        bind("Meta", Location::Headers, "x-meta-", Scalar::String, false),
        bind("Status", Location::StatusCode, "", Scalar::Integer, false),
    ];

    const OP: RestOperation = RestOperation {
        name: "PutThing",
        method: "PUT",
        uri: "/things/{Key+}?put",
        status: 201,
        read_only: false,
        audit_response: true,
        input: BINDINGS,
        input_payload: Payload::Members,
        output: BINDINGS,
        output_payload: Payload::Members,
    };

    fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn every_location_binds_into_the_input() {
        let routes = [OP];
        let (op, labels) = route(&routes, "PUT", "/things/a/b%20c", "put&id=1&id=2").unwrap();
        let hs = headers(&[
            ("x-since", "Sun, 07 Jan 2024 10:20:30 GMT"),
            ("X-Meta-Color", "red"),
        ]);
        let req = HttpRequest {
            method: "PUT",
            path: "/things/a/b%20c",
            query: "put&id=1&id=2",
            headers: &hs,
            body: br#"{"Note":"n","Key":"from-body"}"#,
        };
        let got: Obj = decode_rest_input(op, &req, &labels).unwrap();
        let want = Obj {
            key: Some(String::from("a/b c")),
            since: Some(Timestamp(datetime!(2024-01-07 10:20:30 UTC))),
            ids: Some(vec![1, 2]),
            meta: Some([(String::from("Color"), String::from("red"))].into()),
            status: None,
            note: Some(String::from("n")),
        };
        assert_eq!(got, want);
        let req = HttpRequest {
            query: "put&id=x",
            ..req
        };
        let err = decode_rest_input::<Obj>(op, &req, &labels).unwrap_err();
        assert_eq!(
            (err.code.as_ref(), err.message.as_str()),
            ("SerializationException", "Invalid value for 'id'")
        );
    }

    #[test]
    fn outputs_split_into_status_headers_and_body() {
        let out = Obj {
            key: Some(String::from("k")),
            since: Some(Timestamp(datetime!(2024-01-07 10:20:30 UTC))),
            ids: Some(vec![3, 4]),
            meta: Some([(String::from("a"), String::from("b"))].into()),
            status: Some(202),
            note: Some(String::from("n")),
        };
        let resp = encode_rest_output(&OP, &out).unwrap();
        assert_eq!(resp.status, 202);
        assert_eq!(
            resp.headers,
            headers(&[
                ("Key", "k"),
                ("X-Since", "Sun, 07 Jan 2024 10:20:30 GMT"),
                ("id", "3, 4"),
                ("x-meta-a", "b"),
                ("Content-Type", "application/json"),
            ])
        );
        assert_eq!(resp.body, br#"{"Note":"n"}"#);
        let resp = encode_rest_output(&OP, &Obj::default()).unwrap();
        assert_eq!((resp.status, resp.body.as_slice()), (201, b"{}".as_slice()));
    }

    #[test]
    fn list_headers_quote_and_split() {
        assert_eq!(quote_list_item(String::from("a,b")), "\"a,b\"");
        assert_eq!(quote_list_item(String::from("x\"y")), "\"x\\\"y\"");
        assert_eq!(
            split_header(r#"a, "b,c", "d\"e""#, true),
            vec!["a", "b,c", "d\"e"]
        );
        assert_eq!(split_header("a, b", false), vec!["a, b"]);
    }

    #[test]
    fn http_dates_round_trip() {
        let t = Timestamp(datetime!(2024-02-29 23:59:58 UTC));
        assert_eq!(http_date(&t), "Thu, 29 Feb 2024 23:59:58 GMT");
        assert_eq!(parse_http_date("Thu, 29 Feb 2024 23:59:58 GMT"), Some(t));
        for bad in [
            "29 Feb 2024",
            "Thu, 29 Feb 2024 23:59:58 UTC",
            "Thu, 29 Foo 2024 23:59:58 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn payload_members_are_the_whole_body() {
        let mut op = OP;
        op.input = &[];
        op.input_payload = Payload::Blob("Note");
        let req = HttpRequest {
            method: "PUT",
            path: "/",
            query: "",
            headers: &[],
            body: b"hi",
        };
        // A blob payload reaches the member as base64, as a blob member's JSON form is.
        let got: Obj = decode_rest_input(&op, &req, &Vec::new()).unwrap();
        assert_eq!(got.note.as_deref(), Some("aGk="));
        op.input_payload = Payload::Text("Note");
        let got: Obj = decode_rest_input(&op, &req, &Vec::new()).unwrap();
        assert_eq!(got.note.as_deref(), Some("hi"));
        op.output = &[];
        op.output_payload = Payload::Text("Note");
        let resp = encode_rest_output(&op, &got).unwrap();
        assert_eq!(
            (resp.body.as_slice(), resp.headers[0].1.as_str()),
            (b"hi".as_slice(), "text/plain")
        );
    }
}
