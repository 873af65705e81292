//! What an AssumeRole request asks for, checked before any role is read: the role ARN's
//! form, MFA, the session policies (document, ARNs, packed size), the session tags and
//! transitive keys (with those a calling role session passes on), the source identity, and
//! the condition keys the trust policy sees.

use crate::generated::{AssumeRoleRequest, PolicyDescriptorType, Tag, errors};
use crate::service::{invalid_parameter, not_authorized, refuse_mfa, required, validation};
use crate::token::PackedPolicies;
use rampart_codec::ServiceError;
use rampart_core::rampart_policy::{Context, Policy, PolicyKind, SizeLimit};
use rampart_core::{RequestContext, SessionContext};

/// The plaintext quota of session policies, and (here) of session tags: 2,048 characters.
const PACKED_ALLOTMENT: usize = 2_048;
/// Most managed session policies.
const MAX_POLICY_ARNS: usize = 10;

/// Session tags, in the order given.
type Tags = Vec<(String, String)>;

/// A checked AssumeRole request.
#[derive(Debug)]
pub(crate) struct RoleRequest {
    pub role_arn: String,
    pub session_name: String,
    pub duration: Option<i32>,
    pub external_id: Option<String>,
    /// Session policies and every session tag (passed and inherited).
    pub packed: PackedPolicies,
    /// Transitive tag keys (passed and inherited).
    pub transitive_keys: Vec<String>,
    /// The session's source identity (inherited, else passed).
    pub source_identity: Option<String>,
    /// PackedPolicySize, when session policies or tags were passed.
    pub packed_size: Option<i32>,
}

impl RoleRequest {
    /// Checks `input` for a call by `ctx`'s caller.
    pub fn parse(ctx: &RequestContext, input: AssumeRoleRequest) -> Result<Self, ServiceError> {
        let role_arn = required(input.role_arn, "roleArn")?;
        let session_name = required(input.role_session_name, "roleSessionName")?;
        check_arn_form(&role_arn)?;
        refuse_mfa(input.serial_number.as_deref(), input.token_code.as_deref())?;
        let inherited = ctx.principal.session.as_deref();
        let source_identity = source_identity(ctx, inherited, input.source_identity, &role_arn)?;
        let (tags, transitive_keys) =
            session_tags(inherited, input.tags, input.transitive_tag_keys)?;
        if let Some(doc) = &input.policy {
            Policy::parse(doc, PolicyKind::Session)
                .map_err(|e| errors::malformed_policy_document_exception(e.message))?;
        }
        let packed = PackedPolicies {
            inline: input.policy,
            managed_arns: policy_arns(input.policy_arns)?,
            tags,
        };
        let packed_size = packed_size(&packed)?;
        Ok(Self {
            role_arn,
            session_name,
            duration: input.duration_seconds,
            external_id: input.external_id,
            packed,
            transitive_keys,
            source_identity,
            packed_size,
        })
    }

    /// The actions the trust policy must allow: sts:AssumeRole, plus sts:TagSession with
    /// session tags and sts:SetSourceIdentity with a source identity.
    pub fn actions(&self) -> Vec<&'static str> {
        let mut actions = vec!["sts:AssumeRole"];
        if !self.packed.tags.is_empty() {
            actions.push("sts:TagSession");
        }
        if self.source_identity.is_some() {
            actions.push("sts:SetSourceIdentity");
        }
        actions
    }

    /// The request's condition keys: the global ones, sts:RoleSessionName, sts:ExternalId,
    /// sts:SourceIdentity, sts:TransitiveTagKeys, aws:RequestTag/* and aws:TagKeys.
    pub fn context(&self, ctx: &RequestContext) -> Context {
        let mut context = ctx
            .policy_context()
            .with("sts:RoleSessionName", self.session_name.as_str());
        if let Some(id) = &self.external_id {
            context.set("sts:ExternalId", id.as_str());
        }
        if let Some(identity) = &self.source_identity {
            context.set("sts:SourceIdentity", identity.as_str());
        }
        if !self.transitive_keys.is_empty() {
            context.set_values("sts:TransitiveTagKeys", self.transitive_keys.iter());
        }
        if self.packed.tags.is_empty() {
            return context;
        }
        let tags = self.packed.tags.iter();
        context.with_request_tags(tags.map(|(k, v)| (k.as_str(), v.as_str())))
    }
}

/// AWS's first check of RoleArn: six colon-separated parts (`arn:partition:service:region:
/// account:resource`); anything else is "<arn> is invalid".
fn check_arn_form(arn: &str) -> Result<(), ServiceError> {
    let parts: Vec<&str> = arn.split(':').collect();
    let ok = parts.len() == 6
        && parts[0] == "arn"
        && !parts[1].is_empty()
        && !parts[2].is_empty()
        && !parts[5].is_empty();
    if ok {
        Ok(())
    } else {
        Err(validation(format!("{arn} is invalid")))
    }
}

/// The session's source identity: once set in a role chain it cannot change.
fn source_identity(
    ctx: &RequestContext,
    inherited: Option<&SessionContext>,
    requested: Option<String>,
    role_arn: &str,
) -> Result<Option<String>, ServiceError> {
    let previous = inherited.and_then(|s| s.source_identity.clone());
    match (previous, requested) {
        (Some(old), Some(new)) if old != new => {
            Err(not_authorized(ctx, "sts:SetSourceIdentity", role_arn))
        }
        (Some(old), _) => Ok(Some(old)),
        (None, new) => Ok(new),
    }
}

/// The session tags (keys unique case-insensitively) and transitive keys (each naming a
/// passed tag), plus the transitive tags of the calling session, which cannot be overridden.
fn session_tags(
    inherited: Option<&SessionContext>,
    tags: Option<Vec<Tag>>,
    transitive: Option<Vec<String>>,
) -> Result<(Tags, Vec<String>), ServiceError> {
    let mut out = request_tags(tags)?;
    let mut keys = transitive.unwrap_or_default();
    if keys.iter().any(|k| !has_key(&out, k)) {
        return Err(invalid_parameter(
            "The specified transitive tag key must be included in the requested tags.",
        ));
    }
    for (key, value) in inherited
        .map(|s| s.transitive_tags.as_slice())
        .unwrap_or_default()
    {
        if has_key(&out, key) {
            return Err(invalid_parameter(
                "One of the specified transitive tag keys can't be set because it conflicts \
                 with a transitive tag key from the calling session.",
            ));
        }
        out.push((key.clone(), value.clone()));
        keys.push(key.clone());
    }
    Ok((out, keys))
}

/// The tags of a request in the order given; AWS's InvalidParameterValue when two keys
/// differ only in case.
pub(crate) fn request_tags(tags: Option<Vec<Tag>>) -> Result<Tags, ServiceError> {
    let mut out: Tags = Vec::new();
    for tag in tags.unwrap_or_default() {
        let key = required(tag.key, "tags.member.key")?;
        let value = required(tag.value, "tags.member.value")?;
        if has_key(&out, &key) {
            return Err(invalid_parameter(
                "Duplicate tag keys found. Please note that Tag keys are case insensitive.",
            ));
        }
        out.push((key, value));
    }
    Ok(out)
}

fn has_key(tags: &[(String, String)], key: &str) -> bool {
    tags.iter().any(|(k, _)| k.eq_ignore_ascii_case(key))
}

/// The managed session policy ARNs (at most 10).
fn policy_arns(arns: Option<Vec<PolicyDescriptorType>>) -> Result<Vec<String>, ServiceError> {
    let arns = arns.unwrap_or_default();
    if arns.len() > MAX_POLICY_ARNS {
        return Err(validation(format!(
            "1 validation error detected: Value at 'policyArns' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_POLICY_ARNS}"
        )));
    }
    arns.into_iter()
        .map(|d| required(d.arn, "policyArns.member.arn"))
        .collect()
}

/// PackedPolicySize: the share of the allotment the session policies (inline document as
/// sent plus the ARNs) and the session tags use; over 100 % is `PackedPolicyTooLarge`.
fn packed_size(packed: &PackedPolicies) -> Result<Option<i32>, ServiceError> {
    if packed.is_empty() {
        return Ok(None);
    }
    let inline = packed.inline.as_deref();
    let policy_chars = inline.map_or(0, |doc| SizeLimit::SessionPolicy.measure(doc))
        + packed.managed_arns.iter().map(String::len).sum::<usize>();
    let tag_chars: usize = (packed.tags.iter())
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum();
    let (policy, tags) = (percent(policy_chars), percent(tag_chars));
    if policy_chars > PACKED_ALLOTMENT {
        return Err(errors::packed_policy_too_large_exception(format!(
            "Packed policy consumes {policy}% of allotted space, please use smaller policy."
        )));
    }
    if tag_chars > PACKED_ALLOTMENT {
        return Err(errors::packed_policy_too_large_exception(format!(
            "Packed size of session tags consumes {tags}% of allotted space."
        )));
    }
    Ok(Some(policy.max(tags)))
}

fn percent(chars: usize) -> i32 {
    i32::try_from((chars * 100).div_ceil(PACKED_ALLOTMENT)).unwrap_or(i32::MAX)
}
