//! Grants: the stored grant record, grant ids and grant tokens, and the pure rules of the grant
//! operations (which grant operations a key allows, constraints, principals, key states, who may
//! retire a grant, and which grants allow a request).

use super::KmsArns;
use super::{KeyRecord, KeyState, KmsError, Scope};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::Arn;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// AWS quota: grants per KMS key.
pub const MAX_GRANTS_PER_KEY: u64 = 50_000;
/// AWS limit: encryption context pairs in one grant constraint.
const MAX_CONSTRAINT_PAIRS: usize = 8;
/// AWS limit: characters of the encryption context in one grant constraint.
const MAX_CONSTRAINT_CHARS: usize = 384;

/// Grant operations that never take an encryption context: constraints do not apply to them.
const NO_CONTEXT_OPERATIONS: [&str; 3] = ["CreateGrant", "DescribeKey", "RetireGrant"];
/// Grant operations every key allows.
const COMMON_OPERATIONS: [&str; 3] = ["CreateGrant", "DescribeKey", "RetireGrant"];

/// A grant as stored (schema 1). Grants never change after creation; they are only deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRecord {
    /// Record schema version.
    pub schema: u32,
    /// Grant id: 64 lowercase hex digits.
    pub grant_id: String,
    /// Id of the key the grant is for.
    pub key_id: String,
    /// Account owning the key (the issuing account).
    pub account: String,
    /// Region of the key.
    pub region: String,
    /// Friendly name, if given.
    pub name: Option<String>,
    /// `GranteePrincipal` (an ARN or a service principal name).
    pub grantee_principal: Option<String>,
    /// `GranteeServicePrincipal`.
    pub grantee_service_principal: Option<String>,
    /// `RetiringPrincipal`.
    pub retiring_principal: Option<String>,
    /// `RetiringServicePrincipal`.
    pub retiring_service_principal: Option<String>,
    /// Grant operations, in request order without duplicates.
    pub operations: Vec<String>,
    /// Constraints, if any.
    pub constraints: Option<GrantConstraintSet>,
    /// Creation time, epoch milliseconds.
    pub created_ms: i64,
}

/// `GrantConstraints` as stored. Empty encryption-context maps are stored as absent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantConstraintSet {
    /// `EncryptionContextEquals`.
    pub encryption_context_equals: Option<BTreeMap<String, String>>,
    /// `EncryptionContextSubset`.
    pub encryption_context_subset: Option<BTreeMap<String, String>>,
    /// `SourceArn`.
    pub source_arn: Option<String>,
}

/// What a CreateGrant request asks for, before it becomes a [`GrantRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GrantRequest {
    /// `Name`.
    pub name: Option<String>,
    /// `GranteePrincipal`.
    pub grantee_principal: Option<String>,
    /// `GranteeServicePrincipal`.
    pub grantee_service_principal: Option<String>,
    /// `RetiringPrincipal`.
    pub retiring_principal: Option<String>,
    /// `RetiringServicePrincipal`.
    pub retiring_service_principal: Option<String>,
    /// `Operations` (AWS names).
    pub operations: Vec<String>,
    /// `Constraints`.
    pub constraints: Option<GrantConstraintSet>,
}

impl GrantRecord {
    /// The scope of the grant's key.
    pub fn scope(&self) -> Scope {
        Scope::new(self.account.clone(), self.region.clone())
    }

    /// ARN of the grant's key.
    pub fn key_arn(&self) -> String {
        self.scope().key_arn(&self.key_id)
    }

    /// `IssuingAccount`: the root of the key's account.
    pub fn issuing_account(&self) -> String {
        let scope = self.scope();
        format!("arn:{}:iam::{}:root", scope.partition(), scope.account)
    }

    /// The retiring principal or retiring service principal, if any (the retiree index key).
    pub fn retiree(&self) -> Option<&str> {
        self.retiring_principal
            .as_deref()
            .or(self.retiring_service_principal.as_deref())
    }

    /// True when `request` asks for exactly this grant (CreateGrant with the same Name and the
    /// same parameters returns the existing grant).
    pub fn same_request(&self, request: &GrantRequest) -> bool {
        self.name.is_some()
            && self.name == request.name
            && self.grantee_principal == request.grantee_principal
            && self.grantee_service_principal == request.grantee_service_principal
            && self.retiring_principal == request.retiring_principal
            && self.retiring_service_principal == request.retiring_service_principal
            && self.operations == request.operations
            && self.constraints == request.constraints
    }

    fn allows_operation(&self, operation: &str) -> bool {
        self.operations.iter().any(|o| o == operation)
    }
}

impl GrantRequest {
    /// The record of a new grant `grant_id` for `key` made from this request at `now_ms`.
    pub fn into_record(self, key: &KeyRecord, grant_id: String, now_ms: i64) -> GrantRecord {
        GrantRecord {
            schema: 1,
            grant_id,
            key_id: key.key_id.clone(),
            account: key.account.clone(),
            region: key.region.clone(),
            name: self.name,
            grantee_principal: self.grantee_principal,
            grantee_service_principal: self.grantee_service_principal,
            retiring_principal: self.retiring_principal,
            retiring_service_principal: self.retiring_service_principal,
            operations: self.operations,
            constraints: self.constraints,
            created_ms: now_ms,
        }
    }
}

/// A new grant id: 64 lowercase hex digits (256 bits from two random UUIDs).
pub fn new_grant_id() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// True for a grant id as Rampart issues them: 64 lowercase hex digits.
pub fn is_grant_id(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `InvalidGrantIdException` unless `text` is a well-formed grant id.
pub fn check_grant_id(text: &str) -> Result<(), KmsError> {
    if is_grant_id(text) {
        return Ok(());
    }
    Err(KmsError::InvalidGrantId(
        "The request was rejected because the specified GrantId is not valid.".into(),
    ))
}

/// `NotFoundException` for a grant id that is not a grant of the key.
pub fn grant_not_found(grant_id: &str, key_arn: &str) -> KmsError {
    KmsError::NotFound(format!("Grant ID {grant_id} not found for key {key_arn}"))
}

/// What a grant token names: the key's scope, the key and the grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantTokenRef {
    /// Token format version (1).
    pub v: u32,
    /// Account owning the key.
    pub a: String,
    /// Region of the key.
    pub r: String,
    /// Key id.
    pub k: String,
    /// Grant id.
    pub g: String,
    /// Random nonce: every CreateGrant answers a different token, even for the same grant.
    pub n: String,
}

impl GrantTokenRef {
    /// The scope of the key the token names.
    pub fn scope(&self) -> Scope {
        Scope::new(self.a.clone(), self.r.clone())
    }
}

/// A new grant token for `grant`: versioned JSON naming the grant, base64url. Not a secret and
/// not an authorization by itself: it only identifies the grant.
pub fn encode_grant_token(grant: &GrantRecord) -> String {
    let token = GrantTokenRef {
        v: 1,
        a: grant.account.clone(),
        r: grant.region.clone(),
        k: grant.key_id.clone(),
        g: grant.grant_id.clone(),
        n: uuid::Uuid::new_v4().simple().to_string(),
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&token).unwrap_or_default())
}

/// `InvalidGrantTokenException` worded as AWS describes it.
pub fn invalid_grant_token() -> KmsError {
    KmsError::InvalidGrantToken(
        "The request was rejected because the specified grant token is not valid.".into(),
    )
}

/// Parses a grant token Rampart issued.
pub fn parse_grant_token(text: &str) -> Result<GrantTokenRef, KmsError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|_| invalid_grant_token())?;
    let token: GrantTokenRef = serde_json::from_slice(&bytes).map_err(|_| invalid_grant_token())?;
    let well_formed = token.v == 1
        && token.a.len() == 12
        && token.a.bytes().all(|b| b.is_ascii_digit())
        && !token.r.is_empty()
        && super::is_key_id(&token.k)
        && is_grant_id(&token.g);
    if well_formed {
        Ok(token)
    } else {
        Err(invalid_grant_token())
    }
}

/// Checks every token of a `GrantTokens` parameter parses as a Rampart grant token.
pub fn check_grant_tokens(tokens: Option<&[String]>) -> Result<(), KmsError> {
    tokens
        .unwrap_or_default()
        .iter()
        .try_for_each(|t| parse_grant_token(t).map(drop))
}

/// The grant operations a key of `key_spec` and `key_usage` supports (AWS names).
pub fn operations_for(key_spec: &str, key_usage: &str) -> Vec<&'static str> {
    let specific: &[&'static str] = match key_usage {
        "ENCRYPT_DECRYPT" if key_spec == "SYMMETRIC_DEFAULT" => &[
            "Decrypt",
            "Encrypt",
            "GenerateDataKey",
            "GenerateDataKeyWithoutPlaintext",
            "GenerateDataKeyPair",
            "GenerateDataKeyPairWithoutPlaintext",
            "ReEncryptFrom",
            "ReEncryptTo",
        ],
        "ENCRYPT_DECRYPT" => &[
            "Decrypt",
            "Encrypt",
            "ReEncryptFrom",
            "ReEncryptTo",
            "GetPublicKey",
        ],
        "SIGN_VERIFY" => &["Sign", "Verify", "GetPublicKey"],
        "GENERATE_VERIFY_MAC" => &["GenerateMac", "VerifyMac"],
        "KEY_AGREEMENT" => &["DeriveSharedSecret", "GetPublicKey"],
        "ENCAPSULATE_DECAPSULATE" => &["Encapsulate", "Decapsulate", "GetPublicKey"],
        _ => &[],
    };
    specific.iter().chain(&COMMON_OPERATIONS).copied().collect()
}

/// Checks the requested operations are valid for `key`; returns them without duplicates.
pub fn check_operations(key: &KeyRecord, requested: &[String]) -> Result<Vec<String>, KmsError> {
    if requested.is_empty() {
        return Err(KmsError::Validation(
            "Grants must contain at least one operation.".into(),
        ));
    }
    let valid = operations_for(&key.key_spec, &key.key_usage);
    let mut operations: Vec<String> = Vec::with_capacity(requested.len());
    for op in requested {
        if !valid.contains(&op.as_str()) {
            return Err(KmsError::Validation(format!(
                "Grant operation {op} is not valid for KMS key {} with KeySpec {} and KeyUsage {}.",
                key.arn(),
                key.key_spec,
                key.key_usage
            )));
        }
        if !operations.contains(op) {
            operations.push(op.clone());
        }
    }
    if operations == ["CreateGrant"] {
        return Err(KmsError::Validation(
            "Grants must not contain only the CreateGrant operation.".into(),
        ));
    }
    Ok(operations)
}

/// Checks constraints: encryption-context constraints only on symmetric encryption keys (the
/// only keys whose operations take an encryption context), at most 8 pairs and 384 characters
/// each. Empty maps count as absent; returns None when nothing remains.
pub fn check_constraints(
    key: &KeyRecord,
    given: Option<GrantConstraintSet>,
) -> Result<Option<GrantConstraintSet>, KmsError> {
    let Some(mut set) = given else {
        return Ok(None);
    };
    set.encryption_context_equals = set.encryption_context_equals.filter(|m| !m.is_empty());
    set.encryption_context_subset = set.encryption_context_subset.filter(|m| !m.is_empty());
    let maps = [
        &set.encryption_context_equals,
        &set.encryption_context_subset,
    ];
    let has_context = maps.iter().any(|m| m.is_some());
    if has_context && key.key_spec != "SYMMETRIC_DEFAULT" {
        return Err(KmsError::Validation(format!(
            "Encryption context grant constraints are not supported on KMS key {} with KeySpec \
             {}: its operations do not take an encryption context.",
            key.arn(),
            key.key_spec
        )));
    }
    for map in maps.into_iter().flatten() {
        check_constraint_size(map)?;
    }
    if set == GrantConstraintSet::default() {
        return Ok(None);
    }
    Ok(Some(set))
}

fn check_constraint_size(map: &BTreeMap<String, String>) -> Result<(), KmsError> {
    let chars: usize = map
        .iter()
        .map(|(k, v)| k.chars().count() + v.chars().count())
        .sum();
    if map.len() > MAX_CONSTRAINT_PAIRS || chars > MAX_CONSTRAINT_CHARS {
        return Err(KmsError::Validation(format!(
            "Each grant constraint can include up to {MAX_CONSTRAINT_PAIRS} encryption context \
             pairs and up to {MAX_CONSTRAINT_CHARS} characters."
        )));
    }
    Ok(())
}

/// Checks the principal members of a CreateGrant request: exactly one grantee form, at most one
/// retiring form, every principal well-formed; a service-principal grantee needs a `SourceArn`
/// constraint and a retiring principal.
pub fn check_principals(request: &GrantRequest) -> Result<(), KmsError> {
    let grantee = (
        &request.grantee_principal,
        &request.grantee_service_principal,
    );
    match grantee {
        (None, None) => return Err(null_member("granteePrincipal")),
        (Some(_), Some(_)) => return Err(either_not_both("GranteePrincipal")),
        _ => {}
    }
    if request.retiring_principal.is_some() && request.retiring_service_principal.is_some() {
        return Err(either_not_both("RetiringPrincipal"));
    }
    for (member, value) in [
        ("GranteePrincipal", &request.grantee_principal),
        ("RetiringPrincipal", &request.retiring_principal),
    ] {
        if let Some(value) = value {
            check_principal(member, value)?;
        }
    }
    if request.grantee_service_principal.is_some() {
        check_service_grantee(request)?;
    }
    Ok(())
}

fn check_service_grantee(request: &GrantRequest) -> Result<(), KmsError> {
    let source_arn = request
        .constraints
        .as_ref()
        .and_then(|c| c.source_arn.as_ref());
    if source_arn.is_none() {
        return Err(KmsError::Validation(
            "When you specify a GranteeServicePrincipal, you must also specify a SourceArn grant \
             constraint."
                .into(),
        ));
    }
    if request.retiring_principal.is_none() && request.retiring_service_principal.is_none() {
        return Err(KmsError::Validation(
            "When you specify a GranteeServicePrincipal, you must also specify a \
             RetiringPrincipal or a RetiringServicePrincipal."
                .into(),
        ));
    }
    Ok(())
}

/// `ValidationException` for a missing required member (the model's wording).
pub fn null_member(member: &str) -> KmsError {
    KmsError::Validation(format!(
        "1 validation error detected: Value null at '{member}' failed to satisfy constraint: \
         Member must not be null"
    ))
}

/// `ValidationException` for a `<X>Principal` given together with `<X>ServicePrincipal`.
pub fn either_not_both(member: &str) -> KmsError {
    let service = member.replace("Principal", "ServicePrincipal");
    KmsError::Validation(format!(
        "You can specify either {member} or {service}, but not both."
    ))
}

/// `InvalidArnException` unless `value` is a principal a grant can name: an IAM account root,
/// user or role ARN, an STS assumed-role or federated-user ARN, or an AWS service principal.
pub fn check_principal(member: &str, value: &str) -> Result<(), KmsError> {
    if is_principal_arn(value) || is_service_principal(value) {
        return Ok(());
    }
    Err(KmsError::InvalidArn(format!(
        "{member} {value} is not a valid principal ARN."
    )))
}

fn is_principal_arn(value: &str) -> bool {
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let base_ok = *arn == "arn" && partition.starts_with("aws") && region.is_empty() && account_ok;
    let resource_ok = match *service {
        "iam" => {
            *resource == "root"
                || ["user/", "role/"]
                    .iter()
                    .any(|p| resource.strip_prefix(p).is_some_and(valid_path_name))
        }
        "sts" => ["assumed-role/", "federated-user/"]
            .iter()
            .any(|p| resource.strip_prefix(p).is_some_and(valid_path_name)),
        _ => false,
    };
    base_ok && resource_ok
}

fn valid_path_name(rest: &str) -> bool {
    !rest.is_empty() && rest.split('/').all(|segment| !segment.is_empty())
}

/// True for an AWS service principal such as `rds.amazonaws.com` or
/// `acm.us-east-2.amazonaws.com`.
pub fn is_service_principal(value: &str) -> bool {
    let labels: Vec<&str> = value.split('.').collect();
    let ends_aws = value.ends_with(".amazonaws.com") || value.ends_with(".amazonaws.com.cn");
    ends_aws
        && labels.len() >= 3
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Checks the key state allows CreateGrant (AWS key-state table): Enabled (and the transient
/// Updating, and Unavailable) succeed; Disabled is `DisabledException`; PendingImport,
/// PendingDeletion and the other states are `KMSInvalidStateException`.
pub fn require_grantable(key: &KeyRecord) -> Result<(), KmsError> {
    match key.state {
        KeyState::Enabled | KeyState::Updating | KeyState::Unavailable => Ok(()),
        KeyState::Disabled => Err(KmsError::Disabled(format!("{} is disabled.", key.arn()))),
        KeyState::Creating
        | KeyState::PendingImport
        | KeyState::PendingDeletion
        | KeyState::PendingReplicaDeletion => Err(key.state_error()),
    }
}

/// `LimitExceededException` for a key that already has the maximum number of grants.
pub fn too_many_grants(key_arn: &str) -> KmsError {
    KmsError::LimitExceeded(format!(
        "The request was rejected because KMS key {key_arn} already has the maximum number of \
         grants ({MAX_GRANTS_PER_KEY})."
    ))
}

/// True when `caller_arn` may retire `grant`: its retiring principal, its grantee principal when
/// the grant allows RetireGrant, or the root of the account the grant was created in.
pub fn may_retire(grant: &GrantRecord, caller_arn: &str) -> bool {
    let is = |p: &Option<String>| {
        p.as_deref()
            .is_some_and(|p| principal_matches(p, caller_arn))
    };
    is(&grant.retiring_principal)
        || (is(&grant.grantee_principal) && grant.allows_operation("RetireGrant"))
        || caller_arn == grant.issuing_account()
}

/// `AccessDeniedException` for a caller that may not retire a grant.
pub fn retire_denied(caller_arn: &str, key_arn: &str) -> KmsError {
    KmsError::AccessDenied(format!(
        "User: {caller_arn} is not authorized to perform: kms:RetireGrant on resource: {key_arn} \
         because no resource-based policy allows the kms:RetireGrant action"
    ))
}

/// True when the principal a grant names is the caller: the same ARN, or the grant names an IAM
/// role and the caller is a session of that role (`arn:aws:sts::<acct>:assumed-role/<role>/…`).
pub fn principal_matches(granted: &str, caller_arn: &str) -> bool {
    if granted == caller_arn {
        return true;
    }
    let Some((caller_account, role)) = assumed_role(caller_arn) else {
        return false;
    };
    let Some(granted) = Arn::parse(granted).filter(|arn| arn.service == "iam") else {
        return false;
    };
    granted.account == caller_account
        && granted
            .resource
            .strip_prefix("role/")
            .is_some_and(|path| path.rsplit('/').next() == Some(role))
}

/// (account, role name) of an STS assumed-role session ARN.
fn assumed_role(arn: &str) -> Option<(&str, &str)> {
    let arn = Arn::parse(arn).filter(|arn| arn.service == "sts")?;
    let role = arn
        .resource
        .strip_prefix("assumed-role/")?
        .split('/')
        .next()?;
    Some((arn.account, role))
}

/// True when `grant` allows `principal_arn` to call `operation` (a grant operation name such as
/// `Decrypt` or `ReEncryptFrom`) with encryption context `context`. Encryption-context
/// constraints apply to operations that take a context (keys compared case-insensitively, values
/// exactly, as AWS does); a `SourceArn` constraint never matches a direct call (Rampart requests
/// are never made on behalf of an AWS resource), except for RetireGrant, which it does not cover.
pub fn grant_allows(
    grant: &GrantRecord,
    principal_arn: &str,
    operation: &str,
    context: &BTreeMap<String, String>,
) -> bool {
    let grantee = grant
        .grantee_principal
        .as_deref()
        .or(grant.grantee_service_principal.as_deref());
    if !grantee.is_some_and(|g| principal_matches(g, principal_arn)) {
        return false;
    }
    if !grant.allows_operation(operation) {
        return false;
    }
    let Some(c) = &grant.constraints else {
        return true;
    };
    if c.source_arn.is_some() && operation != "RetireGrant" {
        return false;
    }
    if NO_CONTEXT_OPERATIONS.contains(&operation) {
        return true;
    }
    let lowered = lower_keys(context);
    let subset_ok = c.encryption_context_subset.as_ref().is_none_or(|want| {
        lower_keys(want)
            .iter()
            .all(|(k, v)| lowered.get(k) == Some(v))
    });
    let equals_ok = c
        .encryption_context_equals
        .as_ref()
        .is_none_or(|want| lower_keys(want) == lowered);
    subset_ok && equals_ok
}

fn lower_keys(map: &BTreeMap<String, String>) -> BTreeMap<String, &String> {
    map.iter().map(|(k, v)| (k.to_lowercase(), v)).collect()
}

#[cfg(test)]
#[path = "grants_tests.rs"]
mod tests;
