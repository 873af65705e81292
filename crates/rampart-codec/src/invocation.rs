//! `Invocation`: what a generated dispatcher hands back to the server for one call.

use super::{
    AuditParams, Empty, ServiceError, Validate, deserialize_input, encode_output, validate_input,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

/// The outcome of one operation call, with what the audit record needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// Operation name (`Encrypt`), or `Unknown` when the target named none.
    pub operation: &'static str,
    /// The encoded output body, or the error to render.
    pub result: Result<Vec<u8>, ServiceError>,
    /// CloudTrail `requestParameters`: the input's audit JSON, when the input could be decoded.
    pub request_parameters: Option<serde_json::Value>,
    /// CloudTrail `responseElements`: the output's audit JSON, unless the operation hides it.
    pub response_elements: Option<serde_json::Value>,
    /// True for operations CloudTrail marks `readOnly`.
    pub read_only: bool,
    /// The event id of the call's intent audit record, when one committed with the call's
    /// first write (see `rampart_core::rider`): the final record carries the same id.
    pub intent_event_id: Option<String>,
    /// The calls the service made to another on the caller's behalf while serving this one
    /// (see `rampart_core::rider::note_nested`): each audited as an event of its own.
    pub nested: Vec<rampart_core::rider::NestedCall>,
}

impl AsMut<Invocation> for Invocation {
    fn as_mut(&mut self) -> &mut Invocation {
        self
    }
}

impl Invocation {
    /// A call of `operation` that has not run yet: no parameters, an empty success body.
    pub fn started(operation: &'static str, read_only: bool) -> Self {
        Self {
            operation,
            result: Ok(Vec::new()),
            request_parameters: None,
            response_elements: None,
            read_only,
            intent_event_id: None,
            nested: Vec::new(),
        }
    }

    /// The target named no operation of the service.
    pub fn unknown_operation() -> Self {
        Self::not_served("Unknown", false, ServiceError::unknown_operation())
    }

    /// A model operation the service does not serve: answered with `error` (the protocol's
    /// not-implemented error) without reading the request, so there are no request parameters.
    pub fn not_served(operation: &'static str, read_only: bool, error: ServiceError) -> Self {
        Self {
            result: Err(error),
            ..Self::started(operation, read_only)
        }
    }
}

/// Static facts about one operation, emitted by the generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationSpec {
    /// Operation name.
    pub name: &'static str,
    /// CloudTrail `readOnly`.
    pub read_only: bool,
    /// False for operations whose CloudTrail `responseElements` is always `null`.
    pub audit_response: bool,
}

/// Decodes the input, records its audit JSON, validates it, runs `call` and encodes the output.
pub async fn invoke<I, O, F, Fut>(spec: OperationSpec, body: &[u8], call: F) -> Invocation
where
    I: DeserializeOwned + Validate + AuditParams,
    O: Serialize + AuditParams,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    invoke_checked(spec, body, |_: &I| Ok(()), call).await
}

/// [`invoke`] for an operation the service checks itself before model validation: `check`
/// runs on the decoded input (after its audit JSON is recorded); its error is the answer.
pub async fn invoke_checked<I, O, C, F, Fut>(
    spec: OperationSpec,
    body: &[u8],
    check: C,
    call: F,
) -> Invocation
where
    I: DeserializeOwned + Validate + AuditParams,
    O: Serialize + AuditParams,
    C: FnOnce(&I) -> Result<(), ServiceError>,
    F: FnOnce(I) -> Fut,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let mut inv = Invocation::started(spec.name, spec.read_only);
    let checks = |input: &I| check(input).and_then(|()| validate_input(input));
    let decoded = deserialize_input(body);
    let result = run_steps(
        &mut inv,
        spec.audit_response,
        decoded,
        checks,
        call,
        encode_output,
    );
    inv.result = result.await;
    inv
}

/// The steps every protocol's invoker shares, in AWS's order: the decoding error, else the
/// input's audit JSON is recorded, `checks` run (model validation and any service precheck),
/// the audit rider learns the parameters of a call that is not read-only, `call` runs, the output's audit JSON is recorded (when `audit_response`) and `encode`
/// writes it.
pub(crate) async fn run_steps<I, O, R, Fut>(
    inv: &mut Invocation,
    audit_response: bool,
    decoded: Result<I, ServiceError>,
    checks: impl FnOnce(&I) -> Result<(), ServiceError>,
    call: impl FnOnce(I) -> Fut,
    encode: impl FnOnce(&O) -> Result<R, ServiceError>,
) -> Result<R, ServiceError>
where
    I: AuditParams,
    O: AuditParams,
    Fut: Future<Output = Result<O, ServiceError>>,
{
    let input = decoded?;
    inv.request_parameters = input.audit_json();
    checks(&input)?;
    if !inv.read_only {
        // The call may change state: its intent record rides on its first write.
        rampart_core::rider::note_parameters(inv.operation, inv.request_parameters.as_ref());
    }
    let output = call(input).await?;
    if audit_response {
        inv.response_elements = output.audit_json();
    }
    encode(&output)
}

/// Runs a handler's `call`, tells `after` whether it succeeded, and converts its error to the
/// AWS error (generated dispatchers wrap every handler call in it). `call` makes the handler's
/// future here, so it is held once, in this future's state.
pub async fn answer<O, E, F, Fut>(call: F, after: impl FnOnce(bool)) -> Result<O, ServiceError>
where
    E: Into<ServiceError>,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<O, E>>,
{
    let outcome = call().await;
    after(outcome.is_ok());
    outcome.map_err(Into::into)
}

/// Adapts a handler of an operation without output to answer `{}`.
pub async fn unit<F: Future<Output = Result<(), ServiceError>>>(
    f: F,
) -> Result<Empty, ServiceError> {
    f.await.map(|()| Empty)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::{Field, ValidationErrors, put};
    use serde::Deserialize;
    use serde_json::{Map, Value, json};

    #[derive(Debug, Default, Deserialize, Serialize)]
    #[serde(deny_unknown_fields)]
    struct Req {
        #[serde(rename = "KeyId", default, skip_serializing_if = "Option::is_none")]
        key_id: Option<String>,
    }

    impl Validate for Req {
        fn validate(&self, path: &str, errs: &mut ValidationErrors) {
            if self.key_id.is_none() {
                errs.missing(&Field::new(path, "keyId", false));
            }
        }
    }

    impl AuditParams for Req {
        fn audit_map(&self) -> Map<String, Value> {
            let mut m = Map::new();
            put(&mut m, "keyId", &self.key_id);
            m
        }
    }

    const SPEC: OperationSpec = OperationSpec {
        name: "DescribeKey",
        read_only: true,
        audit_response: true,
    };

    fn run<T>(fut: impl Future<Output = T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(fut)
    }

    #[test]
    fn success_records_request_and_response() {
        let inv = run(invoke(SPEC, br#"{"KeyId":"k"}"#, |r: Req| async move {
            Ok::<_, ServiceError>(Req {
                key_id: r.key_id.map(|k| k + "!"),
            })
        }));
        assert_eq!(inv.operation, "DescribeKey");
        assert!(inv.read_only);
        assert_eq!(inv.result.unwrap(), br#"{"KeyId":"k!"}"#);
        assert_eq!(inv.request_parameters, Some(json!({"keyId": "k"})));
        assert_eq!(inv.response_elements, Some(json!({"keyId": "k!"})));
    }

    #[test]
    fn hidden_responses_and_handler_errors() {
        let spec = OperationSpec {
            audit_response: false,
            ..SPEC
        };
        let inv = run(invoke(spec, br#"{"KeyId":"k"}"#, |r: Req| async move {
            Ok::<_, ServiceError>(r)
        }));
        assert_eq!(inv.response_elements, None);
        let inv = run(invoke(SPEC, br#"{"KeyId":"k"}"#, |_: Req| async move {
            Err::<Req, _>(ServiceError::new("NotFoundException", 400, "gone"))
        }));
        assert_eq!(inv.result.unwrap_err().code, "NotFoundException");
        assert_eq!(inv.request_parameters, Some(json!({"keyId": "k"})));
    }

    #[test]
    fn validation_and_serialization_failures_skip_the_handler() {
        let inv = run(invoke(SPEC, b"{}", |_: Req| async move {
            panic!("handler must not run");
            #[allow(unreachable_code)]
            Ok::<Req, ServiceError>(Req::default())
        }));
        assert_eq!(inv.result.unwrap_err().code, "ValidationException");
        assert_eq!(inv.request_parameters, None);
        let inv = run(invoke(SPEC, b"[", |r: Req| async move {
            Ok::<_, ServiceError>(r)
        }));
        assert_eq!(inv.result.unwrap_err().code, "SerializationException");
    }

    #[test]
    fn checks_run_before_validation_and_answer_alone() {
        let refuse = |_: &Req| Err(ServiceError::new("InvalidThing", 400, "no"));
        let inv = run(invoke_checked(
            SPEC,
            br#"{"KeyId":"k"}"#,
            refuse,
            |_: Req| async move {
                panic!("handler must not run");
                #[allow(unreachable_code)]
                Ok::<Req, ServiceError>(Req::default())
            },
        ));
        assert_eq!(inv.result.unwrap_err().code, "InvalidThing");
        assert_eq!(inv.request_parameters, Some(json!({"keyId": "k"})));
        let pass = |_: &Req| Ok(());
        let inv = run(invoke_checked(SPEC, b"{}", pass, |r: Req| async move {
            Ok::<_, ServiceError>(r)
        }));
        assert_eq!(inv.result.unwrap_err().code, "ValidationException");
    }

    /// What the handler of `spec` sees of the audit rider: the intent entry it would commit.
    fn intent_seen_by_handler(spec: OperationSpec) -> Option<String> {
        use rampart_core::rider::{AuditRider, take_intent};
        let encode = |op: &str, p: Option<&Value>| format!("{op} {}", p.unwrap()).into_bytes();
        let rider = AuditRider::new("audit", "e".into(), Box::new(encode));
        let seen = std::sync::Mutex::new(None);
        run(rider.scope(invoke(spec, br#"{"KeyId":"k"}"#, |r: Req| {
            *seen.lock().unwrap() = take_intent().map(|(_, e)| String::from_utf8(e).unwrap());
            async move { Ok::<_, ServiceError>(r) }
        })));
        seen.into_inner().unwrap()
    }

    #[test]
    fn the_rider_learns_the_parameters_of_calls_that_change_state() {
        let write = OperationSpec {
            name: "ScheduleKeyDeletion",
            read_only: false,
            ..SPEC
        };
        let seen = intent_seen_by_handler(write);
        assert_eq!(
            seen.as_deref(),
            Some(r#"ScheduleKeyDeletion {"keyId":"k"}"#)
        );
        assert_eq!(
            intent_seen_by_handler(SPEC),
            None,
            "read-only calls have no intent"
        );
    }

    #[test]
    fn answer_reports_the_outcome_and_converts_the_error() {
        struct Domain;
        impl From<Domain> for ServiceError {
            fn from(_: Domain) -> Self {
                ServiceError::new("DomainError", 409, "d")
            }
        }
        let mut seen = Vec::new();
        let ok = run(answer(|| async { Ok::<_, Domain>(1) }, |ok| seen.push(ok)));
        assert_eq!(ok, Ok(1));
        let err = run(answer(
            || async { Err::<i32, _>(Domain) },
            |ok| seen.push(ok),
        ));
        assert_eq!(err.unwrap_err().code, "DomainError");
        assert_eq!(seen, [true, false]);
    }

    #[test]
    fn unit_outputs_answer_empty_object() {
        let inv = run(invoke(SPEC, br#"{"KeyId":"k"}"#, |_: Req| {
            unit(async { Ok(()) })
        }));
        assert_eq!(inv.result.unwrap(), b"{}");
        assert_eq!(inv.response_elements, None);
        let unknown = Invocation::unknown_operation();
        assert_eq!(unknown.operation, "Unknown");
        assert_eq!(
            unknown.result.unwrap_err().code,
            "UnknownOperationException"
        );
    }
}
