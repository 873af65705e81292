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
