//! A configuration test (RotateImmediately=false) runs testSecret against an AWSPENDING
//! version that Secrets Manager itself makes and removes again (AWS: "The test creates an
//! AWSPENDING version of the secret and then removes it"): a copy of the AWSCURRENT value
//! under the rotation's token, sealed as every version is, its label taken off when the test
//! ends (the version is then deprecated).

use super::StepFailure;
use super::runner::Due;
use crate::SecretsManagerService;
use crate::generated::ServiceError;
use crate::labels::{CURRENT, PENDING};
use crate::ops::version::{Outcome, Value};
use crate::record::SecretRecord;
use rampart_core::RequestContext;

fn failed(e: ServiceError) -> StepFailure {
    StepFailure(format!(
        "preparing the test version: {}: {}",
        e.code, e.message
    ))
}

impl SecretsManagerService {
    /// Makes the AWSPENDING version `token` of `record` the test checks, unless it exists.
    pub(super) async fn prepare_test_version(
        &self,
        due: &Due,
        ctx: &RequestContext,
        record: &SecretRecord,
        token: &str,
    ) -> Result<(), StepFailure> {
        if record.version(token).is_some() {
            return Ok(());
        }
        let current = record
            .staged(CURRENT)
            .ok_or_else(|| StepFailure("the secret has no AWSCURRENT version".into()))?;
        let sealed = self
            .value_of(&record.arn, &current.id)
            .await
            .map_err(failed)?;
        let bytes = self
            .open(ctx, &record.arn, &current.id, &sealed)
            .await
            .map_err(failed)?;
        let value = Value {
            bytes,
            binary: current.binary,
        };
        let key = record.kms_key_id.clone();
        let outcome = self
            .version_for(ctx, record, token, &value, key.as_deref())
            .await;
        let Outcome::New(version) = outcome.map_err(failed)? else {
            return Ok(());
        };
        let now = self.now_ms();
        let stages = [PENDING.to_owned()];
        self.mutate_at(&due.account, &due.region, &due.name, |r| {
            self.add_new(r, &version, &stages, now)
        })
        .await
        .map_err(failed)?;
        Ok(())
    }
}

/// Takes AWSPENDING off the test version `token` of `r`.
pub fn remove_test_version(r: &mut SecretRecord, token: &str) {
    if let Some(v) = r.versions.iter_mut().find(|v| v.id == token) {
        v.stages.retain(|s| s != PENDING);
    }
}
