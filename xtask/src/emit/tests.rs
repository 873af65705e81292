//! Generation from small synthetic models: served operations only, not-served arms, and
//! recursive structures boxed instead of rejected.

#![allow(clippy::unwrap_used)]

use super::{Ctx, generate};
use crate::model::Model;
use crate::services::ServiceSpec;

const SPEC: ServiceSpec = ServiceSpec {
    model: "test",
    crate_dir: "crates/test",
    module_dir: "src/generated",
    served: &["PutTree"],
    read_only: &["Get*"],
    hidden_responses: &[],
    global_region: None,
    prechecked: &[],
    audit_hidden: &[],
};

/// `Node -> Edge -> Node` recurses through structure members (must be boxed); `Node ->
/// NodeList -> Node` and `Forest -> ForestList -> Forest` recurse through lists (must not).
/// `DropTree` and `GetTree` are not served: their shapes and errors are not generated.
const SHAPES: &str = r#"
  "operations": {
    "PutTree": {"name": "PutTree", "input": {"shape": "PutTreeRequest"},
                "output": {"shape": "Node", "resultWrapper": "PutTreeResult"},
                "errors": [{"shape": "BadTree"}]},
    "DropTree": {"name": "DropTree", "input": {"shape": "DropTreeRequest"},
                 "errors": [{"shape": "Gone"}]},
    "GetTree": {"name": "GetTree"}
  },
  "shapes": {
    "PutTreeRequest": {"type": "structure", "required": ["Root"],
                       "members": {"Root": {"shape": "Node"}, "Forest": {"shape": "Forest"}}},
    "Node": {"type": "structure", "required": ["Name"], "members": {
      "Name": {"shape": "Name"}, "Child": {"shape": "Edge"}, "Children": {"shape": "NodeList"}}},
    "Edge": {"type": "structure", "members": {"To": {"shape": "Node"}, "Weight": {"shape": "Weight"}}},
    "NodeList": {"type": "list", "member": {"shape": "Node"}},
    "Forest": {"type": "structure", "members": {"Trees": {"shape": "ForestList"}}},
    "ForestList": {"type": "list", "member": {"shape": "Forest"}},
    "Name": {"type": "string", "min": 1},
    "Weight": {"type": "integer", "max": 10},
    "DropTreeRequest": {"type": "structure", "members": {"Kind": {"shape": "Kind"}}},
    "Kind": {"type": "string", "enum": ["a", "b"]},
    "BadTree": {"type": "structure", "members": {}, "exception": true},
    "Gone": {"type": "structure", "members": {}, "exception": true}
  }"#;

fn model(protocol: &str) -> Model {
    let metadata = format!(
        r#""metadata": {{"apiVersion": "2020-01-01", "protocol": "{protocol}", "serviceId": "Tree",
           "endpointPrefix": "tree", "targetPrefix": "Tree_20200101",
           "xmlNamespace": "https://tree/doc/"}},"#
    );
    serde_json::from_str(&format!("{{{metadata}{SHAPES}}}")).unwrap()
}

/// The named generated file, whitespace collapsed.
fn file(model: &Model, spec: &ServiceSpec, name: &str) -> String {
    let ctx = Ctx::new(model, spec, "0.0.0").unwrap();
    let file = generate(&ctx).unwrap().into_iter().find(|f| f.name == name);
    let content = file.unwrap().content;
    content.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn structure_cycles_are_boxed_and_list_cycles_are_not() {
    let model = model("json");
    let shapes = file(&model, &SPEC, "shapes.rs");
    assert!(shapes.contains("pub child: Option<Box<Edge>>,"), "{shapes}");
    assert!(shapes.contains("pub to: Option<Box<Node>>,"), "{shapes}");
    assert!(shapes.contains("pub root: Option<Node>,"), "{shapes}");
    assert!(
        shapes.contains("pub children: Option<Vec<Node>>,"),
        "{shapes}"
    );
    assert!(
        shapes.contains("pub trees: Option<Vec<Forest>>,"),
        "{shapes}"
    );
    // Validation reaches through the cycle from either side.
    let validate = file(&model, &SPEC, "validate.rs");
    assert!(
        validate.contains(r#"let f = Field::new(path, "to", false);"#),
        "{validate}"
    );
    assert!(validate.contains(r#"let f = Field::new(path, "child", false);"#));
    let audit = file(&model, &SPEC, "audit.rs");
    assert!(audit.contains(r#"put(&mut m, "to", &self.to);"#), "{audit}");
}

#[test]
fn query_codecs_box_and_unbox_recursive_members() {
    let model = model("query");
    let decode = file(&model, &SPEC, "decode.rs");
    assert!(
        decode.contains(r#"to: query::structure::<Node>(node.get("To"), &query::join(path, "To"))?.map(Box::new),"#),
        "{decode}"
    );
    let encode = file(&model, &SPEC, "encode.rs");
    assert!(
        encode.contains(r#"w.structure("To", self.to.as_deref());"#),
        "{encode}"
    );
    assert!(encode.contains(r#"w.structure("Child", self.child.as_deref());"#));
}

#[test]
fn only_served_operations_are_generated() {
    let model = model("json");
    let shapes = file(&model, &SPEC, "shapes.rs");
    assert!(!shapes.contains("DropTreeRequest"), "{shapes}");
    assert!(file(&model, &SPEC, "enums.rs").find("enum Kind").is_none());
    let errors = file(&model, &SPEC, "errors.rs");
    assert!(
        errors.contains("pub fn bad_tree(") && !errors.contains("gone"),
        "{errors}"
    );
    let ops = file(&model, &SPEC, "operations.rs");
    // A trait with a required method (no default body) for the served operation only.
    assert!(
        ops.contains("pub trait PutTree: TreeHandler { /// Runs `PutTree`. fn put_tree(&self, ctx: &RequestContext, input: PutTreeRequest) -> impl Future<Output = Result<Node, Self::Error>> + Send; }"),
        "{ops}"
    );
    assert!(ops.contains("pub trait TreeApi: TreeHandler + PutTree {}"));
    assert!(ops.contains("impl<T: TreeHandler + PutTree> TreeApi for T {}"));
    assert!(ops.contains("type Error: Into<ServiceError> + Send;"));
    assert!(ops.contains(r#"invoke(spec, body, |i: PutTreeRequest| answer(move || handler.put_tree(ctx, i), move |ok| handler.after_call(ctx, "PutTree", ok))).await"#));
    assert!(!ops.contains("fn drop_tree"));
    assert!(ops.contains(r#""DropTree" => not_served("DropTree", false),"#));
    assert!(ops.contains(r#""GetTree" => not_served("GetTree", true),"#));
    assert!(ops.contains(r#"pub const SERVED: &[&str] = &["PutTree"];"#));
    assert!(
        ops.contains(r#"pub const OPERATIONS: &[&str] = &["DropTree", "GetTree", "PutTree"];"#)
    );
    let root = file(&model, &SPEC, "mod.rs");
    assert!(
        root.contains(r#"pub const SIGNING_NAME: &str = "tree";"#),
        "{root}"
    );
    assert!(root.contains(r#"pub const TARGET_PREFIX: &str = "Tree_20200101";"#));
    assert!(root.contains("pub use endpoint::Endpoint; pub use operations::*;"));
    let endpoint = file(&model, &SPEC, "endpoint.rs");
    assert!(
        endpoint.contains("impl<S: TreeApi + 'static> AwsJsonService for Endpoint<S> {"),
        "{endpoint}"
    );
    let query = file(&self::model("query"), &SPEC, "endpoint.rs");
    assert!(query.contains("impl<S: TreeApi + 'static> AwsQueryService for Endpoint<S> {"));
}

#[test]
fn prechecks_and_hidden_audit_members_follow_the_spec() {
    let model = model("json");
    let spec = ServiceSpec {
        prechecked: &["PutTree"],
        audit_hidden: &["Edge.Weight"],
        ..SPEC
    };
    let ops = file(&model, &spec, "operations.rs");
    assert!(
        ops.contains("fn check_put_tree(&self, ctx: &RequestContext, input: &PutTreeRequest) -> Result<(), Self::Error>;"),
        "{ops}"
    );
    assert!(ops.contains(
        "invoke_checked(spec, body, |i: &PutTreeRequest| handler.check_put_tree(ctx, i).map_err(Into::into), |i: PutTreeRequest|"
    ));
    let audit = file(&model, &spec, "audit.rs");
    assert!(
        audit.contains(r#"put(&mut m, "to", &self.to); m"#),
        "{audit}"
    );
    assert!(!audit.contains(r#""weight""#));
    let bad = [
        ServiceSpec {
            prechecked: &["GetTree"],
            ..SPEC
        },
        ServiceSpec {
            audit_hidden: &["Edge.Nope"],
            ..SPEC
        },
        ServiceSpec {
            audit_hidden: &["Weight"],
            ..SPEC
        },
    ];
    for spec in bad {
        assert!(Ctx::new(&model, &spec, "0.0.0").is_err(), "{spec:?}");
    }
    let query = ServiceSpec {
        prechecked: &["PutTree"],
        ..SPEC
    };
    assert!(Ctx::new(&self::model("query"), &query, "0.0.0").is_err());
}

#[test]
fn served_names_must_exist_once() {
    let model = model("json");
    for served in [&["PutTree", "PutTree"][..], &["Nope"][..]] {
        let spec = ServiceSpec { served, ..SPEC };
        assert!(Ctx::new(&model, &spec, "0.0.0").is_err(), "{served:?}");
    }
}

#[test]
fn rest_json_errors_get_constructors_with_their_header_members() {
    let shapes = SHAPES.replace(
        r#""BadTree": {"type": "structure", "members": {}"#,
        r#""BadTree": {"type": "structure", "members": {
          "message": {"shape": "Name"},
          "retryAfter": {"shape": "Name", "location": "header", "locationName": "Retry-After"},
          "limit": {"shape": "Weight", "location": "header", "locationName": "X-Limit"}}"#,
    );
    let errors_of = |protocol: &str| {
        let metadata = format!(
            r#""metadata": {{"apiVersion": "2020-01-01", "protocol": "{protocol}",
               "serviceId": "Tree", "endpointPrefix": "tree"}},"#
        );
        let model: Model = serde_json::from_str(&format!("{{{metadata}{shapes}}}")).unwrap();
        let ctx = Ctx::new(&model, &SPEC, "0.0.0").unwrap();
        let out = super::errors::emit(&ctx).unwrap();
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let rest = errors_of("rest-json");
    assert!(
        rest.contains("pub fn bad_tree_with(message: impl Into<String>, limit: Option<i32>, retry_after: Option<String>) -> ServiceError { let mut err = bad_tree(message); if let Some(v) = limit { err = err.with_header(\"X-Limit\", v.to_string()); } if let Some(v) = retry_after { err = err.with_header(\"Retry-After\", v); } err }"),
        "{rest}"
    );
    // awsJson binds no error member to a header.
    assert!(!errors_of("json").contains("bad_tree_with"));
}
