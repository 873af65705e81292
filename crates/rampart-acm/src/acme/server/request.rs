//! A POST to an ACME server: the JWS read, its nonce used and its `url` checked against the
//! request, then either a new key (`jwk`: newAccount, revokeCert by certificate key) or an
//! account (`kid`: its account URL) whose key verifies the signature and whose status is
//! `valid`; then the resource is served.

use super::{Call, Reply, segment};
use crate::AcmService;
use crate::acme::jws::Jws;
use crate::acme::problem::Problem;
use crate::acme::record::AccountRecord;
use serde_json::Value;

/// A verified POST by a registered account.
pub struct Signed {
    pub jws: Jws,
    pub account: AccountRecord,
}

impl AcmService {
    /// Serves a POST.
    pub(crate) async fn acme_post(&self, call: &Call<'_>) -> Result<Reply, Problem> {
        let jws = Jws::parse(call.request.body)?;
        let nonce = jws.protected.nonce.clone().ok_or_else(Problem::bad_nonce)?;
        self.use_nonce(&nonce).await?;
        let url = jws.protected.url.clone().unwrap_or_default();
        if url != format!("{}{}", call.base, call.resource) {
            return Err(Problem::unauthorized(
                "The JWS url does not match the request.",
            ));
        }
        match call.resource.as_str() {
            "/new-account" => return self.new_account(call, &jws).await,
            "/revoke-cert" if jws.protected.jwk.is_some() => {
                return self.revoke_by_key(call, &jws).await;
            }
            _ => {}
        }
        let signed = self.signed(call, jws).await?;
        let resource = call.resource.as_str();
        if resource == "/new-order" {
            self.new_order(call, &signed).await
        } else if resource == "/key-change" {
            self.key_change(call, &signed).await
        } else if resource == "/revoke-cert" {
            self.revoke_by_account(call, &signed).await
        } else if let Some(id) = resource
            .strip_suffix("/orders")
            .and_then(|r| segment(r, "/acct/"))
        {
            self.account_orders(call, &signed, id).await
        } else if let Some(id) = segment(resource, "/acct/") {
            self.account_post(call, &signed, id).await
        } else if let Some(rest) = resource.strip_prefix("/order/") {
            match rest.strip_suffix("/finalize") {
                Some(id) => self.finalize(call, &signed, id).await,
                None => self.order_get(call, &signed, rest).await,
            }
        } else if let Some(id) = segment(resource, "/authz/") {
            self.authz_get(call, &signed, id).await
        } else if let Some(rest) = resource.strip_prefix("/chall/") {
            self.challenge_post(call, &signed, rest).await
        } else if let Some(id) = segment(resource, "/cert/") {
            self.certificate_get(call, &signed, id).await
        } else {
            Err(Problem::not_found())
        }
    }

    /// The account a `kid` JWS is from, its signature verified.
    async fn signed(&self, call: &Call<'_>, jws: Jws) -> Result<Signed, Problem> {
        let kid =
            jws.protected.kid.clone().ok_or_else(|| {
                Problem::malformed("This resource requires a kid (an account URL).")
            })?;
        let id = kid
            .rsplit_once("/acct/")
            .map(|(_, id)| id)
            .ok_or_else(Problem::account_does_not_exist)?;
        let account = self
            .acme_account(call, id)
            .await?
            .ok_or_else(Problem::account_does_not_exist)?;
        let jwk: Value =
            serde_json::from_str(&account.jwk).map_err(|_| Problem::server_internal())?;
        jws.verify(&jwk)?;
        if account.status != "VALID" {
            return Err(Problem::unauthorized(format!(
                "The account is {}.",
                account.status.to_ascii_lowercase()
            )));
        }
        Ok(Signed { jws, account })
    }

    /// The account `id` of the call's endpoint.
    pub(crate) async fn acme_account(
        &self,
        call: &Call<'_>,
        id: &str,
    ) -> Result<Option<AccountRecord>, Problem> {
        let row = format!("{}{id}", call.endpoint.child_prefix());
        let found = self.acme.accounts.get(&row).await;
        Ok(found
            .map_err(|_| Problem::server_internal())?
            .map(|f| f.value))
    }
}
