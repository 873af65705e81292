//! Grants in the authorization step: a request no policy allows (and none denies) is allowed
//! when a grant on the key names the caller for the operation and its constraints hold. A grant
//! found this way takes effect at once (no grant token needed). CreateGrant allowed only by a
//! grant may ask only for that grant's operations and constraints at least as strict.

use super::Ask;
use crate::KmsService;
use crate::domain::grants::{GrantConstraintSet, GrantRequest};
use crate::domain::{GrantRecord, KeyRecord, KmsError};
use rampart_core::RequestContext;
use std::collections::BTreeMap;

/// Grant operations: the actions a grant can allow (`kms:` + name).
const GRANT_OPERATIONS: [&str; 19] = [
    "CreateGrant",
    "Decapsulate",
    "Decrypt",
    "DeriveSharedSecret",
    "DescribeKey",
    "Encapsulate",
    "Encrypt",
    "GenerateDataKey",
    "GenerateDataKeyPair",
    "GenerateDataKeyPairWithoutPlaintext",
    "GenerateDataKeyWithoutPlaintext",
    "GenerateMac",
    "GetPublicKey",
    "ReEncryptFrom",
    "ReEncryptTo",
    "RetireGrant",
    "Sign",
    "Verify",
    "VerifyMac",
];

/// The grant operation of `action`, if a grant can allow it.
fn grant_operation(action: &str) -> Option<&'static str> {
    let name = action.strip_prefix("kms:")?;
    GRANT_OPERATIONS.iter().copied().find(|op| *op == name)
}

impl KmsService {
    /// True when a grant on `key` allows what `ask` asks to the caller.
    pub(super) async fn granted(
        &self,
        ctx: &RequestContext,
        key: &KeyRecord,
        ask: &Ask<'_>,
    ) -> Result<bool, KmsError> {
        let Some(operation) = grant_operation(ask.action) else {
            return Ok(false);
        };
        let empty = BTreeMap::new();
        let context = match ask.grant {
            Some(_) => &empty,
            None => ask.context.unwrap_or(&empty),
        };
        let grants = self
            .grants_allowing(key, &ctx.principal.arn, operation, context)
            .await?;
        Ok(match ask.grant {
            Some(child) => grants.iter().any(|parent| within_parent(child, parent)),
            None => !grants.is_empty(),
        })
    }
}

/// True when `child` (a CreateGrant request) stays within `parent`: only operations the parent
/// has, and constraints at least as strict as the parent's.
pub(crate) fn within_parent(child: &GrantRequest, parent: &GrantRecord) -> bool {
    child
        .operations
        .iter()
        .all(|o| parent.operations.contains(o))
        && constraints_within(child.constraints.as_ref(), parent.constraints.as_ref())
}

fn constraints_within(
    child: Option<&GrantConstraintSet>,
    parent: Option<&GrantConstraintSet>,
) -> bool {
    let Some(parent) = parent else {
        return true;
    };
    let none = GrantConstraintSet::default();
    let child = child.unwrap_or(&none);
    if parent.source_arn.is_some() && child.source_arn != parent.source_arn {
        return false;
    }
    if let Some(want) = &parent.encryption_context_equals {
        let same = child
            .encryption_context_equals
            .as_ref()
            .is_some_and(|have| lowered(have) == lowered(want));
        if !same {
            return false;
        }
    }
    if let Some(want) = &parent.encryption_context_subset {
        let covers = |have: &Option<BTreeMap<String, String>>| {
            have.as_ref().is_some_and(|have| {
                let have = lowered(have);
                lowered(want).iter().all(|(k, v)| have.get(k) == Some(v))
            })
        };
        if !covers(&child.encryption_context_equals) && !covers(&child.encryption_context_subset) {
            return false;
        }
    }
    true
}

/// Context pairs with their keys lower-cased (grant constraints compare keys case-insensitively).
fn lowered(map: &BTreeMap<String, String>) -> BTreeMap<String, &str> {
    map.iter()
        .map(|(k, v)| (k.to_lowercase(), v.as_str()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> Option<BTreeMap<String, String>> {
        Some(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        )
    }

    fn parent(ops: &[&str], constraints: Option<GrantConstraintSet>) -> GrantRecord {
        GrantRecord {
            schema: 1,
            grant_id: "g".into(),
            key_id: "k".into(),
            account: "111122223333".into(),
            region: "us-east-1".into(),
            name: None,
            grantee_principal: Some("arn:aws:iam::111122223333:role/app".into()),
            grantee_service_principal: None,
            retiring_principal: None,
            retiring_service_principal: None,
            operations: ops.iter().map(|o| (*o).into()).collect(),
            constraints,
            created_ms: 0,
        }
    }

    fn child(ops: &[&str], constraints: Option<GrantConstraintSet>) -> GrantRequest {
        GrantRequest {
            operations: ops.iter().map(|o| (*o).into()).collect(),
            constraints,
            ..Default::default()
        }
    }

    #[test]
    fn operations_must_be_the_parents() {
        let p = parent(&["Decrypt", "CreateGrant"], None);
        assert!(within_parent(&child(&["Decrypt"], None), &p));
        assert!(within_parent(&child(&["Decrypt", "CreateGrant"], None), &p));
        assert!(!within_parent(&child(&["Encrypt"], None), &p));
        assert_eq!(grant_operation("kms:ReEncryptFrom"), Some("ReEncryptFrom"));
        assert_eq!(grant_operation("kms:DisableKey"), None);
    }

    #[test]
    fn constraints_at_least_as_strict() {
        let subset = |pairs: &[(&str, &str)]| GrantConstraintSet {
            encryption_context_subset: map(pairs),
            ..Default::default()
        };
        let equals = |pairs: &[(&str, &str)]| GrantConstraintSet {
            encryption_context_equals: map(pairs),
            ..Default::default()
        };
        let p = parent(&["Decrypt"], Some(subset(&[("Dept", "IT")])));
        let ok = |c: Option<GrantConstraintSet>| within_parent(&child(&["Decrypt"], c), &p);
        assert!(!ok(None));
        assert!(ok(Some(subset(&[("dept", "IT")]))));
        assert!(ok(Some(subset(&[("Dept", "IT"), ("App", "x")]))));
        assert!(ok(Some(equals(&[("Dept", "IT"), ("App", "x")]))));
        assert!(!ok(Some(subset(&[("Dept", "HR")]))));
        assert!(!ok(Some(subset(&[("App", "x")]))));
        let p = parent(&["Decrypt"], Some(equals(&[("Dept", "IT")])));
        let ok = |c: Option<GrantConstraintSet>| within_parent(&child(&["Decrypt"], c), &p);
        assert!(ok(Some(equals(&[("Dept", "IT")]))));
        assert!(!ok(Some(subset(&[("Dept", "IT")]))));
        assert!(!ok(Some(equals(&[("Dept", "IT"), ("App", "x")]))));
    }
}
