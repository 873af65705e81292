//! Create, Get, Update, Delete and List, shared by IP sets, regex pattern sets, rule groups
//! and web ACLs: names unique per scope, ids and lock tokens as AWS's UUIDs, every Update
//! and Delete checked against the current lock token, deletes refused while the resource
//! is referenced or associated.

use crate::Wafv2Service;
use crate::arn::{Kind, Scope, new_uuid};
use crate::content::{check, complete, create_body, update_body};
use crate::errors::{associated, duplicate, internal};
use crate::ops::json::{limit_of, list, summary, tag_pairs, text};
use crate::ops::tags::check_tags;
use crate::record::{Resource, logging_row, resource_row};
use crate::service::{CAS_ATTEMPTS, check_token, kept_conflicting};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;
use serde_json::{Map, Value, json};

impl Wafv2Service {
    /// Creates a resource of `kind` from Create request `input`; its summary.
    pub(crate) async fn create_resource(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        input: &Map<String, Value>,
    ) -> Result<Value, ServiceError> {
        let scope = Scope::for_request(ctx, text(input, "Scope"))?;
        let loc = self.locate(ctx, kind, scope, text(input, "Name"));
        let draft = create_body(&loc, input);
        let references = check(kind, &draft)?;
        let tags = tag_pairs(list(input, "Tags"));
        check_tags(&tags)?;
        for _ in 0..CAS_ATTEMPTS {
            let resolved = self.resolve(ctx, scope, &references).await?;
            let mut body = draft.clone();
            complete(kind, &mut body, &resolved)?;
            self.compiles(kind, &body, &references).await?;
            let mut record = Resource::new(&loc, new_uuid(), self.now_ms(), body);
            record.tags = tags.clone();
            record.references = references.clone();
            if self
                .commit(&record, Expect::Absent, resolved.guards)
                .await?
            {
                ctx.note_resource(record.arn.clone(), crate::service::resource_type(kind));
                return Ok(json!({"Summary": summary(&record)}));
            }
            if self.exists(ctx, kind, scope, &loc.name).await? {
                return Err(duplicate());
            }
        }
        Err(kept_conflicting())
    }

    async fn exists(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        scope: Scope,
        name: &str,
    ) -> Result<bool, ServiceError> {
        let row = resource_row(ctx.account().as_str(), ctx.region.as_str(), scope, name);
        Ok(self
            .tables
            .of(kind)
            .get(&row)
            .await
            .map_err(internal)?
            .is_some())
    }

    /// The resource a Get request `input` names (by Name, Scope and Id).
    pub(crate) async fn get_resource(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        input: &Map<String, Value>,
    ) -> Result<Resource, ServiceError> {
        let scope = Scope::for_request(ctx, text(input, "Scope"))?;
        let found = self
            .find(ctx, kind, scope, text(input, "Name"), text(input, "Id"))
            .await?;
        Ok(found.value)
    }

    /// Applies Update request `input` to a resource of `kind`; its next lock token.
    pub(crate) async fn update_resource(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        input: &Map<String, Value>,
    ) -> Result<Value, ServiceError> {
        let scope = Scope::for_request(ctx, text(input, "Scope"))?;
        let (name, id) = (text(input, "Name"), text(input, "Id"));
        for _ in 0..CAS_ATTEMPTS {
            let found = self.find(ctx, kind, scope, name, id).await?;
            check_token(&found.value, text(input, "LockToken"))?;
            let mut record = found.value;
            let mut body = update_body(kind, &record.body, input);
            let references = check(kind, &body)?;
            let resolved = self.resolve(ctx, scope, &references).await?;
            complete(kind, &mut body, &resolved)?;
            self.compiles(kind, &body, &references).await?;
            record.body = body;
            record.references = references;
            record.lock_token = new_uuid();
            let expect = Expect::Version(found.version);
            if self.commit(&record, expect, resolved.guards).await? {
                return Ok(json!({"NextLockToken": record.lock_token}));
            }
        }
        Err(kept_conflicting())
    }

    /// Deletes the resource Delete request `input` names, unless it is referenced by a rule
    /// group or web ACL, or (a web ACL) associated with a resource. A web ACL's logging
    /// configuration goes with it.
    pub(crate) async fn delete_resource(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        input: &Map<String, Value>,
    ) -> Result<Value, ServiceError> {
        let scope = Scope::for_request(ctx, text(input, "Scope"))?;
        let (name, id) = (text(input, "Name"), text(input, "Id"));
        for _ in 0..CAS_ATTEMPTS {
            let found = self.find(ctx, kind, scope, name, id).await?;
            check_token(&found.value, text(input, "LockToken"))?;
            let record = &found.value;
            if !record.associations.is_empty() || self.referenced(ctx, scope, &record.arn).await? {
                return Err(associated());
            }
            let (account, region) = (ctx.account().as_str(), ctx.region.as_str());
            let row = resource_row(account, region, scope, name);
            let mut writes = vec![
                self.tables
                    .of(kind)
                    .delete(&row, Expect::Version(found.version)),
            ];
            if kind == Kind::WebAcl {
                let logging = logging_row(account, region, scope, &record.arn);
                writes.push(self.tables.logging.delete(&logging, Expect::Any));
            }
            match self.store.transact(writes).await {
                Ok(()) => {
                    self.changed();
                    return Ok(json!({}));
                }
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(kept_conflicting())
    }

    /// A page of summaries for List request `input`, under `key` (`IPSets`, `WebACLs`, ...).
    pub(crate) async fn list_resources(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        input: &Map<String, Value>,
        key: &str,
    ) -> Result<Value, ServiceError> {
        let scope = Scope::for_request(ctx, text(input, "Scope"))?;
        let marker = input.get("NextMarker").and_then(Value::as_str);
        let (items, next) = self.page(ctx, kind, scope, marker, limit_of(input)).await?;
        let summaries: Vec<Value> = items.iter().map(summary).collect();
        let mut out = json!({ key: summaries });
        if let (Some(next), Some(o)) = (next, out.as_object_mut()) {
            o.insert("NextMarker".into(), json!(next));
        }
        Ok(out)
    }
}
