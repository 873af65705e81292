//! Every served IAM input and output shape against botocore itself (reading the pinned models in `xtask/models`) (the shared check in
//! `shared/botocore_conformance.rs`, with IAM's hooks and a sample `NoSuchEntity` error).
//! Needs a Python with botocore (`RAMPART_PYTHON`, else `.venv`); the test is skipped with a
//! message when there is none.

#[path = "shared/botocore_conformance.rs"]
mod botocore;

use rampart_iam::generated::{self as iam, conformance, errors};

#[test]
fn every_shape_round_trips_through_botocore() {
    let message = "User <bob> & \"co\" cannot be found.\r\n";
    botocore::every_shape_round_trips(&botocore::Service {
        name: "iam",
        namespace: iam::XML_NAMESPACE,
        operations: iam::SERVED.len(),
        output_xml_from_json: conformance::output_xml_from_json,
        input_json_from_form: conformance::input_json_from_form,
        error: errors::no_such_entity_exception(message),
        error_code: "NoSuchEntity",
        error_message: message,
    });
}
