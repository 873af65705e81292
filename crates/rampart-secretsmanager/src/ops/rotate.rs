//! RotateSecret and CancelRotateSecret. RotateSecret stores the rotation function and rules,
//! turns rotation on and starts a rotation: all four steps, or with RotateImmediately=false
//! only testSecret (against an AWSPENDING copy of the current value), to check the configuration, with the first rotation in the next window.
//! The rotation itself runs in the rotation job (`rotation::runner`), from the due item
//! enqueued here. CancelRotateSecret turns rotation off and forgets the rotation in progress,
//! leaving the labels as they are (AWS: "it can leave the VersionStage labels in an unexpected
//! state"), and answers that rotation's version.

use crate::SecretsManagerService;
use crate::generated::errors::invalid_request_exception;
use crate::generated::{CancelRotateSecret, CancelRotateSecretRequest, CancelRotateSecretResponse};
use crate::generated::{RotateSecret, RotateSecretRequest, RotateSecretResponse, ServiceError};
use crate::ids::secret_id;
use crate::labels::{CURRENT, PENDING};
use crate::policy::authorize_secret;
use crate::record::SecretRecord;
use crate::rotation::events::{Occasion, RotationEvent, writes};
use crate::rotation::progress::next_window;
use crate::rotation::runner::{DueKind, enqueue};
use crate::rotation::schedule::{Schedule, rules_of};
use crate::rotation::state::{Progress, Rules};
use crate::service::marked_for_deletion;
use rampart_core::RequestContext;
use rampart_store::Write;

/// InvalidRequestException while a rotation is unfinished.
fn previous_rotation() -> ServiceError {
    invalid_request_exception(
        "A previous rotation isn't complete. That rotation will be reattempted.",
    )
}

/// Whether `r` has an unfinished rotation: one in progress, or AWSPENDING on a version that is
/// not AWSCURRENT.
pub(crate) fn unfinished(r: &SecretRecord) -> bool {
    let pending = r.staged(PENDING);
    r.rotation.in_progress.is_some()
        || pending.is_some_and(|v| !v.stages.iter().any(|s| s == CURRENT))
}

/// What one RotateSecret asks.
struct Request {
    lambda_arn: String,
    rules: Option<Rules>,
    token: String,
    immediately: bool,
}

impl SecretsManagerService {
    /// Applies `req` to `r` at `now`: the configuration, the rotation started, its events and
    /// due items.
    fn start_rotation(
        &self,
        ctx: &RequestContext,
        r: &mut SecretRecord,
        req: &Request,
        now: i64,
    ) -> Result<Vec<Write>, ServiceError> {
        if r.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        if is_retry(r, &req.token) {
            return Ok(vec![]);
        }
        if unfinished(r) {
            return Err(previous_rotation());
        }
        configure(r, req);
        let anchor = r.rotation.last_rotated_ms.unwrap_or(now);
        r.rotation.next = if req.immediately {
            None
        } else {
            next_window(r, anchor)
        };
        let progress = Progress::start(req.token.clone(), !req.immediately, now);
        let w = started(ctx, r, &progress, now);
        r.rotation.in_progress = Some(progress);
        r.last_changed_ms = now;
        Ok(w)
    }
}

/// The writes of rotation `progress` of `r` starting at `now`: its start event, its `Run`
/// item, and the item of the next window when one is set.
fn started(ctx: &RequestContext, r: &SecretRecord, progress: &Progress, now: i64) -> Vec<Write> {
    let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
    let event = if progress.test_only {
        RotationEvent::TestStarted
    } else {
        RotationEvent::Started
    };
    let at = Occasion {
        account,
        region,
        secret_arn: &r.arn,
        rotation_token: &progress.rotation_token,
        time_ms: now,
    };
    let mut w = writes(event, &at, None);
    let run = DueKind::Run {
        token: progress.token.clone(),
    };
    w.push(enqueue(account, region, r, run, now));
    if let Some(window) = r.rotation.next {
        let kind = DueKind::Scheduled {
            start_ms: window.start_ms,
        };
        w.push(enqueue(account, region, r, kind, window.start_ms));
    }
    w
}

/// Whether `token` already names this secret's rotation in progress or a version: a retry
/// of the same RotateSecret, answered without starting anything again (ClientRequestToken
/// idempotency).
fn is_retry(r: &SecretRecord, token: &str) -> bool {
    r.rotation
        .in_progress
        .as_ref()
        .is_some_and(|p| p.token == token)
        || r.version(token).is_some()
}

/// Turns rotation on with `req`'s function, and its rules when it has some.
fn configure(r: &mut SecretRecord, req: &Request) {
    let state = &mut r.rotation;
    state.enabled = true;
    state.lambda_arn = Some(req.lambda_arn.clone());
    if let Some(rules) = &req.rules {
        state.rules = Some(rules.clone());
    }
}

/// What `input` asks of `record`, validated: its rules, and a rotation function (given, or
/// the one stored).
fn request_of(input: RotateSecretRequest, record: &SecretRecord) -> Result<Request, ServiceError> {
    let rules = input.rotation_rules.as_ref().map(rules_of);
    if let Some(r) = &rules {
        Schedule::of(r)?;
    }
    let given = input.rotation_lambda_arn.filter(|a| !a.is_empty());
    // Doubt: AWS's exact wording when no rotation function is known is not documented;
    // this is the message other AWS emulations answer.
    let lambda_arn = given
        .or(record.rotation.lambda_arn.clone())
        .ok_or_else(|| {
            invalid_request_exception(
                "No Lambda rotation function ARN is associated with this secret.",
            )
        })?;
    Ok(Request {
        lambda_arn,
        rules,
        token: input
            .client_request_token
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        immediately: input.rotate_immediately.unwrap_or(true),
    })
}

impl RotateSecret for SecretsManagerService {
    async fn rotate_secret(
        &self,
        ctx: &RequestContext,
        input: RotateSecretRequest,
    ) -> Result<RotateSecretResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:RotateSecret", &record)?;
        if record.deleted_ms.is_some() {
            return Err(marked_for_deletion());
        }
        let req = request_of(input, &record)?;
        let now = self.now_ms();
        let record = self
            .mutate(ctx, &record.name, |r| {
                self.start_rotation(ctx, r, &req, now)
            })
            .await?;
        Ok(RotateSecretResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            version_id: Some(req.token),
        })
    }
}

impl CancelRotateSecret for SecretsManagerService {
    async fn cancel_rotate_secret(
        &self,
        ctx: &RequestContext,
        input: CancelRotateSecretRequest,
    ) -> Result<CancelRotateSecretResponse, ServiceError> {
        let record = self
            .resolve(ctx, secret_id(input.secret_id.as_deref())?)
            .await?
            .value;
        authorize_secret(ctx, "secretsmanager:CancelRotateSecret", &record)?;
        let now = self.now_ms();
        let cancelled = std::sync::Mutex::new(None);
        let record = self
            .mutate(ctx, &record.name, |r| {
                if r.deleted_ms.is_some() {
                    return Err(marked_for_deletion());
                }
                if let Ok(mut slot) = cancelled.lock() {
                    *slot = cancelled_version(r);
                }
                r.rotation.enabled = false;
                r.rotation.next = None;
                r.rotation.in_progress = None;
                r.last_changed_ms = now;
                Ok(vec![])
            })
            .await?;
        let version_id = cancelled.into_inner().ok().flatten();
        Ok(CancelRotateSecretResponse {
            arn: Some(record.arn),
            name: Some(record.name),
            version_id,
        })
    }
}

/// The version a cancelled rotation was making: the rotation in progress, else the version
/// AWSPENDING marks apart from AWSCURRENT.
fn cancelled_version(r: &SecretRecord) -> Option<String> {
    if let Some(p) = &r.rotation.in_progress {
        return Some(p.token.clone());
    }
    let pending = r.staged(PENDING)?;
    (!pending.stages.iter().any(|s| s == CURRENT)).then(|| pending.id.clone())
}

/// A new AWSCURRENT version `new_id` made by hand (PutSecretValue) while a rotation was
/// unfinished (checked by the caller with [`unfinished`] before adding it) abandons that rotation, as AWS does: AWSPENDING comes off the rotation's version
/// (so later rotations can start), the rotation in progress is forgotten, and
/// RotationAbandoned is recorded. The writes recording it.
pub(crate) fn abandon_on_manual_change(
    ctx: &RequestContext,
    r: &mut SecretRecord,
    new_id: &str,
    now: i64,
) -> Vec<Write> {
    let made_current = r
        .version(new_id)
        .is_some_and(|v| v.stages.iter().any(|s| s == CURRENT));
    if !made_current {
        return vec![];
    }
    let rotation_token = r
        .rotation
        .in_progress
        .take()
        .map_or_else(|| uuid::Uuid::new_v4().to_string(), |p| p.rotation_token);
    for v in r.versions.iter_mut().filter(|v| v.id != new_id) {
        v.stages.retain(|s| s != PENDING);
    }
    let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
    let at = Occasion {
        account,
        region,
        secret_arn: &r.arn,
        rotation_token: &rotation_token,
        time_ms: now,
    };
    writes(RotationEvent::Abandoned, &at, None)
}
