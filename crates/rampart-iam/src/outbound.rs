//! Outbound identity federation as IAM keeps it per account (the issuer that
//! EnableOutboundWebIdentityFederation mints, in the account settings, and its claim row) and
//! what STS reads of it: the account's issuer while enabled (GetWebIdentityToken), and the
//! account whose enabled issuer an id names (the issuer's discovery documents).

use crate::account_records::OutboundFederation;
use crate::account_tables::AccountTables;
use crate::directory::{Directory, DirectoryError};

/// The path of the issuers under the server's public URL: `<public URL>` +
/// `/_rampart/sts/outbound/<issuer id>`.
pub const ISSUER_PATH: &str = "/_rampart/sts/outbound/";

/// The issuer URL of `issuer_id` on a server reached at `public_url` (no trailing slash).
pub fn issuer_url(public_url: &str, issuer_id: &str) -> String {
    format!("{public_url}{ISSUER_PATH}{issuer_id}")
}

impl Directory {
    /// The outbound federation of `account` while it is enabled.
    pub async fn outbound_federation(
        &self,
        account: &str,
    ) -> Result<Option<OutboundFederation>, DirectoryError> {
        let tables = AccountTables::new(&self.tables.store);
        let found = tables.settings.get(account).await.map_err(internal)?;
        Ok(found
            .and_then(|settings| settings.value.outbound_federation)
            .filter(|federation| federation.enabled))
    }

    /// The account whose issuer has id `issuer_id`, and that issuer, while it is enabled.
    pub async fn outbound_issuer(
        &self,
        issuer_id: &str,
    ) -> Result<Option<(String, OutboundFederation)>, DirectoryError> {
        let tables = AccountTables::new(&self.tables.store);
        let claim = tables.outbound_issuers.get(issuer_id).await;
        let Some(claim) = claim.map_err(internal)? else {
            return Ok(None);
        };
        let account = claim.value.account;
        let federation = self.outbound_federation(&account).await?;
        Ok(federation
            .filter(|f| f.issuer_id == issuer_id)
            .map(|f| (account, f)))
    }
}

/// A store failure as the directory reports it.
fn internal(err: impl std::fmt::Display) -> DirectoryError {
    DirectoryError::Internal(err.to_string())
}
