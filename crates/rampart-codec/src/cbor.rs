//! Smithy RPC v2 CBOR runtime: `POST /service/<Service>/operation/<Operation>` routing, CBOR
//! input bodies read into the input's AWS JSON form (byte strings → base64, tag 1 epoch
//! seconds → numbers) and decoded like awsJson input, outputs written as CBOR (blobs as byte
//! strings, timestamps as tag 1), and errors as a CBOR `{"__type", "message"}` map.

use super::rest::HttpResponse;
use super::{ServiceError, deserialize_input};
use base64_simd::STANDARD;
use ciborium::Value as Cbor;
use serde::de::DeserializeOwned;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// The `smithy-protocol` header value.
pub const SMITHY_PROTOCOL: &str = "rpc-v2-cbor";

/// The content type of every request and response body.
pub const CBOR_CONTENT_TYPE: &str = "application/cbor";

/// The (service, operation) of an RPC v2 path `/service/<Service>/operation/<Operation>`.
pub fn cbor_route(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/service/")?;
    let (service, op) = rest.split_once("/operation/")?;
    let ok = |s: &str| !s.is_empty() && !s.contains('/');
    (ok(service) && ok(op)).then_some((service, op))
}

/// Decodes a CBOR body (empty: no members) into an operation's input (no validation).
pub fn decode_cbor_input<I: DeserializeOwned>(body: &[u8]) -> Result<I, ServiceError> {
    let json = if body.is_empty() {
        Value::Object(Map::new())
    } else {
        let cbor: Cbor = ciborium::from_reader(body)
            .map_err(|_| ServiceError::serialization("Request body is not valid CBOR"))?;
        to_json(cbor)?
    };
    let bytes = serde_json::to_vec(&json).map_err(|_| ServiceError::internal())?;
    deserialize_input(&bytes)
}

/// A CBOR value as AWS JSON: byte strings as base64, tagged values (tag 1: epoch-second
/// timestamps) as their content.
fn to_json(v: Cbor) -> Result<Value, ServiceError> {
    let bad = |what: &str| ServiceError::serialization(format!("Unsupported CBOR {what}"));
    Ok(match v {
        Cbor::Integer(i) => {
            let i = i128::from(i);
            match i64::try_from(i) {
                Ok(n) => Value::from(n),
                Err(_) => Value::from(u64::try_from(i).map_err(|_| bad("integer"))?),
            }
        }
        Cbor::Bytes(b) => Value::String(STANDARD.encode_to_string(b)),
        Cbor::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| bad("float"))?,
        Cbor::Text(s) => Value::String(s),
        Cbor::Bool(b) => Value::Bool(b),
        Cbor::Null => Value::Null,
        Cbor::Tag(_, inner) => to_json(*inner)?,
        Cbor::Array(items) => {
            Value::Array(items.into_iter().map(to_json).collect::<Result<_, _>>()?)
        }
        Cbor::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let Cbor::Text(k) = k else {
                    return Err(bad("map key"));
                };
                map.insert(k, to_json(v)?);
            }
            Value::Object(map)
        }
        _ => return Err(bad("value")),
    })
}

/// Encodes an operation output as CBOR.
pub fn encode_cbor_output<O: Serialize>(output: &O) -> Result<Vec<u8>, ServiceError> {
    let mut out = Vec::new();
    ciborium::into_writer(output, &mut out).map_err(|e| {
        tracing::error!(error = %e, "failed to encode operation output as CBOR");
        ServiceError::internal()
    })?;
    Ok(out)
}

/// The headers of every RPC v2 CBOR response.
pub fn cbor_headers() -> Vec<(String, String)> {
    vec![
        (
            String::from("smithy-protocol"),
            String::from(SMITHY_PROTOCOL),
        ),
        (
            String::from("Content-Type"),
            String::from(CBOR_CONTENT_TYPE),
        ),
    ]
}

/// A successful RPC v2 CBOR response around an encoded body.
pub fn cbor_response(body: Vec<u8>) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: cbor_headers(),
        body,
    }
}

/// The RPC v2 CBOR error response: the model's status and a CBOR map `{"__type": code,
/// "message": ...}` (botocore's `RpcV2CBORParser` reads `__type`, after any `#`).
pub fn cbor_error_response(err: &ServiceError) -> HttpResponse {
    let body = Cbor::Map(vec![
        (Cbor::from("__type"), Cbor::from(err.code.as_ref())),
        (Cbor::from("message"), Cbor::from(err.message.as_str())),
    ]);
    let mut bytes = Vec::new();
    if ciborium::into_writer(&body, &mut bytes).is_err() {
        bytes.clear();
    }
    HttpResponse {
        status: err.status,
        headers: cbor_headers(),
        body: bytes,
    }
}

/// Writes epoch seconds as CBOR tag 1 (integer when whole, else a float to the millisecond);
/// `Timestamp`'s `Serialize` calls it for non-human-readable formats.
pub(crate) fn serialize_epoch<S: Serializer>(
    millis: i128,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if millis % 1000 == 0 {
        let secs = i64::try_from(millis / 1000).map_err(serde::ser::Error::custom)?;
        ciborium::tag::Required::<i64, 1>(secs).serialize(serializer)
    } else {
        ciborium::tag::Required::<f64, 1>(millis as f64 / 1000.0).serialize(serializer)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Blob, Timestamp};
    use serde::Deserialize;
    use time::macros::datetime;

    #[derive(Debug, Serialize, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Shape {
        #[serde(rename = "Data", default, skip_serializing_if = "Option::is_none")]
        data: Option<Blob>,
        #[serde(rename = "At", default, skip_serializing_if = "Option::is_none")]
        at: Option<Timestamp>,
        #[serde(rename = "N", default, skip_serializing_if = "Option::is_none")]
        n: Option<i64>,
    }

    #[test]
    fn routes_name_service_and_operation() {
        assert_eq!(
            cbor_route("/service/ACMPrivateCA/operation/ListTags"),
            Some(("ACMPrivateCA", "ListTags"))
        );
        assert_eq!(cbor_route("/service//operation/X"), None);
        assert_eq!(cbor_route("/service/A/operation/X/y"), None);
    }

    #[test]
    fn blobs_and_timestamps_round_trip() {
        let v = Shape {
            data: Some(Blob(vec![0, 255])),
            at: Some(Timestamp(datetime!(2024-01-07 10:20:30.5 UTC))),
            n: Some(-3),
        };
        let bytes = encode_cbor_output(&v).unwrap();
        let raw: Cbor = ciborium::from_reader(bytes.as_slice()).unwrap();
        let text = format!("{raw:?}");
        assert!(text.contains("Bytes([0, 255])"), "{text}");
        assert!(text.contains("Tag(1, Float(1704622830.5))"), "{text}");
        assert_eq!(decode_cbor_input::<Shape>(&bytes).unwrap(), v);
        let empty: Shape = decode_cbor_input(b"").unwrap();
        assert_eq!(empty.n, None);
        assert_eq!(
            decode_cbor_input::<Shape>(b"\xff").unwrap_err().code,
            "SerializationException"
        );
    }

    #[test]
    fn errors_are_cbor_maps() {
        let resp = cbor_error_response(&ServiceError::new("InvalidArnException", 400, "bad"));
        assert_eq!(resp.status, 400);
        let raw: Cbor = ciborium::from_reader(resp.body.as_slice()).unwrap();
        assert_eq!(
            format!("{raw:?}"),
            r#"Map([(Text("__type"), Text("InvalidArnException")), (Text("message"), Text("bad"))])"#
        );
    }
}
