//! ACME accounts (RFC 8555 sections 7.3, 7.3.4, 7.3.5): newAccount with the external account
//! binding the endpoint requires (an HS256 JWS over the account key, by a binding of this
//! endpoint that is neither revoked nor expired), the same key answering its existing
//! account, account updates and deactivation, and key rollover.

use super::request::Signed;
use super::{Call, Reply};
use crate::AcmService;
use crate::acme::jws::{Jws, public_jwk, thumbprint};
use crate::acme::problem::Problem;
use crate::acme::record::{AccountRecord, BindingRecord};
use crate::acme::rows::scan_all;
use rampart_store::Expect;
use serde::Deserialize;
use serde_json::{Value, json};

/// The newAccount payload.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewAccount {
    #[serde(default)]
    contact: Option<Vec<String>>,
    #[serde(default)]
    only_return_existing: bool,
    #[serde(default)]
    external_account_binding: Option<Value>,
}

/// The account object.
fn account_json(record: &AccountRecord) -> Value {
    json!({
        "status": record.status.to_ascii_lowercase(),
        "contact": record.contacts,
        "orders": format!("{}/orders", record.url),
    })
}

/// Contacts must be `mailto:` URLs.
fn check_contacts(contacts: &[String]) -> Result<(), Problem> {
    match contacts
        .iter()
        .find(|c| !c.starts_with("mailto:") || c.len() < 8)
    {
        Some(bad) => Err(Problem::invalid_contact(format!(
            "The contact {bad} is not a mailto: URL."
        ))),
        None => Ok(()),
    }
}

impl AcmService {
    /// newAccount.
    pub(crate) async fn new_account(&self, call: &Call<'_>, jws: &Jws) -> Result<Reply, Problem> {
        let jwk = jws
            .protected
            .jwk
            .clone()
            .ok_or_else(|| Problem::malformed("newAccount must be signed with a jwk."))?;
        jws.verify(&jwk)?;
        let key = public_jwk(&jwk)?;
        let print = thumbprint(&key)?;
        let payload: NewAccount = jws.json()?;
        if let Some(existing) = self.account_by_key(call, &print).await? {
            return Ok(Reply::json(200, &account_json(&existing)).at(existing.url));
        }
        if payload.only_return_existing {
            return Err(Problem::account_does_not_exist());
        }
        let contacts = payload.contact.unwrap_or_default();
        check_contacts(&contacts)?;
        if call.record.contact == "REQUIRED" && contacts.is_empty() {
            return Err(Problem::invalid_contact(
                "This endpoint requires a contact.",
            ));
        }
        let eab = payload
            .external_account_binding
            .ok_or_else(Problem::eab_required)?;
        let binding = self.check_binding(call, &eab, &key).await?;
        let id = uuid::Uuid::new_v4().simple().to_string();
        let url = format!("{}/acct/{id}", call.base);
        let record = AccountRecord {
            id: id.clone(),
            endpoint_arn: call.endpoint.arn.clone(),
            url: url.clone(),
            jwk: key.to_string(),
            thumbprint: print,
            contacts,
            status: "VALID".to_owned(),
            binding_arn: Some(binding.arn.clone()),
            role_arn: Some(binding.role_arn.clone()),
            created_ms: self.now_ms(),
        };
        self.store_account(call, &record, Some(binding)).await?;
        Ok(Reply::json(201, &account_json(&record)).at(url))
    }

    /// The binding an external account binding JWS names, checked and verified over `key`.
    async fn check_binding(
        &self,
        call: &Call<'_>,
        eab: &Value,
        key: &Value,
    ) -> Result<BindingRecord, Problem> {
        let inner = Jws::parse(eab.to_string().as_bytes())?;
        let refused = |why: &str| Problem::unauthorized(format!("External account binding: {why}"));
        if inner.protected.url.as_deref() != Some(&format!("{}/new-account", call.base)) {
            return Err(refused("its url is not this newAccount URL."));
        }
        let kid = inner
            .protected
            .kid
            .clone()
            .ok_or_else(|| refused("no kid."))?;
        let row = format!("{}{kid}", call.endpoint.child_prefix());
        let found = self.acme.bindings.get(&row).await;
        let found = found.map_err(|_| Problem::server_internal())?;
        let binding = found.ok_or_else(|| refused("unknown key id."))?.value;
        let mac_key = self
            .open_mac_key(&binding)
            .map_err(|_| Problem::server_internal())?;
        inner.verify_hs256(&mac_key)?;
        let bound: Value = inner.json()?;
        if public_jwk(&bound)? != *key {
            return Err(refused("it does not bind the account key."));
        }
        let now = self.now_ms();
        if binding.revoked_ms.is_some() {
            return Err(refused("the binding is revoked."));
        }
        if binding.expires_ms.is_some_and(|at| at <= now) {
            return Err(refused("the binding has expired."));
        }
        Ok(binding)
    }

    /// Stores a new or changed account (and marks the binding used).
    async fn store_account(
        &self,
        call: &Call<'_>,
        record: &AccountRecord,
        binding: Option<BindingRecord>,
    ) -> Result<(), Problem> {
        let prefix = call.endpoint.child_prefix();
        let row = format!("{prefix}{}", record.id);
        let mut writes = vec![self.acme.accounts.put(&row, record, Expect::Any)];
        if let Some(mut binding) = binding {
            binding.last_used_ms = Some(self.now_ms());
            let id = binding.key_id.clone();
            let put = self
                .acme
                .bindings
                .put(&format!("{prefix}{id}"), &binding, Expect::Any);
            writes.push(put);
        }
        let writes: Result<Vec<_>, _> = writes.into_iter().collect();
        let writes = writes.map_err(|_| Problem::server_internal())?;
        self.store
            .transact(writes)
            .await
            .map_err(|_| Problem::server_internal())
    }

    /// The endpoint's account with the key of thumbprint `print`.
    async fn account_by_key(
        &self,
        call: &Call<'_>,
        print: &str,
    ) -> Result<Option<AccountRecord>, Problem> {
        let rows = scan_all(&self.acme.accounts, &call.endpoint.child_prefix()).await;
        let rows = rows.map_err(|_| Problem::server_internal())?;
        Ok(rows
            .into_iter()
            .map(|(_, a)| a)
            .find(|a| a.thumbprint == print))
    }

    /// POST to an account URL: read it, update its contacts, or deactivate it.
    pub(crate) async fn account_post(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        if signed.account.id != id {
            return Err(Problem::unauthorized(
                "The account URL is not the signer's.",
            ));
        }
        let mut record = signed.account.clone();
        if signed.jws.payload.is_empty() {
            return Ok(Reply::json(200, &account_json(&record)));
        }
        let update: Value = signed.jws.json()?;
        if let Some(contacts) = update.get("contact") {
            let contacts: Vec<String> = serde_json::from_value(contacts.clone())
                .map_err(|_| Problem::malformed("contact must be a list of URLs."))?;
            check_contacts(&contacts)?;
            record.contacts = contacts;
        }
        if update.get("status").and_then(Value::as_str) == Some("deactivated") {
            record.status = "DEACTIVATED".to_owned();
        }
        self.store_account(call, &record, None).await?;
        Ok(Reply::json(200, &account_json(&record)))
    }

    /// POST-as-GET of an account's orders list (RFC 8555 section 7.1.2.1): its orders that
    /// have not expired, newest last.
    pub(crate) async fn account_orders(
        &self,
        call: &Call<'_>,
        signed: &Signed,
        id: &str,
    ) -> Result<Reply, Problem> {
        if signed.account.id != id {
            return Err(Problem::unauthorized(
                "The account URL is not the signer's.",
            ));
        }
        let rows = scan_all(&self.acme_server.orders, &call.endpoint.child_prefix()).await;
        let mut orders: Vec<_> = rows
            .map_err(|_| Problem::server_internal())?
            .into_iter()
            .map(|(_, o)| o)
            .filter(|o| o.account_id == id && o.expires_ms > self.now_ms())
            .collect();
        orders.sort_by_key(|o| o.expires_ms);
        let urls: Vec<String> = orders
            .iter()
            .map(|o| format!("{}/order/{}", call.base, o.id))
            .collect();
        Ok(Reply::json(200, &json!({ "orders": urls })))
    }

    /// keyChange: the inner JWS, signed by the new key, names the account and its old key.
    pub(crate) async fn key_change(
        &self,
        call: &Call<'_>,
        signed: &Signed,
    ) -> Result<Reply, Problem> {
        let outer: Value = signed.jws.json()?;
        let inner = Jws::parse(outer.to_string().as_bytes())?;
        let new_jwk = inner
            .protected
            .jwk
            .clone()
            .ok_or_else(|| Problem::malformed("The inner JWS must carry the new jwk."))?;
        inner.verify(&new_jwk)?;
        if inner.protected.url != signed.jws.protected.url {
            return Err(Problem::malformed(
                "The inner JWS url differs from the outer.",
            ));
        }
        let body: Value = inner.json()?;
        let old: Value =
            serde_json::from_str(&signed.account.jwk).map_err(|_| Problem::server_internal())?;
        let names_account =
            body.get("account").and_then(Value::as_str) == signed.jws.protected.kid.as_deref();
        let old_given = body.get("oldKey").map(public_jwk).transpose()?;
        if !names_account || old_given.as_ref() != Some(&old) {
            return Err(Problem::unauthorized(
                "The key change names another account or key.",
            ));
        }
        let key = public_jwk(&new_jwk)?;
        let print = thumbprint(&key)?;
        if self.account_by_key(call, &print).await?.is_some() {
            return Err(Problem {
                kind: "malformed",
                detail: "The new key is already in use.".to_owned(),
                status: 409,
            });
        }
        let mut record = signed.account.clone();
        record.jwk = key.to_string();
        record.thumbprint = print;
        self.store_account(call, &record, None).await?;
        Ok(Reply::json(200, &account_json(&record)))
    }
}
