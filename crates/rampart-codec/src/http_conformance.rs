//! Conformance hooks of restJson1, restXml, RPC v2 CBOR and awsJson codecs (tests, not the request path):
//! typed round trips between a protocol's wire form and the shape's AWS JSON form, without
//! validation, so botocore's serializers and parsers can be checked against the generated code.

use super::rest::{HttpRequest, HttpResponse, Labels, RestOperation};
use super::rest_bind::{decode_rest_input, encode_rest_output};
use super::rest_xml::{XmlBodies, decode_rest_xml_input, encode_rest_xml_output};
use super::{
    ServiceError, decode_cbor_input, deserialize_input, encode_cbor_output, encode_output,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// `value` as AWS JSON.
fn json_of<T: Serialize>(value: &T) -> Result<Vec<u8>, ServiceError> {
    encode_output(value)
}

/// The input a restJson1 request decodes to, as AWS JSON.
pub fn rest_input_json<I: DeserializeOwned + Serialize>(
    op: &RestOperation,
    req: &HttpRequest<'_>,
    labels: &Labels,
) -> Result<Vec<u8>, ServiceError> {
    json_of(&decode_rest_input::<I>(op, req, labels)?)
}

/// The restJson1 response of an output given as AWS JSON.
pub fn rest_output_from_json<O: DeserializeOwned + Serialize>(
    op: &RestOperation,
    output: &[u8],
) -> Result<HttpResponse, ServiceError> {
    encode_rest_output(op, &deserialize_input::<O>(output)?)
}

/// The input a restXml request decodes to, as AWS JSON.
pub fn rest_xml_input_json<I: DeserializeOwned + Serialize>(
    op: &RestOperation,
    xml: &XmlBodies,
    req: &HttpRequest<'_>,
    labels: &Labels,
) -> Result<Vec<u8>, ServiceError> {
    json_of(&decode_rest_xml_input::<I>(op, xml, req, labels)?)
}

/// The restXml response of an output given as AWS JSON.
pub fn rest_xml_output_from_json<O: DeserializeOwned + Serialize>(
    op: &RestOperation,
    xml: &XmlBodies,
    output: &[u8],
) -> Result<HttpResponse, ServiceError> {
    encode_rest_xml_output(op, xml, &deserialize_input::<O>(output)?)
}

/// The input a CBOR body decodes to, as AWS JSON.
pub fn cbor_input_json<I: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    json_of(&decode_cbor_input::<I>(body)?)
}

/// The CBOR body of an output given as AWS JSON.
pub fn cbor_output_from_json<O: DeserializeOwned + Serialize>(
    output: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    encode_cbor_output(&deserialize_input::<O>(output)?)
}

/// The input an awsJson body decodes to, re-encoded as AWS JSON.
pub fn json_input_json<I: DeserializeOwned + Serialize>(
    body: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    json_of(&deserialize_input::<I>(body)?)
}

/// The awsJson body of an output given as AWS JSON (decoded to its type, then encoded).
pub fn json_output_from_json<O: DeserializeOwned + Serialize>(
    output: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    json_of(&deserialize_input::<O>(output)?)
}
