//! `AssumeRoleWithSAML`: role credentials for the bearer of a SAML 2.0 response from an
//! identity provider registered in IAM (`PrincipalArn`), served unsigned as AWS does
//! ([`crate::unsigned`]). The response is verified for real before the role is read
//! ([`checks`]): its XML signature must be one of the provider's metadata signing
//! certificates' over the assertion ([`signature`], Bergshamra with exclusive C14N), its issuer
//! the provider's entity id, its audience AWS (`urn:amazon:webservices` or a sign-in
//! endpoint), its bearer Recipient a sign-in endpoint (`https://signin.aws.amazon.com/saml`
//! or a Region's), and it must be redeemed within five minutes of IssueInstant and before any
//! NotOnOrAfter. The `Role` attribute must pair the requested role with the provider, and the
//! role's trust policy must allow `sts:AssumeRoleWithSAML` (with `sts:TagSession` for
//! `PrincipalTag:*` attributes and `sts:SetSourceIdentity` for `SourceIdentity`) for the
//! `Federated` provider ARN, with the `saml:*` condition keys ([`attributes`]).
//!
//! The session lasts DurationSeconds, else the `SessionDuration` attribute, else one hour
//! (at most the role's MaxSessionDuration), and never past the AuthnStatement's
//! SessionNotOnOrAfter. AWS's messages are used where known ("Response signature invalid",
//! "Token must be redeemed within 5 minutes of issuance", "RoleSessionName is required in
//! AuthnResponse", "Not authorized to perform sts:AssumeRoleWithSAML"); the others are
//! Rampart's own wording under AWS's error codes. Not done: encrypted assertions (refused).

mod assertion;
mod attributes;
mod checks;
mod signature;

use crate::assume_role::session_seconds;
use crate::generated::{
    AssumeRoleRequest, AssumeRoleWithSAML, AssumeRoleWithSAMLRequest, AssumeRoleWithSAMLResponse,
    errors,
};
use crate::request::RoleRequest;
use crate::service::{StsService, access_denied, internal, required};
use crate::web_identity::invalid_token;
use assertion::Assertion;
use attributes::{SamlKeys, add_condition_keys, name_qualifier};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_core::rampart_policy::{Principal, PrincipalKind};
use rampart_iam::records::RoleRecord;
use rampart_iam::resources::{ResourceTables, SamlProviderRecord, resource_row};

const ACTION: &str = "sts:AssumeRoleWithSAML";

fn denied() -> ServiceError {
    access_denied(format!("Not authorized to perform {ACTION}"))
}

/// A verified assertion and the provider that vouches for it.
struct Verified {
    assertion: Assertion,
    provider: SamlProviderRecord,
    name_qualifier: String,
}

impl AssumeRoleWithSAML for StsService {
    async fn assume_role_with_saml(
        &self,
        ctx: &RequestContext,
        input: AssumeRoleWithSAMLRequest,
    ) -> Result<AssumeRoleWithSAMLResponse, ServiceError> {
        let provider_arn = required(input.principal_arn.clone(), "principalArn")?;
        let encoded = required(input.saml_assertion.clone(), "sAMLAssertion")?;
        let role_arn = required(input.role_arn.clone(), "roleArn")?;
        let verified = self.verify(&provider_arn, &encoded).await?;
        if !verified.assertion.grants(&role_arn, &provider_arn) {
            return Err(denied());
        }
        let request = RoleRequest::parse(ctx, role_request(input, &verified.assertion)?)?;
        let role = self.target_role(&role_arn).await?.ok_or_else(denied)?;
        ctx.note_resource(role.arn(), "AWS::IAM::Role");
        authorize(ctx, &role, &request, &verified)?;
        let seconds = self.capped_seconds(ctx, &role, &request, &verified.assertion)?;
        self.check_policy_arns(&role.account, &request.packed.managed_arns)
            .await?;
        let assumed = self.role_session(&role, request, seconds)?;
        self.note_role_used(ctx, &role).await;
        let assertion = verified.assertion;
        Ok(AssumeRoleWithSAMLResponse {
            subject_type: assertion.subject_type(),
            assumed_role_user: assumed.assumed_role_user,
            audience: assertion.recipient,
            credentials: assumed.credentials,
            issuer: Some(assertion.issuer),
            name_qualifier: Some(verified.name_qualifier),
            packed_policy_size: assumed.packed_policy_size,
            source_identity: assumed.source_identity,
            subject: assertion.subject,
            ..Default::default()
        })
    }
}

/// The request's AssumeRole members, with the session name, duration, tags, transitive keys
/// and source identity the assertion carries.
fn role_request(
    input: AssumeRoleWithSAMLRequest,
    assertion: &Assertion,
) -> Result<AssumeRoleRequest, ServiceError> {
    let tags = assertion.session_tags().map_err(|key| {
        invalid_token(format!(
            "PrincipalTag:{key} in AuthnResponse must have exactly one value"
        ))
    })?;
    let transitive = assertion.aws("TransitiveTagKeys").to_vec();
    let duration = match input.duration_seconds {
        Some(seconds) => Some(seconds),
        None => checks::session_duration(assertion)?,
    };
    Ok(AssumeRoleRequest {
        role_arn: input.role_arn,
        role_session_name: Some(checks::session_name(assertion)?),
        duration_seconds: duration,
        policy: input.policy,
        policy_arns: input.policy_arns,
        tags: (!tags.is_empty()).then_some(tags),
        transitive_tag_keys: (!transitive.is_empty()).then_some(transitive),
        source_identity: checks::source_identity(assertion)?,
        ..Default::default()
    })
}

impl StsService {
    /// The provider `arn` names and the assertion `encoded`, verified against it.
    async fn verify(&self, arn: &str, encoded: &str) -> Result<Verified, ServiceError> {
        let provider = self
            .saml_provider(arn)
            .await?
            .ok_or_else(|| invalid_token("Specified provider doesn't exist."))?;
        let now = self.now_ms() / 1000;
        if provider.valid_until_ms / 1000 <= now {
            return Err(invalid_token("Specified provider's metadata has expired."));
        }
        let assertion = checks::verified_assertion(encoded, &provider, now)?;
        let name_qualifier = name_qualifier(&assertion.issuer, &provider.account, &provider.name);
        Ok(Verified {
            assertion,
            provider,
            name_qualifier,
        })
    }

    /// The SAML provider `arn:aws:iam::<account>:saml-provider/<name>` names, if it exists.
    async fn saml_provider(&self, arn: &str) -> Result<Option<SamlProviderRecord>, ServiceError> {
        let mut parts = arn.splitn(6, ':');
        let (Some("arn"), Some(_), Some("iam"), Some(""), Some(account), Some(resource)) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Ok(None);
        };
        let Some(name) = resource.strip_prefix("saml-provider/") else {
            return Ok(None);
        };
        if name.is_empty() || name.contains('/') {
            return Ok(None);
        }
        let providers = ResourceTables::new(&self.dir.tables.store).saml_providers;
        let row = resource_row(account, &name.to_ascii_lowercase());
        let found = providers.get(&row).await.map_err(internal)?;
        Ok(found.map(|r| r.value).filter(|p| p.arn() == arn))
    }

    /// The session's length: the requested (or attribute) duration, checked against the
    /// role, and cut at the assertion's SessionNotOnOrAfter.
    fn capped_seconds(
        &self,
        ctx: &RequestContext,
        role: &RoleRecord,
        request: &RoleRequest,
        assertion: &Assertion,
    ) -> Result<i32, ServiceError> {
        let seconds = session_seconds(ctx, role, request.duration)?;
        let Some(end) = assertion.session_not_on_or_after else {
            return Ok(seconds);
        };
        // Whole seconds left, so the credentials never outlive SessionNotOnOrAfter.
        let left = end.saturating_mul(1000).saturating_sub(self.now_ms()) / 1000;
        if left <= 0 {
            return Err(errors::expired_token_exception(
                "Token must be redeemed within 5 minutes of issuance",
            ));
        }
        Ok(seconds.min(i32::try_from(left).unwrap_or(i32::MAX)))
    }
}

/// The trust policy must allow every action the request needs for the provider's federated
/// principal.
fn authorize(
    ctx: &RequestContext,
    role: &RoleRecord,
    request: &RoleRequest,
    verified: &Verified,
) -> Result<(), ServiceError> {
    let provider_arn = verified.provider.arn();
    let mut context = request.context(ctx);
    let keys = SamlKeys {
        assertion: &verified.assertion,
        provider_arn: &provider_arn,
        doc: format!("{}/{}", verified.provider.account, verified.provider.name),
        name_qualifier: &verified.name_qualifier,
    };
    add_condition_keys(&mut context, &keys);
    let principal = Principal {
        arn: provider_arn.clone(),
        account: String::new(),
        kind: PrincipalKind::WebIdentity(provider_arn),
        user_id: verified.assertion.subject.clone().unwrap_or_default(),
        username: None,
        tags: Default::default(),
    };
    role.trust_allows(&principal, actions(request), &context)
        .map_err(|_| denied())
}

/// sts:AssumeRoleWithSAML, plus sts:TagSession with session tags and sts:SetSourceIdentity
/// with a source identity.
fn actions(request: &RoleRequest) -> Vec<&'static str> {
    let mut actions = vec![ACTION];
    if !request.packed.tags.is_empty() {
        actions.push("sts:TagSession");
    }
    if request.source_identity.is_some() {
        actions.push("sts:SetSourceIdentity");
    }
    actions
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
