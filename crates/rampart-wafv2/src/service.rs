//! `Wafv2Service`: WAFv2 behind the generated `Wafv2Api` (served through the generated
//! `Endpoint`), with what every operation shares: finding a resource by scope, name and id
//! or by ARN, lock tokens, committing with compare-and-swap, reference resolution and
//! in-use checks.

use crate::arn::{Kind, Location, Scope};
use crate::errors::{internal, nonexistent, optimistic_lock};
use crate::record::{Resource, Tables, location_row, resource_row, scope_prefix};
use rampart_codec::ServiceError;
use rampart_core::{Clock, RequestContext};
use rampart_store::{Expect, Store, Versioned, Write};
use std::collections::HashMap;
use std::sync::Arc;

/// Attempts at a compare-and-swap write before giving up.
pub(crate) const CAS_ATTEMPTS: usize = 8;
/// Rows read per store scan.
const SCAN_BATCH: usize = 200;

/// The WAFv2 service.
pub struct Wafv2Service {
    pub(crate) store: Store,
    pub(crate) tables: Tables,
    pub(crate) clock: Arc<dyn Clock>,
    /// What the service shares with the edge filter (change signal, samples, counters).
    pub(crate) shared: crate::edge::Shared,
}

impl std::fmt::Debug for Wafv2Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wafv2Service").finish_non_exhaustive()
    }
}

/// What the referenced resources give a rule group or web ACL being written: writes that
/// hold them at the version read (so a concurrent delete of one of them conflicts) and the
/// rule groups' capacities.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    pub guards: Vec<Write>,
    pub capacities: HashMap<String, i64>,
}

impl Wafv2Service {
    /// WAFv2 over `store` on the service clock `clock`.
    pub fn new(store: Store, clock: Arc<dyn Clock>) -> Self {
        Wafv2Service {
            tables: Tables::new(&store),
            store,
            clock,
            shared: crate::edge::Shared::default(),
        }
    }

    /// What the service shares with the edge filter.
    pub fn shared(&self) -> &crate::edge::Shared {
        &self.shared
    }

    /// Tells the edge filter that WAFv2 resources changed.
    pub(crate) fn changed(&self) {
        self.shared.changed.notify_one();
    }

    /// Milliseconds since the epoch on the service clock.
    pub(crate) fn now_ms(&self) -> i64 {
        let millis = self.clock.now().unix_timestamp_nanos() / 1_000_000;
        i64::try_from(millis).unwrap_or(i64::MAX)
    }

    /// The location of a new resource `name` of `kind` for the caller.
    pub(crate) fn locate(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        scope: Scope,
        name: &str,
    ) -> Location {
        Location {
            region: ctx.region.as_str().to_owned(),
            account: ctx.account().as_str().to_owned(),
            scope,
            kind,
            name: name.to_owned(),
            id: crate::arn::new_uuid(),
        }
    }

    /// The resource of `kind` named `name` with id `id` in the caller's `scope`.
    pub(crate) async fn find(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        scope: Scope,
        name: &str,
        id: &str,
    ) -> Result<Versioned<Resource>, ServiceError> {
        let row = resource_row(ctx.account().as_str(), ctx.region.as_str(), scope, name);
        let found = self.tables.of(kind).get(&row).await.map_err(internal)?;
        let found = found.filter(|f| f.value.id == id).ok_or_else(nonexistent)?;
        ctx.note_resource(found.value.arn.clone(), resource_type(kind));
        Ok(found)
    }

    /// The resource at `loc`, if it exists.
    pub(crate) async fn at(
        &self,
        loc: &Location,
    ) -> Result<Option<Versioned<Resource>>, ServiceError> {
        let found = self.tables.of(loc.kind).get(&location_row(loc)).await;
        Ok(found.map_err(internal)?.filter(|f| f.value.id == loc.id))
    }

    /// The caller's resource with ARN `arn` (of `kind` when given); `field` names the ARN in
    /// a format error.
    pub(crate) async fn find_arn(
        &self,
        ctx: &RequestContext,
        arn: &str,
        kind: Option<Kind>,
        field: &str,
    ) -> Result<Versioned<Resource>, ServiceError> {
        let loc = Location::of_caller(ctx, arn, kind, field)?;
        let found = self.at(&loc).await?.ok_or_else(nonexistent)?;
        ctx.note_resource(found.value.arn.clone(), resource_type(loc.kind));
        Ok(found)
    }

    /// Writes `record` with `expect` and `extra`; `Ok(false)` on a conflict (retry).
    pub(crate) async fn commit(
        &self,
        record: &Resource,
        expect: Expect,
        mut extra: Vec<Write>,
    ) -> Result<bool, ServiceError> {
        let row = resource_row(
            &account_of(&record.arn),
            &region_of(&record.arn),
            record.scope,
            &record.name,
        );
        let put = self.tables.of(record.kind).put(&row, record, expect);
        extra.push(put.map_err(internal)?);
        match self.store.transact(extra).await {
            Ok(()) => {
                self.changed();
                Ok(true)
            }
            Err(e) if e.is_conflict() => Ok(false),
            Err(e) => Err(internal(e)),
        }
    }

    /// Resolves the ARNs `references` of rules written in the caller's `scope`: each must
    /// name an existing IP set, regex pattern set or rule group there.
    pub(crate) async fn resolve(
        &self,
        ctx: &RequestContext,
        scope: Scope,
        references: &[String],
    ) -> Result<Resolved, ServiceError> {
        let mut out = Resolved::default();
        for arn in references {
            let loc = Location::parse(arn).filter(|l| l.kind != Kind::WebAcl);
            let loc = loc.ok_or_else(|| crate::errors::bad_format("STATEMENT", arn))?;
            let own = loc.account == ctx.account().as_str() && loc.region == ctx.region.as_str();
            if !own || loc.scope != scope {
                return Err(nonexistent());
            }
            let found = self.at(&loc).await?.ok_or_else(nonexistent)?;
            if let Some(capacity) = found.value.body.get("Capacity").and_then(|c| c.as_i64()) {
                out.capacities.insert(arn.clone(), capacity);
            }
            let guard = self.tables.of(loc.kind).put(
                &location_row(&loc),
                &found.value,
                Expect::Version(found.version),
            );
            out.guards.push(guard.map_err(internal)?);
        }
        Ok(out)
    }

    /// True when a rule group or web ACL of the caller's `scope` references `arn`.
    pub(crate) async fn referenced(
        &self,
        ctx: &RequestContext,
        scope: Scope,
        arn: &str,
    ) -> Result<bool, ServiceError> {
        let prefix = scope_prefix(ctx.account().as_str(), ctx.region.as_str(), scope);
        for table in [&self.tables.rule_groups, &self.tables.web_acls] {
            let mut after: Option<String> = None;
            loop {
                let rows = table
                    .scan(&prefix, after.as_deref(), SCAN_BATCH)
                    .await
                    .map_err(internal)?;
                if rows
                    .iter()
                    .any(|(_, r)| r.value.references.iter().any(|a| a == arn))
                {
                    return Ok(true);
                }
                if rows.len() < SCAN_BATCH {
                    break;
                }
                after = rows.last().map(|(key, _)| key.clone());
            }
        }
        Ok(false)
    }

    /// A page of the caller's resources of `kind` in `scope` after the name `marker`, by
    /// name; with the marker of the next page.
    pub(crate) async fn page(
        &self,
        ctx: &RequestContext,
        kind: Kind,
        scope: Scope,
        marker: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Resource>, Option<String>), ServiceError> {
        let prefix = scope_prefix(ctx.account().as_str(), ctx.region.as_str(), scope);
        let after = marker.map(|m| format!("{prefix}{m}"));
        let mut rows = self
            .tables
            .of(kind)
            .scan(&prefix, after.as_deref(), limit + 1)
            .await
            .map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let items: Vec<Resource> = rows.into_iter().map(|(_, r)| r.value).collect();
        let next = if more {
            items.last().map(|r| r.name.clone())
        } else {
            None
        };
        Ok((items, next))
    }
}

/// Checks the caller's `token` against the resource's current lock token.
pub(crate) fn check_token(record: &Resource, token: &str) -> Result<(), ServiceError> {
    if record.lock_token == token {
        Ok(())
    } else {
        Err(optimistic_lock())
    }
}

/// CloudTrail's resource type for `kind`.
pub(crate) fn resource_type(kind: Kind) -> &'static str {
    match kind {
        Kind::IpSet => "AWS::WAFv2::IPSet",
        Kind::RegexPatternSet => "AWS::WAFv2::RegexPatternSet",
        Kind::RuleGroup => "AWS::WAFv2::RuleGroup",
        Kind::WebAcl => "AWS::WAFv2::WebACL",
    }
}

fn account_of(arn: &str) -> String {
    Location::parse(arn).map(|l| l.account).unwrap_or_default()
}

fn region_of(arn: &str) -> String {
    Location::parse(arn).map(|l| l.region).unwrap_or_default()
}

/// The error after every compare-and-swap attempt conflicted.
pub(crate) fn kept_conflicting() -> ServiceError {
    tracing::error!("WAFv2 writes kept conflicting");
    crate::errors::internal_error()
}

impl crate::generated::Wafv2Handler for Wafv2Service {
    type Error = ServiceError;
}
