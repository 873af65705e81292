//! Helpers every IAM operation body shares: commit with cache invalidation, AWS's IAM error
//! messages, Marker/MaxItems pagination, tags, timestamps and policy-document checks.

use crate::IamService;
use crate::generated::errors;
use crate::generated::shapes::Tag;
use crate::records::TagRecord;
use rampart_codec::{ServiceError, Timestamp};
use rampart_core::rampart_policy::{Policy, PolicyKind, SizeLimit, check_size};
use rampart_store::{StoreError, Write, conflict_pause};

/// Attempts of a read-modify-write before answering `ConcurrentModification` (each conflict
/// is followed by a random pause of up to 10 ms).
pub(crate) const ATTEMPTS: usize = 20;

/// Most tags on a user, role or policy.
pub(crate) const MAX_TAGS: usize = 50;

impl IamService {
    /// Commits `writes` for the caller's account (with the generation bump) and drops cached
    /// caller policies. `Ok(false)`: a concurrent change to one of the written entities; after
    /// a short random pause, re-read and try again.
    pub(crate) async fn commit(
        &self,
        account: &str,
        writes: Vec<Write>,
    ) -> Result<bool, ServiceError> {
        let outcome = self.dir.tables.commit(account, writes).await;
        self.dir.invalidate();
        match outcome {
            Ok(()) => Ok(true),
            Err(StoreError::Conflict { .. }) => {
                conflict_pause().await;
                Ok(false)
            }
            Err(err) => Err(store_failure(err)),
        }
    }

    /// Now as an IAM timestamp.
    pub(crate) fn now_ms(&self) -> i64 {
        self.dir.now_ms()
    }
}

/// A storage failure: logged, answered as IAM's `ServiceFailure` (500).
pub(crate) fn store_failure(err: impl std::fmt::Display) -> ServiceError {
    tracing::error!(error = %err, "IAM storage failure");
    errors::service_failure_exception("Request processing has failed due to an internal error.")
}

/// `ConcurrentModification` after too many conflicting attempts.
pub(crate) fn too_busy() -> ServiceError {
    errors::concurrent_modification_exception(
        "Rate exceeded: the entity was modified concurrently; retry the request.",
    )
}

/// `NoSuchEntity`: "The <kind> with name <name> cannot be found."
pub(crate) fn no_such(kind: &str, name: &str) -> ServiceError {
    errors::no_such_entity_exception(format!("The {kind} with name {name} cannot be found."))
}

/// `EntityAlreadyExists`: "<Kind> with name <name> already exists."
pub(crate) fn already_exists(kind: &str, name: &str) -> ServiceError {
    errors::entity_already_exists_exception(format!("{kind} with name {name} already exists."))
}

/// A required member (the codec enforces presence; this keeps bodies total).
pub(crate) fn required<T>(value: Option<T>, member: &str) -> Result<T, ServiceError> {
    rampart_codec::required(value, member, |m| {
        ServiceError::new("ValidationError", 400, m)
    })
}

/// Epoch milliseconds as a wire timestamp.
pub(crate) fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from_epoch_millis(ms)
}

/// One page of a list: the items, whether more follow and the Marker that fetches them.
pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub is_truncated: bool,
    pub marker: Option<String>,
}

/// Pages `items` (already in AWS's order) by `key`: Marker is the key of the last item
/// returned (opaque to clients), MaxItems 1..=1000 defaults to 100.
pub(crate) fn page<T>(
    items: Vec<T>,
    marker: Option<&str>,
    max_items: Option<i32>,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, ServiceError> {
    let max = usize::try_from(max_items.unwrap_or(100))
        .unwrap_or(100)
        .clamp(1, 1000);
    let start = match marker {
        None => 0,
        Some(m) => match items.iter().position(|i| key(i).as_str() > m) {
            Some(p) => p,
            None if items.iter().any(|i| key(i) == m) || !items.is_empty() => items.len(),
            None => 0,
        },
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let is_truncated = rest.len() > max;
    rest.truncate(max);
    let marker = if is_truncated {
        rest.last().map(&key)
    } else {
        None
    };
    Ok(Page {
        items: rest,
        is_truncated,
        marker,
    })
}

/// Tags from the wire, checked: at most [`MAX_TAGS`] (counting `existing`), no duplicate
/// keys (case-insensitive).
pub(crate) fn tags_in(
    given: Option<Vec<Tag>>,
    existing: &[TagRecord],
) -> Result<Vec<TagRecord>, ServiceError> {
    let mut out: Vec<TagRecord> = existing.to_vec();
    let mut seen: Vec<String> = Vec::new();
    for tag in given.unwrap_or_default() {
        let key = tag.key.unwrap_or_default();
        let lower = key.to_ascii_lowercase();
        if seen.contains(&lower) {
            return Err(errors::invalid_input_exception(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        seen.push(lower);
        out.retain(|t| !t.key.eq_ignore_ascii_case(&key));
        out.push(TagRecord {
            key,
            value: tag.value.unwrap_or_default(),
        });
    }
    if out.len() > MAX_TAGS {
        return Err(errors::limit_exceeded_exception(format!(
            "The number of tags has reached the maximum limit of {MAX_TAGS}."
        )));
    }
    Ok(out)
}

/// Tags for the wire (`None` when there are none, as IAM omits the element).
pub(crate) fn tags_out(tags: &[TagRecord]) -> Option<Vec<Tag>> {
    if tags.is_empty() {
        return None;
    }
    Some(
        tags.iter()
            .map(|t| Tag {
                key: Some(t.key.clone()),
                value: Some(t.value.clone()),
            })
            .collect(),
    )
}

/// Validates a policy document of `kind` against IAM's grammar and the `limit` quota;
/// AWS's `MalformedPolicyDocument` / `LimitExceeded` otherwise.
pub(crate) fn check_document(
    document: &str,
    kind: PolicyKind,
    limit: SizeLimit,
) -> Result<Policy, ServiceError> {
    check_size(document, limit).map_err(policy_error)?;
    Policy::parse(document, kind).map_err(policy_error)
}

fn policy_error(err: rampart_core::rampart_policy::PolicyError) -> ServiceError {
    match err.code {
        "LimitExceeded" => errors::limit_exceeded_exception(err.message),
        _ => errors::malformed_policy_document_exception(err.message),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn pages_follow_markers_to_the_end() {
        let items: Vec<String> = (0..5).map(|i| format!("k{i}")).collect();
        let first = page(items.clone(), None, Some(2), Clone::clone).unwrap();
        assert_eq!(first.items, ["k0", "k1"]);
        assert!(first.is_truncated);
        let second = page(
            items.clone(),
            first.marker.as_deref(),
            Some(2),
            Clone::clone,
        )
        .unwrap();
        assert_eq!(second.items, ["k2", "k3"]);
        let last = page(items, second.marker.as_deref(), Some(2), Clone::clone).unwrap();
        assert_eq!(last.items, ["k4"]);
        assert!(!last.is_truncated && last.marker.is_none());
    }
}
