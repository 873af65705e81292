//! Every IAM input and output shape against botocore 1.44.8 itself: botocore's QuerySerializer
//! writes a sample input for each operation (every member set) that the generated decoder must
//! read back exactly, and botocore's QueryParser must read the generated XML of a sample output
//! back to the same value. Needs a Python with botocore (`RAMPART_PYTHON`, else `.venv`); the
//! test is skipped with a message when there is none.

#![allow(clippy::unwrap_used)]

use rampart_iam::generated::{self as iam, conformance, errors};
use rampart_wire::codec::xml::error_document;
use serde_json::{Map, Value, json};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::{Command, Stdio};

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

#[test]
fn every_shape_round_trips_through_botocore() {
    let Some(python) = python() else {
        eprintln!("skipped: no Python with botocore (set RAMPART_PYTHON or create .venv)");
        return;
    };
    let (ok, out) = script(&python, &["samples", "iam"], "");
    assert!(ok, "{out}");
    let samples: Value = serde_json::from_str(&out).unwrap();
    let mut outputs = Map::new();
    for (op, value) in samples["outputs"].as_object().unwrap() {
        let body = value.to_string();
        let xml = conformance::output_xml_from_json(op, body.as_bytes(), &format!("req-{op}"));
        let xml = xml.unwrap().unwrap_or_else(|e| panic!("{op}: {e}"));
        outputs.insert(op.clone(), Value::from(String::from_utf8(xml).unwrap()));
    }
    let mut inputs = Map::new();
    for (op, form) in samples["inputs"].as_object().unwrap() {
        let decoded = conformance::input_json_from_form(op, form.as_str().unwrap().as_bytes());
        let decoded = decoded.unwrap().unwrap_or_else(|e| panic!("{op}: {e}"));
        inputs.insert(op.clone(), serde_json::from_slice(&decoded).unwrap());
    }
    assert_eq!(outputs.len(), iam::OPERATIONS.len());
    let message = "User <bob> & \"co\" cannot be found.\r\n";
    let err = errors::no_such_entity_exception(message);
    let error_xml = error_document(&err, iam::XML_NAMESPACE, "req-error");
    let doc = json!({
        "outputs_xml": outputs, "inputs_json": inputs,
        "error_xml": String::from_utf8(error_xml).unwrap(), "error_status": err.status,
        "error_code": "NoSuchEntity", "error_message": message,
    });
    let (ok, report) = script(&python, &["check", "iam"], &doc.to_string());
    assert!(ok, "{report}");
    assert!(report.contains("0 failures"), "{report}");
}
