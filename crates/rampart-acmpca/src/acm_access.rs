//! ACM's question to the CA: may the ACM service principal issue (or read, or list the
//! permissions of) a private certificate from this CA for a certificate of `account`? AWS
//! answers yes only through a permission (CreatePermission) of the CA's own account, for that
//! source account; certificates of other accounts go through the CA's resource policy on the
//! requester's own identity instead (see `access.rs`).

use crate::ops::permissions::ACM_PRINCIPAL;
use crate::service::{AcmPcaService, ca_ref};

impl AcmPcaService {
    /// Whether ACM may issue (and so renew) certificates of `account` from CA `ca_arn`: the
    /// CA exists, is not DELETED, lies in `account` and has a permission granting
    /// `acm.amazonaws.com` IssueCertificate for it.
    pub async fn acm_permitted(&self, ca_arn: &str, account: &str) -> bool {
        self.acm_permitted_to(ca_arn, account, "IssueCertificate")
            .await
    }

    /// Whether ACM may run `action` (`IssueCertificate`, `GetCertificate` or
    /// `ListPermissions`) on CA `ca_arn` for `account`. A storage fault answers no (logged).
    pub async fn acm_permitted_to(&self, ca_arn: &str, account: &str, action: &str) -> bool {
        let Ok(ca) = ca_ref(ca_arn) else {
            return false;
        };
        if ca.account != account {
            return false;
        }
        let record = match self.tables.authorities.get(&ca.row()).await {
            Ok(Some(found)) => found.value,
            Ok(None) => return false,
            Err(err) => {
                tracing::error!(error = %err, "ACM PCA storage failure reading permissions");
                return false;
            }
        };
        if matches!(record.status.as_str(), "DELETED" | "FAILED") {
            return false;
        }
        record.governance.permissions.iter().any(|p| {
            p.principal == ACM_PRINCIPAL
                && p.source_account.as_deref().is_none_or(|s| s == account)
                && p.actions.iter().any(|a| a == action)
        })
    }
}
