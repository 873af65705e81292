//! Every served STS input and output shape against botocore itself (reading the pinned models in `xtask/models`) (the check shared
//! with IAM in `rampart-iam/tests/shared/botocore_conformance.rs`, with STS's hooks and a sample
//! `ExpiredTokenException`). Needs a Python with botocore (`RAMPART_PYTHON`, else `.venv`); the
//! test is skipped with a message when there is none.

#[path = "../../rampart-iam/tests/shared/botocore_conformance.rs"]
mod botocore;

use rampart_sts::generated::{self as sts, conformance, errors};

#[test]
fn every_shape_round_trips_through_botocore() {
    let message = "The token <t> & \"co\" expired.\r\n";
    botocore::every_shape_round_trips(&botocore::Service {
        name: "sts",
        namespace: sts::XML_NAMESPACE,
        operations: sts::SERVED.len(),
        output_xml_from_json: conformance::output_xml_from_json,
        input_json_from_form: conformance::input_json_from_form,
        error: errors::expired_token_exception(message),
        error_code: "ExpiredTokenException",
        error_message: message,
    });
}
