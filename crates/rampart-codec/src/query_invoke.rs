//! Running one AWS query protocol operation: decode the parameters, audit, validate, call the
//! handler and write the XML response; plus the query protocol's own error codes.

use super::xml::{ToXml, response_document};
use super::{
    AuditParams, FromQuery, Invocation, QueryNode, ServiceError, Validate, deserialize_input,
    encode_output, validate_input,
};
use crate::invocation::run_steps;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// Static facts about one query operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryOperationSpec {
    /// Operation name (the `Action` parameter).
    pub name: &'static str,
    /// CloudTrail `readOnly`.
    pub read_only: bool,
    /// False for operations whose CloudTrail `responseElements` is always `null`.
    pub audit_response: bool,
    /// The model's `resultWrapper` (`CreateUserResult`); `None` for operations without output.
    pub result_wrapper: Option<&'static str>,
}

/// Where the response goes: the service's XML namespace and the request id it reports.
#[derive(Debug, Clone, Copy)]
pub struct QueryEnv<'a> {
    /// The model's `xmlNamespace`.
    pub namespace: &'a str,
    /// The request id written in `ResponseMetadata`.
    pub request_id: &'a str,
}

/// Decodes the input from `params`, records its audit JSON, validates it (failures answer
/// `ValidationError` with the AWS message), runs `call` and writes the XML response.
pub async fn invoke_query<I, O, F, Fut>(
    spec: QueryOperationSpec,
    env: QueryEnv<'_>,
    params: &QueryNode,
    call: F,
) -> Invocation
where
    I: FromQuery + Validate + AuditParams,
    O: ToXml + AuditParams,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let mut inv = Invocation::started(spec.name, spec.read_only);
    let checks = |input: &I| validate_input(input).map_err(validation_error);
    let encode = |output: &O| {
        let (wrapper, request_id) = (spec.result_wrapper, env.request_id);
        Ok(response_document(
            spec.name,
            env.namespace,
            wrapper,
            output,
            request_id,
        ))
    };
    let decoded = I::from_query(params, "");
    let result = run_steps(&mut inv, spec.audit_response, decoded, checks, call, encode);
    inv.result = result.await;
    inv
}

/// The query protocol's name for a failed model constraint: `ValidationError` (400), same message.
pub fn validation_error(err: ServiceError) -> ServiceError {
    if err.code == "ValidationException" {
        ServiceError::new("ValidationError", err.status, err.message)
    } else {
        err
    }
}

/// `UnsupportedOperation` (400) for a query operation Rampart does not implement yet.
pub fn unsupported_operation(service: &str, operation: &str) -> ServiceError {
    ServiceError::new(
        "UnsupportedOperation",
        400,
        format!("Rampart does not implement {service} operation {operation} yet."),
    )
}

/// `InvalidAction` (400): no `Action`, or one the service (at this API version) does not have.
pub fn invalid_action(action: Option<&str>, version: &str) -> ServiceError {
    let message = match action {
        Some(a) if !a.is_empty() => {
            let shown: String = a.chars().take(128).collect();
            format!("Could not find operation {shown} for version {version}")
        }
        _ => String::from(
            "The action or operation requested is invalid. Verify that the action is typed correctly.",
        ),
    };
    ServiceError::new("InvalidAction", 400, message)
}

/// The invocation for an `Action` the dispatcher does not know.
pub fn unknown_action(action: &str, version: &str) -> Invocation {
    Invocation {
        result: Err(invalid_action(Some(action), version)),
        ..Invocation::started("Unknown", false)
    }
}

/// Conformance support for generated code (not the request path): the response document of
/// `action` for an output given as AWS JSON with model member names (base64 blobs, epoch
/// timestamps), so tests can check every output shape against botocore's `QueryParser`.
pub fn output_xml_from_json<T: DeserializeOwned + ToXml>(
    action: &str,
    result_wrapper: Option<&str>,
    env: QueryEnv<'_>,
    output_json: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    let output: T = deserialize_input(output_json)?;
    Ok(response_document(
        action,
        env.namespace,
        result_wrapper,
        &output,
        env.request_id,
    ))
}

/// Conformance support for generated code: decodes a form (as botocore's `QuerySerializer`
/// writes it) into the input type and answers that input as AWS JSON, without validation.
pub fn input_json_from_form<T: FromQuery + Serialize>(
    form: &[u8],
) -> Result<Vec<u8>, ServiceError> {
    let input = T::from_query(&QueryNode::parse_form(form), "")?;
    encode_output(&input)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::xml::XmlWriter;
    use crate::{Field, ValidationErrors, put, query};
    use serde_json::{Map, Value, json};

    #[derive(Debug, Default)]
    struct Req {
        user_name: Option<String>,
    }

    impl FromQuery for Req {
        fn from_query(node: &QueryNode, _path: &str) -> Result<Self, ServiceError> {
            Ok(Self {
                user_name: query::string(node.get("UserName")),
            })
        }
    }

    impl Validate for Req {
        fn validate(&self, path: &str, errs: &mut ValidationErrors) {
            if self.user_name.is_none() {
                errs.missing(&Field::new(path, "userName", false));
            }
        }
    }

    impl AuditParams for Req {
        fn audit_map(&self) -> Map<String, Value> {
            let mut m = Map::new();
            put(&mut m, "userName", &self.user_name);
            m
        }
    }

    impl ToXml for Req {
        fn write_xml(&self, w: &mut XmlWriter) {
            w.scalar("UserName", self.user_name.as_ref());
        }
    }

    const SPEC: QueryOperationSpec = QueryOperationSpec {
        name: "GetUser",
        read_only: true,
        audit_response: true,
        result_wrapper: Some("GetUserResult"),
    };

    const ENV: QueryEnv<'static> = QueryEnv {
        namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
        request_id: "rid-1",
    };

    fn run<T>(fut: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fut)
    }

    #[test]
    fn success_writes_the_wrapped_result_and_audits() {
        let params = QueryNode::parse_form(b"Action=GetUser&UserName=a%26b");
        let inv = run(invoke_query(SPEC, ENV, &params, |r: Req| async move {
            Ok::<_, ServiceError>(r)
        }));
        let xml = String::from_utf8(inv.result.unwrap()).unwrap();
        assert_eq!(
            xml,
            "<GetUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <GetUserResult><UserName>a&amp;b</UserName></GetUserResult>\
             <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></GetUserResponse>"
        );
        assert_eq!(inv.request_parameters, Some(json!({"userName": "a&b"})));
        assert_eq!(inv.response_elements, Some(json!({"userName": "a&b"})));
        assert!(inv.read_only);
    }

    #[test]
    fn validation_failures_answer_validation_error() {
        let inv = run(invoke_query(
            SPEC,
            ENV,
            &QueryNode::default(),
            |r: Req| async move { Ok::<_, ServiceError>(r) },
        ));
        let err = inv.result.unwrap_err();
        assert_eq!((err.code.as_ref(), err.status), ("ValidationError", 400));
        assert!(err.message.ends_with(
            "Value null at 'userName' failed to satisfy constraint: Member must not be null"
        ));
    }

    #[test]
    fn outputs_without_wrapper_write_only_metadata() {
        let spec = QueryOperationSpec {
            name: "DeleteUser",
            result_wrapper: None,
            ..SPEC
        };
        let params = QueryNode::parse_form(b"UserName=x");
        let inv = run(invoke_query(spec, ENV, &params, |_: Req| {
            crate::unit(async { Ok(()) })
        }));
        let xml = String::from_utf8(inv.result.unwrap()).unwrap();
        assert_eq!(
            xml,
            "<DeleteUserResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\
             <ResponseMetadata><RequestId>rid-1</RequestId></ResponseMetadata></DeleteUserResponse>"
        );
    }

    #[test]
    fn protocol_errors() {
        let e = unsupported_operation("IAM", "ListUsers");
        assert_eq!((e.code.as_ref(), e.status), ("UnsupportedOperation", 400));
        assert_eq!(
            e.message,
            "Rampart does not implement IAM operation ListUsers yet."
        );
        let e = invalid_action(Some("Nope"), "2010-05-08");
        assert_eq!((e.code.as_ref(), e.status), ("InvalidAction", 400));
        assert_eq!(
            e.message,
            "Could not find operation Nope for version 2010-05-08"
        );
        assert!(
            invalid_action(None, "v")
                .message
                .starts_with("The action or operation")
        );
        let inv = unknown_action("Nope", "2011-06-15");
        assert_eq!(inv.result.unwrap_err().code, "InvalidAction");
        let e = validation_error(ServiceError::internal());
        assert_eq!(e.code, "InternalFailure");
    }
}
