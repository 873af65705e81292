//! What creating a version shares across CreateSecret, PutSecretValue and UpdateSecret: the
//! value of a request, ClientRequestToken idempotency (the same token with the same value
//! answers the existing version; with another value, ResourceExistsException) and sealing.

use crate::SecretsManagerService;
use crate::generated::errors::{invalid_parameter_exception, resource_exists_exception};
use crate::generated::{Blob, ServiceError};
use crate::labels::add_version;
use crate::record::{SecretRecord, ValueRecord, VersionRecord};
use rampart_core::RequestContext;
use rampart_store::{Expect, Write};
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
    /// A new version to add, with its sealed value.
    New(NewVersion),
}

/// A new version and its sealed value (stored together, the value in a row of its own).
#[derive(Clone)]
pub struct NewVersion {
    pub version: VersionRecord,
    pub value: ValueRecord,
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
            let sealed = self.value_of(&record.arn, token).await?;
            let stored = self.open(ctx, &record.arn, token, &sealed).await?;
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
        Ok(Outcome::New(NewVersion {
            version: VersionRecord {
                id: token.to_owned(),
                stages: vec![],
                created_ms: self.now_ms(),
                last_accessed_ms: None,
                key_arn: sealed.key_arn.clone(),
                binary: value.binary,
                earlier_keys: vec![],
            },
            value: ValueRecord {
                key_arn: sealed.key_arn,
                sealed: sealed.sealed,
                earlier: vec![],
            },
        }))
    }
}

impl SecretsManagerService {
    /// Adds `new` with `stages` to `r` (unless `r` has a version of its id already, as after a
    /// racing call); the write storing its value, for the transaction writing `r`.
    pub(crate) fn add_new(
        &self,
        r: &mut SecretRecord,
        new: &NewVersion,
        stages: &[String],
        now_ms: i64,
    ) -> Result<Vec<Write>, ServiceError> {
        if r.version(&new.version.id).is_some() {
            return Ok(vec![]);
        }
        add_version(r, new.version.clone(), stages, now_ms)?;
        let put = self.put_value(&r.arn, &new.version.id, &new.value, Expect::Absent)?;
        Ok(vec![put])
    }
}
