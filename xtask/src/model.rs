//! The subset of botocore's `service-2.json` the generator reads.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A botocore service model.
#[derive(Debug, Deserialize)]
pub struct Model {
    pub metadata: Metadata,
    pub operations: BTreeMap<String, Operation>,
    pub shapes: BTreeMap<String, Shape>,
}

/// Service-wide facts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    pub api_version: String,
    pub protocol: String,
    pub service_id: String,
    #[serde(default)]
    pub json_version: Option<String>,
    #[serde(default)]
    pub target_prefix: Option<String>,
    /// The endpoint prefix (`kms`); also the SigV4 signing name unless `signingName` is set.
    pub endpoint_prefix: String,
    #[serde(default)]
    pub signing_name: Option<String>,
    /// The XML namespace of query-protocol responses.
    #[serde(default)]
    pub xml_namespace: Option<String>,
    /// Every protocol the service speaks (`["smithy-rpc-v2-cbor", "json"]`); may be absent.
    #[serde(default)]
    pub protocols: Vec<String>,
}

/// One operation.
#[derive(Debug, Deserialize)]
pub struct Operation {
    pub name: String,
    #[serde(default)]
    pub input: Option<ShapeRef>,
    #[serde(default)]
    pub output: Option<ShapeRef>,
    /// The exception shapes the operation may answer.
    #[serde(default)]
    pub errors: Vec<ShapeRef>,
    /// The HTTP binding (method, URI template, success status) of REST and RPC v2 protocols.
    #[serde(default)]
    pub http: Option<HttpTrait>,
}

/// The `http` trait of an operation.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpTrait {
    pub method: String,
    /// `/restapis/{restapi_id}/resources/{resource_id}`, `/{Bucket}/{Key+}`, `/x?mode=import`.
    pub request_uri: String,
    /// The success status; 200 when absent.
    #[serde(default)]
    pub response_code: Option<u16>,
}

/// A reference to a shape by name, with its serialization traits.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShapeRef {
    pub shape: String,
    /// The wire name of a member or list element (query/XML protocols).
    #[serde(default)]
    pub location_name: Option<String>,
    /// Flattened list or map (query/XML protocols).
    #[serde(default)]
    pub flattened: bool,
    /// The element wrapping an operation's output (query protocol).
    #[serde(default)]
    pub result_wrapper: Option<String>,
    /// Where a REST member travels: `uri`, `querystring`, `header`, `headers` (a prefix map)
    /// or `statusCode`; `None` for the body.
    #[serde(default)]
    pub location: Option<String>,
    /// The JSON key of a body member when it differs from the member name (Smithy
    /// `jsonName`; botocore's own models carry it as `locationName`).
    #[serde(default)]
    pub json_name: Option<String>,
    /// The member also fills a label of the endpoint's host name (`endpoint.hostPrefix`); it
    /// travels in the request as any other member, so the server reads it as usual.
    #[serde(default)]
    #[allow(dead_code)]
    pub host_label: bool,
    /// `iso8601`, `rfc822` or `unixTimestamp` when the member overrides its location's format.
    #[serde(default)]
    pub timestamp_format: Option<String>,
    /// The `xmlns` declared on the member's element (restXml).
    #[serde(default)]
    pub xml_namespace: Option<XmlNamespace>,
    /// The member is an attribute of its structure's element (restXml).
    #[serde(default)]
    pub xml_attribute: bool,
}

/// The `xmlNamespace` trait: a URI, or a URI with a prefix.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum XmlNamespace {
    /// `"xmlNamespace": "uri"`.
    Uri(String),
    /// `"xmlNamespace": {"prefix": "p", "uri": "uri"}`.
    Prefixed {
        #[serde(default)]
        prefix: Option<String>,
        uri: String,
    },
}

impl XmlNamespace {
    /// The prefix (empty for the default namespace) and the URI.
    pub fn parts(&self) -> (&str, &str) {
        match self {
            Self::Uri(uri) => ("", uri),
            Self::Prefixed { prefix, uri } => (prefix.as_deref().unwrap_or_default(), uri),
        }
    }
}

/// The error trait of an exception shape.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorTrait {
    #[serde(default)]
    pub http_status_code: Option<u16>,
    /// The query-protocol error code (`NoSuchEntity`), when it differs from the shape name.
    #[serde(default)]
    pub code: Option<String>,
}

/// One shape (structure, list, map or scalar).
#[derive(Debug, Deserialize)]
pub struct Shape {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub members: BTreeMap<String, ShapeRef>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    #[serde(default)]
    pub pattern: Option<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<String>>,
    #[serde(default)]
    pub sensitive: bool,
    #[serde(default)]
    pub member: Option<ShapeRef>,
    #[serde(default)]
    pub key: Option<ShapeRef>,
    #[serde(default)]
    pub value: Option<ShapeRef>,
    #[serde(default)]
    pub exception: bool,
    #[serde(default)]
    pub fault: bool,
    #[serde(default)]
    pub error: Option<ErrorTrait>,
    /// Flattened list or map (query/XML protocols).
    #[serde(default)]
    pub flattened: bool,
    /// An event stream union (not supported: the generator refuses it).
    #[serde(default)]
    pub eventstream: bool,
    /// The member that is the whole HTTP body of a REST input or output.
    #[serde(default)]
    pub payload: Option<String>,
    /// The timestamp format of a timestamp shape, overriding its location's default.
    #[serde(default, rename = "timestampFormat")]
    pub timestamp_format: Option<String>,
    /// The element name of the shape's values (restXml), unless a reference names it.
    #[serde(default, rename = "locationName")]
    pub location_name: Option<String>,
    /// The `xmlns` declared on the shape's elements (restXml).
    #[serde(default, rename = "xmlNamespace")]
    pub xml_namespace: Option<XmlNamespace>,
}

/// The wire protocols the generator emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// awsJson1.0 / 1.1 (`X-Amz-Target`).
    Json,
    /// awsQuery (form parameters, XML responses).
    Query,
    /// restJson1 (HTTP bindings, JSON bodies).
    RestJson,
    /// restXml (HTTP bindings, XML bodies).
    RestXml,
    /// Smithy RPC v2 CBOR.
    RpcV2Cbor,
}

impl Protocol {
    /// botocore's `PRIORITY_ORDERED_SUPPORTED_PROTOCOLS` (utils.py), restricted to the
    /// protocols the generator emits, in botocore's order.
    const PRIORITY: &[(&str, Protocol)] = &[
        ("json", Protocol::Json),
        ("rest-json", Protocol::RestJson),
        ("rest-xml", Protocol::RestXml),
        ("smithy-rpc-v2-cbor", Protocol::RpcV2Cbor),
        ("query", Protocol::Query),
    ];

    /// The protocol of a botocore protocol name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::PRIORITY
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, p)| *p)
    }
}

impl Model {
    /// Reads and parses a model file.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("parsing {}: {e}", path.display()))
    }

    /// The shape called `name`.
    pub fn shape(&self, name: &str) -> Result<&Shape, String> {
        self.shapes
            .get(name)
            .ok_or_else(|| format!("model references unknown shape {name}"))
    }
}

impl Metadata {
    /// The protocol botocore 1.44.8 resolves (`ServiceModel.resolved_protocol`): the first of
    /// its priority list that `protocols` names, else `protocol`. For ACM PCA
    /// (`["smithy-rpc-v2-cbor", "json"]`) that is `json`.
    pub fn resolved_protocol(&self) -> Result<Protocol, String> {
        if self.protocols.is_empty() {
            return Protocol::from_name(&self.protocol)
                .ok_or_else(|| format!("protocol {} is not supported", self.protocol));
        }
        Protocol::PRIORITY
            .iter()
            .find(|(name, _)| self.protocols.iter().any(|p| p == name))
            .map(|(_, p)| *p)
            .ok_or_else(|| format!("none of the protocols {:?} is supported", self.protocols))
    }

    /// Every protocol of the model the generator emits: the resolved one first, then the
    /// model's `protocol` and the others of `protocols` (deduplicated).
    pub fn served_protocols(&self) -> Result<Vec<Protocol>, String> {
        let mut out = vec![self.resolved_protocol()?];
        let names = std::iter::once(&self.protocol).chain(&self.protocols);
        for p in names.filter_map(|n| Protocol::from_name(n)) {
            if !out.contains(&p) {
                out.push(p);
            }
        }
        Ok(out)
    }
}

impl Shape {
    /// True for string shapes with an `enum` value set.
    pub fn is_enum(&self) -> bool {
        self.kind == "string" && self.enum_values.is_some()
    }

    /// The member/value shape of a list or map.
    pub fn element(&self) -> Option<&str> {
        match self.kind.as_str() {
            "list" => self.member.as_ref().map(|r| r.shape.as_str()),
            "map" => self.value.as_ref().map(|r| r.shape.as_str()),
            _ => None,
        }
    }
}
