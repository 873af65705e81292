//! KMS requests another Rampart service makes on its caller's behalf (Parameter Store's
//! SecureString Encrypt and Decrypt, Secrets Manager's data keys): run with `kms:ViaService`
//! set, metered as KMS requests, and noted on the call's audit rider so that each becomes a
//! KMS audit event of its own (the caller's identity, `invokedBy` the calling service), failed
//! ones with their error code. The request's audit JSON is all that reaches the record: never
//! plaintexts or data keys.

use super::VIA_SERVICE;
use crate::KmsService;
use crate::domain::KmsError;
use crate::generated::{self as wire, KmsHandler};
use rampart_codec::{AuditParams, ServiceError};
use rampart_core::rider::{NestedCall, note_nested};
use rampart_core::{AuditResource, RequestContext};
use serde_json::{Map, Value};
use std::future::Future;
use std::sync::Arc;

/// A KMS operation another service may call on its caller's behalf: the request type names its
/// operation, and its facts for the audit record as the generated dispatcher has them.
pub trait ViaServiceCall: AuditParams + Send + Sized {
    /// The operation's response.
    type Output: AuditParams + Send;
    /// The operation's model name (`Decrypt`).
    const OPERATION: &'static str;
    /// CloudTrail `readOnly` of the operation.
    const READ_ONLY: bool;
    /// False for operations whose CloudTrail `responseElements` is always `null`.
    const AUDIT_RESPONSE: bool;

    /// Runs the operation as `ctx`'s caller.
    fn run<'a>(
        self,
        kms: &'a KmsService,
        ctx: &'a RequestContext,
    ) -> impl Future<Output = Result<Self::Output, KmsError>> + Send + 'a;

    /// Completes the request parameters as KMS logs them (after the call: `resources` are the
    /// keys it used). The default leaves them as the request had them.
    fn complete(params: &mut Map<String, Value>, resources: &[AuditResource]) {
        let _ = (params, resources);
    }
}

/// Implements [`ViaServiceCall`] for a request type, from the values of the generated
/// dispatcher's `OperationSpec`.
macro_rules! via_service_call {
    ($request:ident, $response:ident, $op:ident :: $method:ident, $read_only:literal, $audit:literal $(, $complete:path)?) => {
        impl ViaServiceCall for wire::$request {
            type Output = wire::$response;
            const OPERATION: &'static str = stringify!($op);
            const READ_ONLY: bool = $read_only;
            const AUDIT_RESPONSE: bool = $audit;

            fn run<'a>(
                self,
                kms: &'a KmsService,
                ctx: &'a RequestContext,
            ) -> impl Future<Output = Result<Self::Output, KmsError>> + Send + 'a {
                <KmsService as wire::$op>::$method(kms, ctx, self)
            }

            $(fn complete(params: &mut Map<String, Value>, resources: &[AuditResource]) {
                $complete(params, resources);
            })?
        }
    };
}

via_service_call!(
    EncryptRequest,
    EncryptResponse,
    Encrypt::encrypt,
    true,
    false,
    symmetric_default
);
via_service_call!(
    DecryptRequest,
    DecryptResponse,
    Decrypt::decrypt,
    true,
    false,
    decrypt_params
);
via_service_call!(
    GenerateDataKeyRequest,
    GenerateDataKeyResponse,
    GenerateDataKey::generate_data_key,
    true,
    false
);
via_service_call!(
    GenerateDataKeyWithoutPlaintextRequest,
    GenerateDataKeyWithoutPlaintextResponse,
    GenerateDataKeyWithoutPlaintext::generate_data_key_without_plaintext,
    true,
    false
);
via_service_call!(
    DescribeKeyRequest,
    DescribeKeyResponse,
    DescribeKey::describe_key,
    true,
    true
);
via_service_call!(
    CreateGrantRequest,
    CreateGrantResponse,
    CreateGrant::create_grant,
    false,
    true
);

/// Encrypt and Decrypt records always name the algorithm, `SYMMETRIC_DEFAULT` when the request
/// named none.
fn symmetric_default(params: &mut Map<String, Value>, _: &[AuditResource]) {
    params
        .entry("encryptionAlgorithm")
        .or_insert_with(|| Value::from("SYMMETRIC_DEFAULT"));
}

/// A Decrypt record names the algorithm and the key that decrypted (its ARN) even when the
/// request named neither: the key comes from the ciphertext.
fn decrypt_params(params: &mut Map<String, Value>, resources: &[AuditResource]) {
    symmetric_default(params, resources);
    if let Some(key) = resources.first() {
        params
            .entry("keyId")
            .or_insert_with(|| Value::from(key.arn.clone()));
    }
}

impl KmsService {
    /// Runs `request` — a KMS request another Rampart service (`service`, e.g. `ssm`) makes on
    /// behalf of the caller of `ctx` — with `kms:ViaService` set to
    /// `<service>.<region>.amazonaws.com` and `kms:GrantIsForAWSResource` true (this is how
    /// AWS-managed keys, `alias/aws/<service>`, become usable: their policy allows use only
    /// through their service). The request counts as a KMS request (usage metering) and becomes
    /// a KMS audit event of its own after the caller's call, failed or not; the keys it used
    /// stay among the resources of the caller's call as before. A caller makes its nested
    /// requests one at a time (its own resources are set aside while one runs).
    pub async fn via_service<R: ViaServiceCall>(
        &self,
        service: &str,
        ctx: &RequestContext,
        request: R,
    ) -> Result<R::Output, KmsError> {
        let mut params = request.audit_map();
        // The meter and the nested record see only the keys this request used.
        let outer = ctx.take_resources();
        let call = request.run(self, ctx);
        let outcome = VIA_SERVICE.scope(Arc::from(service), call).await;
        self.after_call(ctx, R::OPERATION, outcome.is_ok());
        let used = ctx.take_resources();
        for resource in outer.into_iter().chain(used.iter().cloned()) {
            ctx.note_resource(resource.arn, resource.resource_type);
        }
        R::complete(&mut params, &used);
        let (response_elements, error) = match &outcome {
            Ok(output) if R::AUDIT_RESPONSE => (output.audit_json(), None),
            Ok(_) => (None, None),
            Err(err) => {
                let wire = ServiceError::from(err.clone());
                (None, Some((wire.code.to_string(), wire.message)))
            }
        };
        note_nested(NestedCall {
            event_source: wire::EVENT_SOURCE,
            operation: R::OPERATION,
            invoked_by: format!("{service}.amazonaws.com"),
            request_parameters: (!params.is_empty()).then_some(Value::Object(params)),
            response_elements,
            error,
            read_only: R::READ_ONLY,
            resources: used,
        });
        outcome
    }
}
