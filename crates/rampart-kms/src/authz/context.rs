//! The condition keys of a KMS request, built once per request: the global keys, the key's
//! own (kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion, kms:MultiRegionKeyType,
//! aws:ResourceTag/*, kms:ResourceAliases), the caller's (kms:CallerAccount, kms:ViaService) and
//! the request's (kms:RequestAlias, kms:EncryptionContext:*, and what each operation adds).

use super::facts::KeyFacts;
use super::{Ask, via_service};
use crate::domain::KeyRecord;
use crate::domain::grants::{GrantConstraintSet, GrantRequest};
use rampart_core::RequestContext;
use rampart_core::rampart_policy::Context;
use std::collections::BTreeMap;

/// Actions whose requests carry kms:GrantIsForAWSResource.
const GRANT_FOR_RESOURCE: [&str; 3] = ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"];

/// The condition keys of `ask` on `key`.
pub(crate) fn for_key(
    ctx: &RequestContext,
    key: &KeyRecord,
    facts: &KeyFacts,
    ask: &Ask<'_>,
    alias: Option<&str>,
) -> Context {
    let mut c = ctx.policy_context();
    c.set("kms:CallerAccount", ctx.account().as_str());
    set_key_properties(&mut c, key);
    for (k, v) in &facts.tags {
        c.set(&format!("aws:ResourceTag/{k}"), v.as_str());
    }
    if !facts.aliases.is_empty() {
        c.set_values(
            "kms:ResourceAliases",
            facts.aliases.iter().map(String::as_str),
        );
    }
    let via = via_service(ctx.region.as_str());
    if GRANT_FOR_RESOURCE.contains(&ask.action) {
        c.set("kms:GrantIsForAWSResource", bool_text(via.is_some()));
    }
    if let Some(via) = via {
        c.set("kms:ViaService", via);
    }
    if let Some(alias) = alias {
        c.set("kms:RequestAlias", alias);
    }
    if let Some(context) = ask.context {
        set_encryption_context(&mut c, context);
    }
    if let Some(extra) = ask.extra {
        extra(key, &mut c);
    }
    if let Some(attested) = ask.recipient {
        attested.set_condition_keys(&mut c);
    }
    c
}

/// kms:KeySpec, kms:KeyUsage, kms:KeyOrigin, kms:MultiRegion and kms:MultiRegionKeyType.
fn set_key_properties(c: &mut Context, key: &KeyRecord) {
    c.set("kms:KeySpec", key.key_spec.as_str());
    c.set("kms:KeyUsage", key.key_usage.as_str());
    c.set("kms:KeyOrigin", key.origin.as_str());
    c.set("kms:MultiRegion", bool_text(key.multi_region));
    if key.multi_region {
        let kind = if key.is_replica() {
            "REPLICA"
        } else {
            "PRIMARY"
        };
        c.set("kms:MultiRegionKeyType", kind);
    }
}

/// kms:EncryptionContext:<key> for each pair and kms:EncryptionContextKeys (absent for an
/// empty context, as AWS leaves them).
pub(crate) fn set_encryption_context(c: &mut Context, context: &BTreeMap<String, String>) {
    if context.is_empty() {
        return;
    }
    for (k, v) in context {
        c.set(&format!("kms:EncryptionContext:{k}"), v.as_str());
    }
    c.set_values(
        "kms:EncryptionContextKeys",
        context.keys().map(String::as_str),
    );
}

/// aws:RequestTag/<key> for each tag and aws:TagKeys.
pub(crate) fn set_request_tags(c: &mut Context, tags: &[(String, String)]) {
    for (k, v) in tags {
        c.set(&format!("aws:RequestTag/{k}"), v.as_str());
    }
    c.set_values("aws:TagKeys", tags.iter().map(|(k, _)| k.as_str()));
}

/// The CreateGrant keys: kms:GrantOperations, kms:GranteePrincipal,
/// kms:GranteeServicePrincipal, kms:RetiringPrincipal, kms:RetiringServicePrincipal,
/// kms:GrantConstraintType and kms:GrantConstraintSourceArn.
pub(crate) fn set_grant_request(c: &mut Context, grant: &GrantRequest) {
    c.set_values(
        "kms:GrantOperations",
        grant.operations.iter().map(String::as_str),
    );
    let principals = [
        ("kms:GranteePrincipal", &grant.grantee_principal),
        (
            "kms:GranteeServicePrincipal",
            &grant.grantee_service_principal,
        ),
        ("kms:RetiringPrincipal", &grant.retiring_principal),
        (
            "kms:RetiringServicePrincipal",
            &grant.retiring_service_principal,
        ),
    ];
    for (key, value) in principals {
        if let Some(value) = value {
            c.set(key, value.as_str());
        }
    }
    let Some(constraints) = &grant.constraints else {
        return;
    };
    let mut types = Vec::with_capacity(2);
    if constraints.encryption_context_equals.is_some() {
        types.push("EncryptionContextEquals");
    }
    if constraints.encryption_context_subset.is_some() {
        types.push("EncryptionContextSubset");
    }
    if !types.is_empty() {
        c.set_values("kms:GrantConstraintType", types);
    }
    if let Some(arn) = &constraints.source_arn {
        c.set("kms:GrantConstraintSourceArn", arn.as_str());
    }
}

/// The encryption context of a grant's constraints, as CreateGrant's
/// kms:EncryptionContext:<key> keys see it (both constraint maps together).
pub(crate) fn constraint_context(
    constraints: Option<&GrantConstraintSet>,
) -> BTreeMap<String, String> {
    let Some(c) = constraints else {
        return BTreeMap::new();
    };
    let maps = [&c.encryption_context_equals, &c.encryption_context_subset];
    maps.into_iter()
        .flatten()
        .flat_map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect()
}

/// `true` / `false`, as condition values.
pub(crate) fn bool_text(value: bool) -> &'static str {
    if value { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grant_keys() {
        let grant = GrantRequest {
            grantee_principal: Some("arn:aws:iam::111122223333:role/app".into()),
            operations: vec!["Decrypt".into(), "Encrypt".into()],
            constraints: Some(GrantConstraintSet {
                encryption_context_subset: Some([("a".into(), "b".into())].into()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let mut c = Context::new();
        set_grant_request(&mut c, &grant);
        assert_eq!(c.get("kms:GrantOperations").map(<[String]>::len), Some(2));
        assert_eq!(
            c.get_one("kms:GrantConstraintType"),
            Some("EncryptionContextSubset")
        );
        assert!(c.get("kms:RetiringPrincipal").is_none());
        let ec = constraint_context(grant.constraints.as_ref());
        assert_eq!(ec.get("a").map(String::as_str), Some("b"));
    }

    #[test]
    fn empty_context_sets_nothing() {
        let mut c = Context::new();
        set_encryption_context(&mut c, &BTreeMap::new());
        assert_eq!(c, Context::new());
        set_encryption_context(&mut c, &[("Dept".into(), "IT".into())].into());
        assert_eq!(c.get_one("kms:encryptioncontext:dept"), Some("IT"));
        assert_eq!(c.get_one("kms:EncryptionContextKeys"), Some("Dept"));
    }
}
