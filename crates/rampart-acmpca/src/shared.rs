//! CAs shared with other accounts: an index of the CAs that have a resource policy
//! (`acmpca_shared`, `<region>/<account>/<ca id>`, written in PutPolicy's and DeletePolicy's
//! transactions) and ListCertificateAuthorities with ResourceOwner OTHER_ACCOUNTS over it: the
//! CAs of other accounts whose policy names the caller's account (its id, or an ARN in it).

use crate::generated::*;
use crate::ops::describe::{decode_token, shape};
use crate::record::ca_row;
use crate::service::{AcmPcaService, ca_ref, internal};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError, Table, Write};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Index rows of the CAs with a policy, keyed by [`shared_row`].
pub const SHARED: &str = "acmpca_shared";
/// Index rows read per scan page.
const SCAN_PAGE: usize = 200;

/// One CA with a resource policy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SharedRecord {
    pub arn: String,
}

/// The index row of CA `id` of `account` in `region` (Region first, so one Region scans).
pub fn shared_row(region: &str, account: &str, id: &str) -> String {
    format!("{region}/{account}/{id}")
}

/// The index over `store`.
fn index(store: &rampart_store::Store) -> Table<SharedRecord> {
    Table::new(store.clone(), SHARED)
}

impl AcmPcaService {
    /// The index write that goes with setting (`shared`) or removing the policy of `arn`.
    pub(crate) fn shared_write(&self, arn: &str, shared: bool) -> Result<Write, StoreError> {
        let row = match ca_ref(arn) {
            Ok(ca) => shared_row(&ca.region, &ca.account, &ca.id),
            Err(_) => return Err(StoreError::Backend("not a CA ARN".into())),
        };
        let table = index(&self.store);
        match shared {
            true => table.put(&row, &SharedRecord { arn: arn.into() }, Expect::Any),
            false => Ok(table.delete(&row, Expect::Any)),
        }
    }

    /// ListCertificateAuthorities for ResourceOwner OTHER_ACCOUNTS.
    pub(crate) async fn list_shared(
        &self,
        ctx: &RequestContext,
        input: &ListCertificateAuthoritiesRequest,
        limit: usize,
    ) -> Result<ListCertificateAuthoritiesResponse, ServiceError> {
        let after = input.next_token.as_deref().map(decode_token).transpose()?;
        let mut found = self.shared_page(ctx, after, limit + 1).await?;
        let more = found.len() > limit;
        found.truncate(limit);
        let next_token = match more {
            true => found
                .last()
                .and_then(|ca| ca.arn.as_deref())
                .and_then(token_after),
            false => None,
        };
        Ok(ListCertificateAuthoritiesResponse {
            certificate_authorities: Some(found),
            next_token,
        })
    }

    /// Up to `wanted` CAs shared with the caller, in index order after row `after`.
    async fn shared_page(
        &self,
        ctx: &RequestContext,
        mut after: Option<String>,
        wanted: usize,
    ) -> Result<Vec<CertificateAuthority>, ServiceError> {
        let caller = ctx.account().as_str();
        let prefix = format!("{}/", ctx.region.as_str());
        let now = self.now_ms();
        let mut found = Vec::new();
        loop {
            let page = index(&self.store)
                .scan(&prefix, after.as_deref(), SCAN_PAGE)
                .await
                .map_err(internal)?;
            let full = page.len() == SCAN_PAGE;
            for (row, shared) in page {
                after = Some(row);
                found.extend(self.shared_with(&shared.value.arn, caller, now).await?);
                if found.len() == wanted {
                    return Ok(found);
                }
            }
            if !full {
                return Ok(found);
            }
        }
    }

    /// CA `arn` as the wire shape when it is another account's and its policy names `caller`.
    async fn shared_with(
        &self,
        arn: &str,
        caller: &str,
        now: i64,
    ) -> Result<Option<CertificateAuthority>, ServiceError> {
        let Ok(ca) = ca_ref(arn) else {
            return Ok(None);
        };
        if ca.account == caller {
            return Ok(None);
        }
        let row = ca_row(&ca.account, &ca.region, &ca.id);
        let found = self.tables.authorities.get(&row).await.map_err(internal)?;
        let Some(mut record) = found.map(|v| v.value) else {
            return Ok(None);
        };
        let names = record
            .governance
            .policy
            .as_deref()
            .is_some_and(|policy| names_account(policy, caller));
        record.expire_at(now);
        Ok(names.then(|| shape(&ca.account, &record)))
    }
}

/// The NextToken continuing after CA `arn`'s index row.
fn token_after(arn: &str) -> Option<String> {
    let ca = ca_ref(arn).ok()?;
    Some(URL_SAFE_NO_PAD.encode(shared_row(&ca.region, &ca.account, &ca.id)))
}

/// Whether an Allow statement of `policy` names `account`: its id, or an ARN in it.
fn names_account(policy: &str, account: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<Value>(policy) else {
        return false;
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    statements.iter().any(|s| {
        let aws = s.get("Principal").and_then(|p| p.get("AWS"));
        let names: Vec<&str> = match aws {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        s.get("Effect") == Some(&Value::from("Allow"))
            && names
                .iter()
                .any(|n| *n == account || arn_account(n) == Some(account))
    })
}

/// The account of an IAM ARN (`arn:<partition>:iam::<account>:...`).
fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    match (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) {
        (Some("arn"), Some(_), Some("iam"), Some(""), Some(account)) => Some(account),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_name_accounts_by_id_or_arn() {
        let policy = |principal: &str| {
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":{principal}}},"Action":"acm-pca:GetCertificate","Resource":"*"}}]}}"#
            )
        };
        assert!(names_account(&policy(r#""444455556666""#), "444455556666"));
        let arns = r#"["arn:aws:iam::111111111111:root","arn:aws:iam::444455556666:user/u"]"#;
        assert!(names_account(&policy(arns), "444455556666"));
        assert!(!names_account(&policy(r#""*""#), "444455556666"));
        assert!(!names_account(&policy(r#""777788889999""#), "444455556666"));
        assert!(!names_account("not json", "444455556666"));
    }
}
