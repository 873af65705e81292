//! What creating a version shares across CreateSecret, PutSecretValue and UpdateSecret: the
//! value of a request, ClientRequestToken idempotency (the same token with the same value
//! answers the existing version; with another value, ResourceExistsException) and sealing.

use crate::SecretsManagerService;
use crate::generated::errors::{invalid_parameter_exception, resource_exists_exception};
use crate::generated::{Blob, ServiceError};
use crate::record::{SecretRecord, VersionRecord};
use rampart_core::RequestContext;
use zeroize::Zeroizing;

/// A secret value from a request.
pub struct Value {
    pub bytes: Zeroizing<Vec<u8>>,
    pub binary: bool,
}

impl Value {
    /// The value of a request naming SecretString and/or SecretBinary; `None` when neither.
    pub fn of(string: Option<String>, binary: Option<Blob>) -> Result<Option<Value>, ServiceError> {
        match (string, binary) {
            (Some(_), Some(_)) => Err(invalid_parameter_exception(
                "You can't specify both a binary secret value and a string secret value in the \
                 same secret.",
            )),
            (Some(s), None) => Ok(Some(Value {
                bytes: Zeroizing::new(s.into_bytes()),
                binary: false,
            })),
            (None, Some(b)) => Ok(Some(Value {
                bytes: Zeroizing::new(b.into_inner()),
                binary: true,
            })),
            (None, None) => Ok(None),
        }
    }
}

/// The token of a request, or a fresh one (SDKs fill it in; other clients may not).
pub fn token(given: Option<String>) -> String {
    given.unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// How a version request resolves.
pub enum Outcome {
    /// The token names an existing version holding the same value: nothing to do.
    Existing,
    /// A new version to add.
    New(VersionRecord),
}

impl SecretsManagerService {
    /// Checks `token` against `record`'s versions and seals `value` as a new version if the
    /// token is new.
    pub(crate) async fn version_for(
        &self,
        ctx: &RequestContext,
        record: &SecretRecord,
        token: &str,
        value: &Value,
        key_id: Option<&str>,
    ) -> Result<Outcome, ServiceError> {
        if let Some(existing) = record.version(token) {
            let stored = self.open(ctx, &record.arn, existing).await?;
            if existing.binary == value.binary && *stored == *value.bytes {
                return Ok(Outcome::Existing);
            }
            return Err(resource_exists_exception(
                "You can't modify an existing version, you can only create a new version.",
            ));
        }
        let sealed = self
            .seal(ctx, key_id, &record.arn, token, &value.bytes)
            .await?;
        Ok(Outcome::New(VersionRecord {
            id: token.to_owned(),
            stages: vec![],
            created_ms: self.now_ms(),
            last_accessed_ms: None,
            key_arn: sealed.key_arn,
            sealed: sealed.sealed,
            binary: value.binary,
            earlier: vec![],
        }))
    }
}
