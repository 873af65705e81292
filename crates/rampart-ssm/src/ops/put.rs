//! PutParameter: a new parameter, or (with Overwrite) a new version of one, with AWS's checks
//! on type, key, data type, allowed pattern, policies, tier and the 100-version history.

use super::{CAS_ATTEMPTS, policies, tags, tier};
use crate::SsmService;
use crate::events::{Change, change_event};
use crate::generated::errors::{
    invalid_allowed_pattern_exception, parameter_already_exists,
    parameter_max_version_limit_exceeded, parameter_pattern_mismatch_exception, too_many_updates,
};
use crate::generated::{ParameterTier, PutParameter, PutParameterRequest, PutParameterResult};
use crate::generated::{ParameterType, ServiceError};
use crate::names::{check_new_name, parameter_arn};
use crate::policy_jobs::schedule;
use crate::record::{MAX_VERSIONS, ParameterRecord, VersionRecord, parameter_row};
use crate::rows;
use crate::secure::DEFAULT_KEY;
use crate::service::{authorize, internal};
use rampart_core::RequestContext;
use rampart_store::{StoreError, Versioned};

const DATA_TYPES: &[&str] = &["text", "aws:ec2:image", "aws:ssm:integration"];

impl PutParameter for SsmService {
    async fn put_parameter(
        &self,
        ctx: &RequestContext,
        input: PutParameterRequest,
    ) -> Result<PutParameterResult, ServiceError> {
        let name = input.name.as_deref().unwrap_or_default().trim().to_owned();
        check_new_name(ctx, &name)?;
        let arn = parameter_arn(ctx, &name);
        authorize(ctx, "ssm:PutParameter", &arn)?;
        let (tag_pairs, policies) = check_request(&input)?;
        let default_tier = self.default_tier(ctx).await?;
        for _ in 0..CAS_ATTEMPTS {
            let existing = self.load(ctx, &name).await?;
            let mut next = plan(
                &input,
                existing.as_ref().map(|e| &e.value),
                policies.clone(),
                &default_tier,
            )?;
            next.modified_ms = self.now_ms();
            next.modified_user = ctx.principal.arn.clone();
            if next.kind == "SecureString" {
                let key = next.key_id.as_deref();
                (next.value, next.envelope) = self.seal(ctx, key, &arn, &next.value).await?;
            }
            let result = PutParameterResult {
                tier: Some(ParameterTier::from(next.tier.as_str())),
                version: Some(next.version),
            };
            match self.commit(ctx, &name, existing, next, &tag_pairs).await {
                Ok(()) => return Ok(result),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        // Every attempt lost to another writer of the same parameter: AWS's answer to
        // concurrent updates of one parameter.
        Err(too_many_updates(
            "There are concurrent updates for a resource that supports one update at a time.",
        ))
    }
}

impl SsmService {
    /// Writes `next` as the newest version (dropping the oldest beyond 100) with its event.
    async fn commit(
        &self,
        ctx: &RequestContext,
        name: &str,
        existing: Option<Versioned<ParameterRecord>>,
        next: VersionRecord,
        tags: &[(String, String)],
    ) -> Result<(), StoreError> {
        let (record, operation) = match &existing {
            Some(e) => (advance(&e.value, next), "Update"),
            None => (ParameterRecord::new(name, next, tags.to_vec()), "Create"),
        };
        let latest = record.current();
        let change = Change {
            operation,
            name: &record.name,
            kind: &latest.kind,
            description: latest.description.as_deref(),
            labels: None,
        };
        let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
        let row = parameter_row(account, region, name);
        let mut writes = rows::save(&self.tables, &row, existing.as_ref(), &record)?;
        writes.push(change_event(ctx, &change, latest.modified_ms));
        writes.extend(schedule(account, region, &record.name, latest));
        self.store.transact(writes).await
    }
}

/// `record` with `next` as its latest version, the oldest version dropped beyond 100.
fn advance(record: &ParameterRecord, next: VersionRecord) -> ParameterRecord {
    let mut advanced = record.clone();
    advanced.latest = next;
    while advanced.kept() > MAX_VERSIONS {
        advanced.oldest += 1;
    }
    let oldest = advanced.oldest;
    advanced.labels.retain(|(_, version)| *version >= oldest);
    advanced
}

/// The request's tags and policies, checked (tags only on a parameter's creation).
type Checked = (Vec<(String, String)>, Option<Vec<String>>);

fn check_request(input: &PutParameterRequest) -> Result<Checked, ServiceError> {
    let new_tags = input.tags.clone().unwrap_or_default();
    if input.overwrite == Some(true) && !new_tags.is_empty() {
        return Err(ServiceError::validation(
            "Invalid request: tags and overwrite can't be used together. To create a parameter \
             with tags, please remove overwrite flag. To update tags for an existing parameter, \
             please use AddTagsToResource or RemoveTagsFromResource.",
        ));
    }
    let tag_pairs = tags::check_new(&new_tags, &[])?;
    let policies = input.policies.as_deref().map(policies::parse).transpose()?;
    Ok((tag_pairs, policies))
}

/// The empty value refused in AWS's words (the value is sensitive, so the message leaves it
/// out); an existing parameter refused without Overwrite or when its history is full.
fn check_value_and_overwrite(
    input: &PutParameterRequest,
    existing: Option<&ParameterRecord>,
) -> Result<(), ServiceError> {
    if input.value.as_deref().unwrap_or_default().is_empty() {
        return Err(ServiceError::validation(
            "1 validation error detected: Value at 'value' failed to satisfy constraint: Member \
             must have length greater than or equal to 1",
        ));
    }
    let Some(record) = existing else {
        return Ok(());
    };
    if input.overwrite != Some(true) {
        return Err(parameter_already_exists(
            "The parameter already exists. To overwrite this value, set the overwrite option in \
             the request to true.",
        ));
    }
    check_version_room(record)
}

/// The request's type, or the current version's on an overwrite.
fn kind_for(
    input: &PutParameterRequest,
    previous: Option<&VersionRecord>,
) -> Result<String, ServiceError> {
    match (&input.type_, previous) {
        (Some(t), _) => Ok(t.as_str().to_owned()),
        (None, Some(prev)) => Ok(prev.kind.clone()),
        (None, None) => Err(ServiceError::validation(
            "A parameter type is required when you create a parameter.",
        )),
    }
}

/// The new version PutParameter would write (its value still in plaintext), or AWS's error.
fn plan(
    input: &PutParameterRequest,
    existing: Option<&ParameterRecord>,
    policies: Option<Vec<String>>,
    default_tier: &str,
) -> Result<VersionRecord, ServiceError> {
    check_value_and_overwrite(input, existing)?;
    let value = input.value.clone().unwrap_or_default();
    let previous = existing.map(ParameterRecord::current);
    let kind = kind_for(input, previous)?;
    let key_id = key_for(input, previous, &kind)?;
    let data_type = data_type_for(input, previous, &kind, &value)?;
    let allowed_pattern = input
        .allowed_pattern
        .clone()
        .or_else(|| previous.and_then(|p| p.allowed_pattern.clone()));
    if let Some(pattern) = &allowed_pattern {
        check_pattern(pattern, &value)?;
    }
    let policies = policies
        .or_else(|| previous.map(|p| p.policies.clone()))
        .unwrap_or_default();
    let tier = tier::resolve(&tier::TierInput {
        requested: input.tier.as_ref().map(ParameterTier::as_str),
        default: default_tier,
        previous: previous.map(|p| p.tier.as_str()),
        value_len: value.len(),
        has_policies: !policies.is_empty(),
    })?;
    Ok(VersionRecord {
        version: previous.map_or(1, |p| p.version + 1),
        kind,
        value,
        tier: tier.to_owned(),
        data_type,
        description: input
            .description
            .clone()
            .or_else(|| previous.and_then(|p| p.description.clone())),
        allowed_pattern,
        key_id,
        policies,
        modified_ms: 0,
        modified_user: String::new(),
        envelope: false,
        acted: Vec::new(),
    })
}

/// The key a SecureString is encrypted under: the request's, the previous version's, or the
/// default; other types take none.
fn key_for(
    input: &PutParameterRequest,
    previous: Option<&VersionRecord>,
    kind: &str,
) -> Result<Option<String>, ServiceError> {
    if kind != ParameterType::SecureString.as_str() {
        if input.key_id.is_some() {
            // Doubt: AWS's wording for a KeyId on a String or StringList parameter.
            return Err(ServiceError::validation(
                "KeyId is required for SecureString type parameter only.",
            ));
        }
        return Ok(None);
    }
    let inherited = previous
        .filter(|p| p.kind == kind)
        .and_then(|p| p.key_id.clone());
    Ok(Some(
        input
            .key_id
            .clone()
            .or(inherited)
            .unwrap_or_else(|| DEFAULT_KEY.to_owned()),
    ))
}

/// The data type (`text` by default) and, for `aws:ec2:image`, the AMI id format check AWS
/// does before validating the image asynchronously.
fn data_type_for(
    input: &PutParameterRequest,
    previous: Option<&VersionRecord>,
    kind: &str,
    value: &str,
) -> Result<String, ServiceError> {
    let data_type = input
        .data_type
        .clone()
        .or_else(|| previous.map(|p| p.data_type.clone()))
        .unwrap_or_else(|| "text".to_owned());
    if !DATA_TYPES.contains(&data_type.as_str()) {
        return Err(ServiceError::validation(format!(
            "The following data type is not supported: {data_type} (Data type names are all \
             lowercase.)"
        )));
    }
    if data_type == "aws:ec2:image" {
        // Doubt: AWS's exact wording for these two refusals.
        if kind != "String" {
            return Err(ServiceError::validation(
                "Parameters with the aws:ec2:image data type must be of type String.",
            ));
        }
        if !is_ami_id(value) {
            return Err(ServiceError::validation(format!(
                "Parameter value {value} is not a valid aws:ec2:image. The value must be an \
                 Amazon Machine Image (AMI) ID in the format ami-12345abcdeEXAMPLE."
            )));
        }
    }
    Ok(data_type)
}

/// `ami-` followed by 8 or 17 lowercase hex digits.
fn is_ami_id(value: &str) -> bool {
    value.strip_prefix("ami-").is_some_and(|hex| {
        matches!(hex.len(), 8 | 17)
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The value must match the whole AllowedPattern (AWS uses Java's `matches`).
fn check_pattern(pattern: &str, value: &str) -> Result<(), ServiceError> {
    let anchored = format!("^(?:{pattern})$");
    let regex = regex::Regex::new(&anchored).map_err(|_| {
        invalid_allowed_pattern_exception(format!(
            "The parameter's AllowedPattern is not a valid regular expression: {pattern}"
        ))
    })?;
    if regex.is_match(value) {
        Ok(())
    } else {
        Err(parameter_pattern_mismatch_exception(format!(
            "Parameter value, cannot be validated against allowedPattern: {pattern}"
        )))
    }
}

/// A 101st version deletes the oldest, unless that one carries a label:
/// ParameterMaxVersionLimitExceeded then.
fn check_version_room(record: &ParameterRecord) -> Result<(), ServiceError> {
    if record.kept() >= MAX_VERSIONS && !record.labels_of(record.oldest).is_empty() {
        return Err(parameter_max_version_limit_exceeded(format!(
            "You attempted to create a new version of {} by calling the PutParameter API with \
             the overwrite flag. Version {}, the oldest version, can't be deleted because it \
             has a label associated with it. Move the label to another version of the \
             parameter, and try again.",
            record.name, record.oldest
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ami_ids_and_patterns() {
        assert!(is_ami_id("ami-12345678"));
        assert!(is_ami_id("ami-0123456789abcdef0"));
        assert!(!is_ami_id("ami-1234"));
        assert!(!is_ami_id("ami-ABCDEF12"));
        assert!(check_pattern("^\\d+$", "123").is_ok());
        assert!(check_pattern("\\d+", "12a").is_err());
        assert_eq!(
            check_pattern("(", "x").err().map(|e| e.code.to_string()),
            Some("InvalidAllowedPatternException".into())
        );
    }
}
