//! Generation of one service's `src/generated/` from its model.

mod audit;
mod cbor;
mod endpoint;
mod enums;
mod errors;
mod operations;
mod patterns;
mod query;
mod reach;
mod rest;
mod rest_xml;
mod shapes;
#[cfg(test)]
mod tests;
mod validate;

use crate::model::{Model, Operation, Protocol, Shape, ShapeRef};
use crate::names;
use crate::services::ServiceSpec;
use std::collections::BTreeSet;

/// Everything the emitters need about one service.
pub struct Ctx<'m> {
    pub model: &'m Model,
    pub spec: &'m ServiceSpec,
    /// The pinned botocore version, for headers.
    pub botocore: &'m str,
    /// The protocols generated, botocore's resolved one first.
    pub protocols: Vec<Protocol>,
    /// The served operations, in model order.
    pub served: Vec<(&'m str, &'m Operation)>,
    /// The model's other operations: known by name, answering not-served.
    pub not_served: Vec<&'m str>,
    /// Non-exception structures reachable from served operation inputs or outputs.
    pub structs: BTreeSet<String>,
    /// Shapes reachable from served operation inputs (these get `Validate`).
    pub input_shapes: BTreeSet<String>,
    /// Shapes reachable from served operation outputs (query protocol: these get `ToXml`).
    pub output_shapes: BTreeSet<String>,
    /// Enum string shapes reachable from served operations.
    pub enums: BTreeSet<String>,
    /// Exception shapes the served operations may answer.
    pub errors: BTreeSet<String>,
    /// `(structure, member)` pairs held in a `Box`: the member closes a cycle of structures.
    pub boxed: BTreeSet<(String, String)>,
}

/// One generated file: name inside `src/generated/` and unformatted content.
pub struct GenFile {
    pub name: &'static str,
    pub content: String,
}

impl<'m> Ctx<'m> {
    /// Walks the model from the served operations.
    pub fn new(model: &'m Model, spec: &'m ServiceSpec, botocore: &'m str) -> Result<Self, String> {
        let (served, not_served) = reach::split(model, spec.served)?;
        let ops = served.iter().map(|(_, op)| *op);
        let inputs: Vec<&str> = ops
            .clone()
            .filter_map(|o| o.input.as_ref())
            .map(|r| r.shape.as_str())
            .collect();
        let outputs: Vec<&str> = ops
            .clone()
            .filter_map(|o| o.output.as_ref())
            .map(|r| r.shape.as_str())
            .collect();
        let errors: BTreeSet<String> = ops
            .flat_map(|o| &o.errors)
            .map(|r| r.shape.clone())
            .collect();
        let input_shapes = reach::reach(model, inputs.iter().copied())?;
        let output_shapes = reach::reach(model, outputs.iter().copied())?;
        let mut structs = BTreeSet::new();
        let mut enums = BTreeSet::new();
        for name in input_shapes.union(&output_shapes) {
            let shape = model.shape(name)?;
            if shape.eventstream {
                return Err(format!("shape {name}: event streams are not supported"));
            }
            if shape.kind == "structure" && !shape.exception {
                structs.insert(name.clone());
            } else if shape.is_enum() {
                enums.insert(name.clone());
            }
        }
        for name in &errors {
            if !model.shape(name)?.exception {
                return Err(format!("error shape {name} is not an exception"));
            }
        }
        let boxed = reach::boxed_members(model, &structs)?;
        check_spec(model, spec, &served, &structs)?;
        Ok(Self {
            model,
            spec,
            botocore,
            protocols: model.metadata.served_protocols()?,
            served,
            not_served,
            structs,
            input_shapes,
            output_shapes,
            enums,
            errors,
            boxed,
        })
    }

    /// The generated handler trait: `KmsApi` for service id `KMS`.
    pub fn trait_name(&self) -> String {
        names::type_name(&self.model.metadata.service_id) + "Api"
    }

    /// The base trait of the operation traits: `KmsHandler` for service id `KMS`.
    pub fn handler_name(&self) -> String {
        names::type_name(&self.model.metadata.service_id) + "Handler"
    }

    /// True when the service checks `operation`'s input itself before model validation.
    pub fn is_prechecked(&self, operation: &str) -> bool {
        self.spec.prechecked.contains(&operation)
    }

    /// True when member `member` of structure `owner` stays out of audit JSON by the spec.
    pub fn is_audit_hidden(&self, owner: &str, member: &str) -> bool {
        self.spec
            .audit_hidden
            .iter()
            .any(|h| h.split_once('.') == Some((owner, member)))
    }

    /// The SigV4 signing name: the model's `signingName`, else its endpoint prefix.
    pub fn signing_name(&self) -> &'m str {
        let m = &self.model.metadata;
        m.signing_name.as_deref().unwrap_or(&m.endpoint_prefix)
    }

    /// The CloudTrail `eventSource`: `<endpoint prefix>.amazonaws.com`.
    pub fn event_source(&self) -> String {
        format!("{}.amazonaws.com", self.model.metadata.endpoint_prefix)
    }

    /// The model's `X-Amz-Target` prefix (awsJson protocols; empty otherwise).
    pub fn target_prefix(&self) -> &'m str {
        self.model
            .metadata
            .target_prefix
            .as_deref()
            .unwrap_or_default()
    }

    /// The key of a structure member in its JSON (and CBOR) form: the member name, or for a
    /// body member of a JSON protocol its `locationName` / `jsonName` (botocore's
    /// `serialization['name']`). A member bound outside the body whose name another member's
    /// body key takes (API Gateway's `httpMethod` label beside `integrationHttpMethod`, sent
    /// as `httpMethod`) is keyed `<member>@<location>`. Query protocols read their own names.
    pub fn json_key<'r>(&self, owner: &'r Shape, member: &'r str, r: &'r ShapeRef) -> String {
        if self.protocols[0] == Protocol::Query {
            return member.to_owned();
        }
        match &r.location {
            None => body_key(member, r).to_owned(),
            Some(location) => {
                let taken = owner
                    .members
                    .iter()
                    .any(|(m, o)| o.location.is_none() && body_key(m, o) == member);
                if taken {
                    format!("{member}@{location}")
                } else {
                    member.to_owned()
                }
            }
        }
    }

    /// True when member `member` of structure `owner` is held in a `Box`.
    pub fn is_boxed(&self, owner: &str, member: &str) -> bool {
        self.boxed.iter().any(|(o, m)| o == owner && m == member)
    }

    /// The Rust type of member `member` of structure `owner` (without the `Option`).
    pub fn member_type(&self, owner: &str, member: &str, target: &str) -> Result<String, String> {
        let ty = self.rust_type(target)?;
        Ok(if self.is_boxed(owner, member) {
            format!("Box<{ty}>")
        } else {
            ty
        })
    }

    /// The shape called `name`.
    pub fn shape(&self, name: &str) -> Result<&'m Shape, String> {
        self.model.shape(name)
    }

    /// The Rust type of a value of shape `name`.
    pub fn rust_type(&self, name: &str) -> Result<String, String> {
        let shape = self.shape(name)?;
        Ok(match shape.kind.as_str() {
            "string" if shape.is_enum() => names::type_name(name),
            "string" => String::from("String"),
            "integer" => String::from("i32"),
            "long" => String::from("i64"),
            "boolean" => String::from("bool"),
            "double" | "float" => String::from("f64"),
            "blob" => String::from("Blob"),
            "timestamp" => String::from("Timestamp"),
            "document" => String::from("serde_json::Value"),
            "structure" => names::type_name(name),
            "list" => format!("Vec<{}>", self.rust_type(element(shape, name)?)?),
            "map" => format!(
                "BTreeMap<String, {}>",
                self.rust_type(element(shape, name)?)?
            ),
            other => return Err(format!("shape {name}: unsupported type {other}")),
        })
    }

    /// True when values of the shape (or everything they contain) must not be shown.
    pub fn is_sensitive(&self, name: &str) -> bool {
        self.shape(name)
            .is_ok_and(|s| s.sensitive || s.element().is_some_and(|e| self.is_sensitive(e)))
    }

    /// True for blobs and collections of blobs: left out of audit records.
    pub fn is_blob(&self, name: &str) -> bool {
        self.shape(name)
            .is_ok_and(|s| s.kind == "blob" || s.element().is_some_and(|e| self.is_blob(e)))
    }

    /// The `//!` header and lint allowances of every generated file.
    pub fn header(&self, what: &str) -> String {
        format!(
            "//! Generated by xtask from botocore {}; do not edit. {what}\n\n\
             #![allow(missing_docs, unused_imports)]\n\n",
            self.botocore
        )
    }
}

/// The JSON key of a body member: its `locationName`, `jsonName` or name.
fn body_key<'r>(member: &'r str, r: &'r ShapeRef) -> &'r str {
    r.location_name
        .as_deref()
        .or(r.json_name.as_deref())
        .unwrap_or(member)
}

/// Prechecked operations must be served awsJson operations with an input; audit-hidden
/// members must be members of generated structures.
fn check_spec(
    model: &Model,
    spec: &ServiceSpec,
    served: &[(&str, &Operation)],
    structs: &BTreeSet<String>,
) -> Result<(), String> {
    for hidden in spec.audit_hidden {
        let known = hidden.split_once('.').is_some_and(|(owner, member)| {
            structs.contains(owner)
                && model
                    .shape(owner)
                    .is_ok_and(|s| s.members.contains_key(member))
        });
        if !known {
            return Err(format!(
                "audit-hidden {hidden}: not a member of a generated structure"
            ));
        }
    }
    for name in spec.prechecked {
        let has_input = served.iter().any(|(n, op)| n == name && op.input.is_some());
        if !has_input || model.metadata.protocol != "json" {
            return Err(format!(
                "prechecked operation {name}: not a served awsJson operation with an input"
            ));
        }
    }
    Ok(())
}

/// The element shape of a list or map, or an error naming the shape.
pub fn element<'s>(shape: &'s Shape, name: &str) -> Result<&'s str, String> {
    shape
        .element()
        .ok_or_else(|| format!("shape {name}: collection without element shape"))
}

/// Generates every file of the service's `src/generated/`, unformatted.
pub fn generate(ctx: &Ctx<'_>) -> Result<Vec<GenFile>, String> {
    let cbor = ctx.protocols.contains(&Protocol::RpcV2Cbor);
    match ctx.protocols[0] {
        Protocol::Json | Protocol::RpcV2Cbor if cbor => cbor::generate(ctx),
        Protocol::Json | Protocol::RpcV2Cbor => generate_json(ctx),
        Protocol::Query => query::generate(ctx),
        Protocol::RestJson | Protocol::RestXml => rest::generate(ctx),
    }
}

/// The files shared by every protocol: structures, enums, validation and audit JSON.
fn common_files(ctx: &Ctx<'_>) -> Result<Vec<GenFile>, String> {
    Ok(vec![
        GenFile {
            name: "shapes.rs",
            content: shapes::emit(ctx)?,
        },
        GenFile {
            name: "enums.rs",
            content: enums::emit(ctx)?,
        },
        GenFile {
            name: "validate.rs",
            content: validate::emit(ctx)?,
        },
        GenFile {
            name: "audit.rs",
            content: audit::emit(ctx)?,
        },
    ])
}

/// An awsJson service's files.
fn generate_json(ctx: &Ctx<'_>) -> Result<Vec<GenFile>, String> {
    json_files(ctx, module_root(ctx, ""))
}

/// An awsJson service's files with `root` as `mod.rs`.
fn json_files(ctx: &Ctx<'_>, root: String) -> Result<Vec<GenFile>, String> {
    Ok(vec![
        GenFile {
            name: "mod.rs",
            content: root,
        },
        GenFile {
            name: "shapes.rs",
            content: shapes::emit(ctx)?,
        },
        GenFile {
            name: "enums.rs",
            content: enums::emit(ctx)?,
        },
        GenFile {
            name: "errors.rs",
            content: errors::emit(ctx)?,
        },
        GenFile {
            name: "validate.rs",
            content: validate::emit(ctx)?,
        },
        GenFile {
            name: "audit.rs",
            content: audit::emit(ctx)?,
        },
        GenFile {
            name: "operations.rs",
            content: operations::emit(ctx)?,
        },
        GenFile {
            name: "endpoint.rs",
            content: endpoint::json(ctx),
        },
    ])
}

/// The `pub use` lines of `mod.rs` for enums (when there are any), operations, the endpoint
/// and shapes (operation traits never share a name with a shape: `operations::shared`).
pub fn reexports(ctx: &Ctx<'_>) -> String {
    let enums = if ctx.enums.is_empty() {
        ""
    } else {
        "pub use enums::*;\n"
    };
    format!("{enums}pub use operations::*;\npub use shapes::*;\n")
}

/// The awsJson `mod.rs`; `extra` adds module lines and re-exports.
fn module_root(ctx: &Ctx<'_>, extra: &str) -> String {
    let m = &ctx.model.metadata;
    let mut out = format!(
        "//! Generated by xtask from botocore {}; do not edit.\n//!\n\
         //! Wire types, validation, audit JSON, errors and the operation dispatcher of {} ({}).\n\n",
        ctx.botocore, m.service_id, m.api_version
    );
    out += "mod audit;\nmod endpoint;\npub mod enums;\npub mod errors;\npub mod operations;\npub mod shapes;\nmod validate;\n";
    out += extra;
    out += "\n";
    out += "pub use endpoint::Endpoint;\n";
    out += &reexports(ctx);
    out += "pub use rampart_codec::{AuditParams, Blob, Invocation, ServiceError, Timestamp, Validate};\n\n";
    let event_source = ctx.event_source();
    let consts = [
        (
            "TARGET_PREFIX",
            "`X-Amz-Target` prefix.",
            ctx.target_prefix(),
        ),
        ("SIGNING_NAME", "SigV4 signing name.", ctx.signing_name()),
        ("EVENT_SOURCE", "CloudTrail `eventSource`.", &event_source),
        (
            "JSON_VERSION",
            "AWS JSON protocol version.",
            m.json_version.as_deref().unwrap_or("1.0"),
        ),
        ("SERVICE_ID", "The model's service id.", &m.service_id),
        ("API_VERSION", "The model's API version.", &m.api_version),
    ];
    for (name, doc, value) in consts {
        out += &format!("/// {doc}\npub const {name}: &str = {value:?};\n");
    }
    out
}
