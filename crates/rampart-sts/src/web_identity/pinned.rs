//! Key sets pinned for OpenID Connect providers (`rampart iam oidc-keys set PROVIDER_ARN
//! FILE`), for installations that cannot reach the issuer: one row per provider ARN in the
//! `sts_oidc_keys` table. A pinned set is used instead of the issuer's; public keys only, so
//! nothing is sealed.

use super::jwks::Jwks;
use rampart_iam::resources::{ResourceTables, resource_row};
use rampart_store::{Expect, Store, StoreError, Table};
use serde::{Deserialize, Serialize};

/// The pinned key sets, keyed by provider ARN.
pub const OIDC_KEYS: &str = "sts_oidc_keys";

/// One pinned key set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedKeys {
    /// The JWKS document as given.
    pub jwks: String,
    /// When it was pinned (epoch ms).
    pub pinned_ms: i64,
}

fn table(store: &Store) -> Table<PinnedKeys> {
    Table::new(store.clone(), OIDC_KEYS)
}

/// The key set pinned for `provider_arn`, if any (one that no longer parses counts as none).
pub(crate) async fn pinned(store: &Store, provider_arn: &str) -> Result<Option<Jwks>, StoreError> {
    let row = table(store).get(provider_arn).await?;
    Ok(row.and_then(|r| Jwks::parse(r.value.jwks.as_bytes())))
}

/// Pins `jwks` (a JWKS document) for the OIDC provider `provider_arn`, which must exist.
pub async fn set(store: &Store, provider_arn: &str, jwks: &str, now_ms: i64) -> Result<(), String> {
    if Jwks::parse(jwks.as_bytes()).is_none() {
        return Err("the file is not a JSON Web Key Set ({\"keys\": [...]})".into());
    }
    require_provider(store, provider_arn).await?;
    let record = PinnedKeys {
        jwks: jwks.to_owned(),
        pinned_ms: now_ms,
    };
    let put = table(store)
        .put(provider_arn, &record, Expect::Any)
        .map_err(|e| e.to_string())?;
    store.transact(vec![put]).await.map_err(|e| e.to_string())
}

/// Removes the key set pinned for `provider_arn`; whether there was one.
pub async fn clear(store: &Store, provider_arn: &str) -> Result<bool, String> {
    let t = table(store);
    if t.get(provider_arn)
        .await
        .map_err(|e| e.to_string())?
        .is_none()
    {
        return Ok(false);
    }
    let delete = t.delete(provider_arn, Expect::Any);
    store
        .transact(vec![delete])
        .await
        .map_err(|e| e.to_string())?;
    Ok(true)
}

/// Fails unless `arn` (`arn:aws:iam::<account>:oidc-provider/<host/path>`) names a provider.
async fn require_provider(store: &Store, arn: &str) -> Result<(), String> {
    let missing = || format!("no OpenID Connect provider {arn} exists");
    let (account, resource) = split_provider_arn(arn).ok_or_else(missing)?;
    let providers = ResourceTables::new(store).oidc_providers;
    let row = providers
        .get(&resource_row(account, resource))
        .await
        .map_err(|e| e.to_string())?;
    row.map(|_| ()).ok_or_else(missing)
}

/// `(account, host/path)` of an OIDC provider ARN.
pub(crate) fn split_provider_arn(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(":oidc-provider/")?;
    let valid = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (valid && !resource.is_empty()).then_some((account, resource))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_arns_split() {
        assert_eq!(
            split_provider_arn("arn:aws:iam::111122223333:oidc-provider/x.example/id/1"),
            Some(("111122223333", "x.example/id/1"))
        );
        for bad in [
            "arn:aws:iam::111122223333:oidc-provider/",
            "arn:aws:iam::1111:oidc-provider/x",
            "arn:aws:iam::111122223333:saml-provider/x",
        ] {
            assert_eq!(split_provider_arn(bad), None, "{bad}");
        }
    }
}
