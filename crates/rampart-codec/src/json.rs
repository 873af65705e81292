//! Decoding operation input from, and encoding output and errors to, AWS JSON 1.1 bodies.

use super::blob::INVALID_BASE64;
use super::{ServiceError, Validate, ValidationErrors};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Initial capacity of an encoded output.
const OUTPUT_CAPACITY: usize = 8 * 1024;

/// Longest member path or field name echoed in a `SerializationException` message.
const MAX_ECHO: usize = 128;

/// Decodes and validates an operation input. An empty body means `{}`.
///
/// Malformed JSON, wrong types, unknown fields and invalid base64 become
/// `SerializationException` (the message names the member, never its value); failed model
/// constraints become `ValidationException` listing every failure.
pub fn decode_input<T: DeserializeOwned + Validate>(body: &[u8]) -> Result<T, ServiceError> {
    let input: T = deserialize_input(body)?;
    validate_input(&input)?;
    Ok(input)
}

/// Decodes an operation input without checking model constraints, reading straight from the
/// body bytes (large base64 members are not copied into an intermediate `Value`).
pub fn deserialize_input<T: DeserializeOwned>(body: &[u8]) -> Result<T, ServiceError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(not_an_object(body));
    }
    let mut deserializer = serde_json::Deserializer::from_slice(body);
    let input = serde_path_to_error::deserialize(&mut deserializer).map_err(|e| {
        if e.inner().classify() != serde_json::error::Category::Data {
            return invalid_json();
        }
        let path = e.path().to_string();
        let message = e.inner().to_string();
        // Reading from bytes, serde_json appends the position; clients need only the member.
        let message = match message.rfind(" at line ") {
            Some(at) => &message[..at],
            None => &message,
        };
        ServiceError::serialization(describe(&path, message))
    })?;
    deserializer.end().map_err(|_| invalid_json())?;
    Ok(input)
}

fn invalid_json() -> ServiceError {
    ServiceError::serialization("Request body is not valid JSON")
}

/// The error for a body that does not start with `{`: not JSON at all, or JSON of another kind.
fn not_an_object(body: &[u8]) -> ServiceError {
    match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
        Ok(_) => ServiceError::serialization("Expected a JSON object as the request body"),
        Err(_) => invalid_json(),
    }
}

/// Checks model constraints of a decoded input.
pub fn validate_input<T: Validate>(input: &T) -> Result<(), ServiceError> {
    let mut errs = ValidationErrors::new();
    input.validate("", &mut errs);
    errs.into_result()
}

/// Builds a short message from serde's, keeping only text that does not come from values.
fn describe(path: &str, serde_msg: &str) -> String {
    if let Some(name) = quoted_after(serde_msg, "unknown field `") {
        return format!("Unrecognized field '{}'", clip(name));
    }
    if let Some(name) = quoted_after(serde_msg, "duplicate field `") {
        return format!("Duplicate field '{}'", clip(name));
    }
    let at = if path.is_empty() || path == "." {
        String::from("the request body")
    } else {
        format!("member '{}'", clip(path))
    };
    if serde_msg.contains(INVALID_BASE64) {
        return format!("Invalid base64 value for {at}");
    }
    // serde puts the offending value first and the visitor's expectation last.
    match serde_msg.rfind(", expected ") {
        Some(i) if serde_msg.starts_with("invalid ") => {
            let expected = wire_type_name(clip(&serde_msg[i + ", expected ".len()..]));
            format!("Expected {expected} for {at}")
        }
        _ => format!("Invalid value for {at}"),
    }
}

/// serde names Rust types (`i32`, `u64`, `f64`); clients know JSON's.
fn wire_type_name(expected: &str) -> &str {
    match expected {
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => "an integer",
        "f32" | "f64" => "a number",
        "a boolean" | "bool" => "a boolean",
        other => other,
    }
}

fn quoted_after<'m>(msg: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = msg.strip_prefix(prefix)?;
    rest.find('`').map(|end| &rest[..end])
}

fn clip(s: &str) -> &str {
    match s.char_indices().nth(MAX_ECHO) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Serializes an operation output.
pub fn encode_output<T: Serialize>(v: &T) -> Result<Vec<u8>, ServiceError> {
    // Sized for a 4 KiB blob in base64 plus members, so the buffer is not regrown while writing.
    let mut out = Vec::with_capacity(OUTPUT_CAPACITY);
    serde_json::to_writer(&mut out, v)
        .map(|()| out)
        .map_err(|e| {
            tracing::error!(error = %e, "failed to encode operation output");
            ServiceError::internal()
        })
}

/// `{"__type":"<code>","message":"<msg>"}` plus the error's other members
/// ([`ServiceError::members`]); an empty message is left out (`{"__type":"<code>"}`), as AWS
/// answers errors that carry none (e.g. KMS's `InvalidCiphertextException`).
pub fn encode_error(err: &ServiceError) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    body.insert("__type".into(), err.code.as_ref().into());
    if !err.message.is_empty() {
        body.insert("message".into(), err.message.as_str().into());
    }
    for (name, value) in &err.members {
        body.insert((*name).into(), value.as_str().into());
    }
    serde_json::to_vec(&body).unwrap_or_else(|_| b"{}".to_vec())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Blob, Field};
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Tag {
        #[serde(rename = "TagKey", default)]
        tag_key: Option<String>,
    }

    #[derive(Debug, Deserialize, Serialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Input {
        #[serde(rename = "KeyId", default, skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
        #[serde(
            rename = "NumberOfBytes",
            default,
            skip_serializing_if = "Option::is_none"
        )]
        number_of_bytes: Option<i32>,
        #[serde(rename = "Plaintext", default, skip_serializing_if = "Option::is_none")]
        plaintext: Option<Blob>,
        #[serde(rename = "Tags", default, skip_serializing_if = "Option::is_none")]
        tags: Option<Vec<Tag>>,
    }

    impl Validate for Input {
        fn validate(&self, path: &str, errs: &mut ValidationErrors) {
            let f = Field::new(path, "keyId", false);
            match &self.key_id {
                None => errs.missing(&f),
                Some(v) => errs.length(&f, v, v.chars().count(), Some(1), Some(8)),
            }
        }
    }

    fn err_of(body: &str) -> ServiceError {
        match decode_input::<Input>(body.as_bytes()) {
            Ok(v) => panic!("decoded {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn decodes_and_validates() {
        let input: Input = decode_input(br#"{"KeyId":"abc","Plaintext":"aGk="}"#).unwrap();
        assert_eq!(input.key_id.as_deref(), Some("abc"));
        assert_eq!(input.plaintext, Some(Blob(b"hi".to_vec())));
        let e = err_of("");
        assert_eq!(e.code, "ValidationException");
        assert!(e.message.contains("Value null at 'keyId'"));
        let e = err_of(r#"{"KeyId":"waytoolongvalue"}"#);
        assert!(e.message.contains("less than or equal to 8"));
    }

    #[test]
    fn empty_body_is_an_empty_object() {
        let input: Input = deserialize_input(b"").unwrap();
        assert_eq!(input.key_id, None);
        let input: Input = deserialize_input(b" \n").unwrap();
        assert_eq!(input.tags, None);
    }

    #[test]
    fn serialization_errors_never_echo_values() {
        let cases = [
            ("{not json", "Request body is not valid JSON"),
            (
                r#"{"KeyId":"a"} trailing"#,
                "Request body is not valid JSON",
            ),
            (r#"{"KeyId":"a","Foo":1}"#, "Unrecognized field 'Foo'"),
            (
                r#"{"KeyId":"a","Plaintext":"s3cr3t!!"}"#,
                "Invalid base64 value for member 'Plaintext'",
            ),
            (r#"{"KeyId":12345}"#, "Expected a string for member 'KeyId'"),
            (
                r#"{"KeyId":"a","NumberOfBytes":"s3cr3t"}"#,
                "Expected an integer for member 'NumberOfBytes'",
            ),
            (
                r#"{"KeyId":"a","Tags":[{"TagKey":"k","Bad":"s3cr3t"}]}"#,
                "Unrecognized field 'Bad'",
            ),
            (
                r#"{"KeyId":"a","Tags":[{"TagKey":["s3cr3t"]}]}"#,
                "Expected a string for member 'Tags[0].TagKey'",
            ),
            (
                r#"["s3cr3t"]"#,
                "Expected a JSON object as the request body",
            ),
            ("null", "Expected a JSON object as the request body"),
        ];
        for (body, want) in cases {
            let e = err_of(body);
            assert_eq!(e.code, "SerializationException", "{body}");
            assert_eq!(e.message, want, "{body}");
            assert!(!e.message.contains("s3cr3t"));
        }
    }

    #[test]
    fn encodes_output_and_errors() {
        let out = Input {
            key_id: Some(String::from("k")),
            number_of_bytes: None,
            plaintext: Some(Blob(vec![1, 2])),
            tags: None,
        };
        assert_eq!(
            encode_output(&out).unwrap(),
            br#"{"KeyId":"k","Plaintext":"AQI="}"#
        );
        let err = ServiceError::new("NotFoundException", 400, "Key \"x\" not found");
        assert_eq!(
            encode_error(&err),
            br#"{"__type":"NotFoundException","message":"Key \"x\" not found"}"#
        );
        let bare = ServiceError::new("KMSInvalidSignatureException", 400, "");
        assert_eq!(
            encode_error(&bare),
            br#"{"__type":"KMSInvalidSignatureException"}"#
        );
    }

    #[test]
    fn encodes_error_members() {
        let err = ServiceError::new("WAFInvalidParameterException", 400, "bad")
            .with_member("Field", "IP_ADDRESS")
            .with_member("Parameter", "10.0.0.0/33");
        let body: serde_json::Value = serde_json::from_slice(&encode_error(&err)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"__type": "WAFInvalidParameterException", "message": "bad",
                "Field": "IP_ADDRESS", "Parameter": "10.0.0.0/33"})
        );
    }
}
