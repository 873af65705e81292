//! Every served input and output shape of a query-protocol service against botocore
//! itself: botocore's QuerySerializer writes a sample input for each served operation (every member set) that
//! the generated decoder must read back exactly, and botocore's QueryParser must read the
//! generated XML of a sample output, and of a sample error, back to the same value. Needs a
//! Python with botocore (`RAMPART_PYTHON`, else `.venv`); the check is skipped with a message
//! when there is none. Shared by the IAM and STS `botocore_conformance` tests, which give only
//! their service's parameters.

#![allow(clippy::unwrap_used)]

use rampart_codec::ServiceError;
use rampart_codec::xml::error_document;
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A generated `conformance::output_xml_from_json`.
pub type OutputHook = fn(&str, &[u8], &str) -> Option<Result<Vec<u8>, ServiceError>>;

/// A generated `conformance::input_json_from_form`.
pub type InputHook = fn(&str, &[u8]) -> Option<Result<Vec<u8>, ServiceError>>;

/// One service under test: its generated hooks and a sample modeled error.
pub struct Service {
    /// The service's name for `botocore_query.py` (`iam`, `sts`).
    pub name: &'static str,
    /// The service's `generated::XML_NAMESPACE`.
    pub namespace: &'static str,
    /// How many operations the service serves (`generated::SERVED.len()`); the model's others
    /// have no hooks and are left out.
    pub operations: usize,
    pub output_xml_from_json: OutputHook,
    pub input_json_from_form: InputHook,
    /// A modeled error built with `error_message`, whose code botocore must read as
    /// `error_code`.
    pub error: ServiceError,
    pub error_code: &'static str,
    pub error_message: &'static str,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A Python that can import botocore, if any.
fn python() -> Option<PathBuf> {
    let candidate = std::env::var_os("RAMPART_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    let ok = Command::new(&candidate)
        .args(["-c", "import botocore"])
        .output()
        .is_ok_and(|o| o.status.success());
    ok.then_some(candidate)
}

fn script(python: &PathBuf, args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(python)
        .arg(root().join("tests/query_conformance/botocore_query.py"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (out.status.success(), String::from_utf8(out.stdout).unwrap())
}

/// Round-trips every sample input and output of `service`, and its sample error, through
/// botocore; panics on any difference.
pub fn every_shape_round_trips(service: &Service) {
    let Some(python) = python() else {
        eprintln!("skipped: no Python with botocore (set RAMPART_PYTHON or create .venv)");
        return;
    };
    let (ok, out) = script(&python, &["samples", service.name], "");
    assert!(ok, "{out}");
    let samples: Value = serde_json::from_str(&out).unwrap();
    let mut outputs = Map::new();
    for (op, value) in samples["outputs"].as_object().unwrap() {
        let body = value.to_string();
        let Some(xml) = (service.output_xml_from_json)(op, body.as_bytes(), &format!("req-{op}"))
        else {
            continue;
        };
        let xml = xml.unwrap_or_else(|e| panic!("{op}: {e}"));
        outputs.insert(op.clone(), Value::from(String::from_utf8(xml).unwrap()));
    }
    let mut inputs = Map::new();
    for (op, form) in samples["inputs"].as_object().unwrap() {
        let Some(decoded) = (service.input_json_from_form)(op, form.as_str().unwrap().as_bytes())
        else {
            continue;
        };
        let decoded = decoded.unwrap_or_else(|e| panic!("{op}: {e}"));
        inputs.insert(op.clone(), serde_json::from_slice(&decoded).unwrap());
    }
    assert_eq!(outputs.len(), service.operations);
    assert_eq!(inputs.len(), service.operations);
    let err = &service.error;
    let error_xml = error_document(err, service.namespace, "req-error");
    let doc = json!({
        "outputs_xml": outputs, "inputs_json": inputs,
        "error_xml": String::from_utf8(error_xml).unwrap(), "error_status": err.status,
        "error_code": service.error_code, "error_message": service.error_message,
    });
    let (ok, report) = script(&python, &["check", service.name], &doc.to_string());
    assert!(ok, "{report}");
    assert!(report.contains("0 failures"), "{report}");
}
