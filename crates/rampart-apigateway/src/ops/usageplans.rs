//! CreateUsagePlan, GetUsagePlan, GetUsagePlans (`keyId` filter, paged by id),
//! UpdateUsagePlan (`/name`, `/description`, `/throttle/rateLimit|burstLimit`,
//! `/quota/limit|offset|period`, `/apiStages` add and remove of `<api>:<stage>`, and
//! `/apiStages/<api>:<stage>/throttle/<path>/<METHOD>/rateLimit|burstLimit`),
//! DeleteUsagePlan.

use crate::convert::map_of;
use crate::generated::errors::{bad_request_exception, not_found_exception};
use crate::generated::{
    ApiStage, CreateUsagePlan, CreateUsagePlanRequest, DeleteUsagePlan, DeleteUsagePlanRequest,
    GetUsagePlan, GetUsagePlanRequest, GetUsagePlans, GetUsagePlansRequest, QuotaSettings,
    ServiceError, ThrottleSettings, UpdateUsagePlan, UpdateUsagePlanRequest, UsagePlan, UsagePlans,
};
use crate::ids;
use crate::ops::apikeys::key_row;
use crate::ops::apis::page_limit;
use crate::patch::{Patch, patches};
use crate::plans::{ApiStageRecord, QuotaRecord, ThrottleRecord, UsagePlanRecord};
use crate::record::child_row;
use crate::service::{ApiGatewayService, api_not_found, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned};
use std::collections::BTreeMap;

/// NotFoundException for a plan the caller does not have.
pub(crate) fn plan_not_found() -> ServiceError {
    not_found_exception("Invalid Usage Plan ID specified")
}

fn throttle_record(t: &ThrottleSettings) -> ThrottleRecord {
    ThrottleRecord {
        burst_limit: t.burst_limit,
        rate_limit: t.rate_limit,
    }
}

fn throttle_out(t: &ThrottleRecord) -> ThrottleSettings {
    ThrottleSettings {
        burst_limit: t.burst_limit,
        rate_limit: t.rate_limit,
    }
}

/// A quota as given, checked: a positive limit, and an offset the period allows.
fn quota_record(q: &QuotaSettings) -> Result<QuotaRecord, ServiceError> {
    let record = QuotaRecord {
        limit: q.limit.unwrap_or(0),
        offset: q.offset.unwrap_or(0),
        period: q
            .period
            .as_ref()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
    };
    check_quota(&record)?;
    Ok(record)
}

fn check_quota(q: &QuotaRecord) -> Result<(), ServiceError> {
    let max_offset = match q.period.as_str() {
        "DAY" => 0,
        "WEEK" => 6,
        "MONTH" => 27,
        _ => return Err(bad_request_exception("Invalid quota period specified")),
    };
    if q.limit <= 0 {
        return Err(bad_request_exception(
            "Quota limit should be greater than 0",
        ));
    }
    if !(0..=max_offset).contains(&q.offset) {
        return Err(bad_request_exception(format!(
            "Quota offset must be between 0 and {max_offset} for period {}",
            q.period
        )));
    }
    Ok(())
}

/// The wire form of a plan.
pub(crate) fn plan_out(p: &UsagePlanRecord) -> UsagePlan {
    let stages = p.api_stages.iter().map(|s| ApiStage {
        api_id: Some(s.api_id.clone()),
        stage: Some(s.stage.clone()),
        throttle: (!s.throttle.is_empty()).then(|| {
            s.throttle
                .iter()
                .map(|(k, t)| (k.clone(), throttle_out(t)))
                .collect()
        }),
    });
    UsagePlan {
        id: Some(p.id.clone()),
        name: Some(p.name.clone()),
        description: p.description.clone(),
        api_stages: Some(stages.collect()),
        throttle: p.throttle.as_ref().map(throttle_out),
        quota: p.quota.as_ref().map(|q| QuotaSettings {
            limit: Some(q.limit),
            offset: Some(q.offset),
            period: Some(q.period.as_str().into()),
        }),
        product_code: None,
        tags: (!p.tags.is_empty()).then(|| p.tags.clone()),
    }
}

impl ApiGatewayService {
    /// The row key of the caller's plan `id`.
    pub(crate) fn plan_row(ctx: &RequestContext, id: &str) -> String {
        key_row(ctx, id)
    }

    /// The caller's plan `id`, or NotFoundException.
    pub(crate) async fn load_plan(
        &self,
        ctx: &RequestContext,
        id: &str,
    ) -> Result<Versioned<UsagePlanRecord>, ServiceError> {
        let found = self.plans.get(&Self::plan_row(ctx, id)).await;
        found.map_err(internal)?.ok_or_else(plan_not_found)
    }

    /// Every plan of the caller, by id.
    pub(crate) async fn all_plans(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<UsagePlanRecord>, ServiceError> {
        let prefix = Self::plan_row(ctx, "");
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let rows = self.plans.scan(&prefix, after.as_deref(), 500).await;
            let rows = rows.map_err(internal)?;
            let done = rows.len() < 500;
            after = rows.last().map(|(k, _)| k.clone());
            out.extend(rows.into_iter().map(|(_, v)| v.value));
            if done {
                return Ok(out);
            }
        }
    }

    /// Checks that the caller's API `api` has stage `stage`.
    async fn check_api_stage(
        &self,
        ctx: &RequestContext,
        api: &str,
        stage: &str,
    ) -> Result<(), ServiceError> {
        self.load_api(ctx, api).await?;
        let row = child_row(&Self::api_key(ctx, api), stage);
        match self.stages.get(&row).await.map_err(internal)? {
            Some(_) => Ok(()),
            None => Err(not_found_exception("Invalid stage identifier specified")),
        }
    }

    /// Takes key `key` out of every plan of the caller.
    pub(crate) async fn remove_key_from_plans(
        &self,
        ctx: &RequestContext,
        key: &str,
    ) -> Result<(), ServiceError> {
        for plan in self.all_plans(ctx).await? {
            if plan.keys.iter().any(|k| k == key) {
                let row = Self::plan_row(ctx, &plan.id);
                self.mutate_child(&self.plans, &row, plan_not_found, |p| {
                    p.keys.retain(|k| k != key);
                    Ok(())
                })
                .await?;
            }
        }
        Ok(())
    }
}

impl CreateUsagePlan for ApiGatewayService {
    async fn create_usage_plan(
        &self,
        ctx: &RequestContext,
        input: CreateUsagePlanRequest,
    ) -> Result<UsagePlan, ServiceError> {
        authorize(ctx, "POST", "/usageplans")?;
        let mut stages = Vec::new();
        for s in input.api_stages.unwrap_or_default() {
            let api = s.api_id.unwrap_or_default();
            let stage = s.stage.unwrap_or_default();
            if self.load_api(ctx, &api).await.is_err() {
                return Err(api_not_found(ctx, &api));
            }
            self.check_api_stage(ctx, &api, &stage).await?;
            let throttle = s.throttle.unwrap_or_default();
            let throttle = throttle
                .iter()
                .map(|(k, t)| (k.clone(), throttle_record(t)));
            stages.push(ApiStageRecord {
                api_id: api,
                stage,
                throttle: throttle.collect(),
            });
        }
        let record = UsagePlanRecord {
            id: ids::deployment_id(),
            name: input.name.unwrap_or_default(),
            description: input.description,
            api_stages: stages,
            throttle: input.throttle.as_ref().map(throttle_record),
            quota: input.quota.as_ref().map(quota_record).transpose()?,
            tags: map_of(input.tags),
            keys: Vec::new(),
        };
        let row = Self::plan_row(ctx, &record.id);
        let put = self
            .plans
            .put(&row, &record, Expect::Absent)
            .map_err(internal)?;
        self.commit(vec![put], plan_not_found).await?;
        self.refresh_edge().await;
        Ok(plan_out(&record))
    }
}

impl GetUsagePlan for ApiGatewayService {
    async fn get_usage_plan(
        &self,
        ctx: &RequestContext,
        input: GetUsagePlanRequest,
    ) -> Result<UsagePlan, ServiceError> {
        let id = input.usage_plan_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/usageplans/{id}"))?;
        Ok(plan_out(&self.load_plan(ctx, &id).await?.value))
    }
}

impl GetUsagePlans for ApiGatewayService {
    async fn get_usage_plans(
        &self,
        ctx: &RequestContext,
        input: GetUsagePlansRequest,
    ) -> Result<UsagePlans, ServiceError> {
        authorize(ctx, "GET", "/usageplans")?;
        let limit = page_limit(input.limit)?;
        if let Some(key) = &input.key_id {
            self.load_key(ctx, key).await?;
        }
        let mut plans = self.all_plans(ctx).await?;
        plans.retain(|p| {
            let key_ok = input.key_id.as_ref().is_none_or(|k| p.keys.contains(k));
            let after_ok = input
                .position
                .as_deref()
                .is_none_or(|pos| p.id.as_str() > pos);
            key_ok && after_ok
        });
        let more = plans.len() > limit;
        plans.truncate(limit);
        let position = more.then(|| plans.last().map(|p| p.id.clone())).flatten();
        Ok(UsagePlans {
            items: Some(plans.iter().map(plan_out).collect()),
            position,
        })
    }
}

/// Sets `/rateLimit` or `/burstLimit` of `throttle` from `patch`.
fn patch_throttle(
    throttle: &mut Option<ThrottleRecord>,
    field: &str,
    patch: &Patch,
) -> Result<(), ServiceError> {
    if patch.op == "remove" {
        *throttle = None;
        return Ok(());
    }
    let t = throttle.get_or_insert(ThrottleRecord {
        burst_limit: None,
        rate_limit: None,
    });
    match field {
        "rateLimit" => t.rate_limit = Some(patch.float_value()?),
        "burstLimit" => t.burst_limit = Some(patch.int_value()?),
        _ => return Err(patch.unsupported()),
    }
    Ok(())
}

/// Sets a quota field from `patch`.
fn patch_quota(plan: &mut UsagePlanRecord, field: &str, patch: &Patch) -> Result<(), ServiceError> {
    if patch.op == "remove" {
        plan.quota = None;
        return Ok(());
    }
    let q = plan.quota.get_or_insert(QuotaRecord {
        limit: 0,
        offset: 0,
        period: "DAY".into(),
    });
    match field {
        "limit" => q.limit = patch.int_value()?,
        "offset" => q.offset = patch.int_value()?,
        "period" => q.period = patch.value()?.to_owned(),
        _ => return Err(patch.unsupported()),
    }
    Ok(())
}

/// `<api>:<stage>` split.
fn api_stage_of(value: &str) -> Result<(String, String), ServiceError> {
    value
        .split_once(':')
        .map(|(a, s)| (a.to_owned(), s.to_owned()))
        .ok_or_else(|| bad_request_exception(format!("Invalid API stage specified: {value}")))
}

/// Applies one UpdateUsagePlan patch (the API stages added were checked before).
fn patch_plan(plan: &mut UsagePlanRecord, patch: &Patch) -> Result<(), ServiceError> {
    let segments = patch.segments();
    let parts: Vec<&str> = segments.iter().map(String::as_str).collect();
    match (patch.op.as_str(), parts.as_slice()) {
        ("replace", ["name"]) => plan.name = patch.value()?.to_owned(),
        ("replace", ["description"]) => plan.description = patch.value.clone(),
        ("remove", ["throttle"]) => plan.throttle = None,
        ("remove", ["quota"]) => plan.quota = None,
        (_, ["throttle", field]) => patch_throttle(&mut plan.throttle, field, patch)?,
        (_, ["quota", field]) => patch_quota(plan, field, patch)?,
        ("add", ["apiStages"]) => {
            let (api_id, stage) = api_stage_of(patch.value()?)?;
            if !plan
                .api_stages
                .iter()
                .any(|s| s.api_id == api_id && s.stage == stage)
            {
                plan.api_stages.push(ApiStageRecord {
                    api_id,
                    stage,
                    throttle: BTreeMap::new(),
                });
            }
        }
        ("remove", ["apiStages"]) => {
            let (api_id, stage) = api_stage_of(patch.value()?)?;
            let before = plan.api_stages.len();
            plan.api_stages
                .retain(|s| !(s.api_id == api_id && s.stage == stage));
            if plan.api_stages.len() == before {
                return Err(not_found_exception("Invalid stage identifier specified"));
            }
        }
        (_, ["apiStages", at, "throttle", rest @ ..]) => {
            patch_stage_throttle(plan, at, rest, patch)?
        }
        _ => return Err(patch.unsupported()),
    }
    Ok(())
}

/// `/apiStages/<api>:<stage>/throttle/<path>/<METHOD>/<field>` (or the method key without a
/// field for remove).
fn patch_stage_throttle(
    plan: &mut UsagePlanRecord,
    at: &str,
    rest: &[&str],
    patch: &Patch,
) -> Result<(), ServiceError> {
    let (api_id, stage) = api_stage_of(at)?;
    let Some(s) = plan
        .api_stages
        .iter_mut()
        .find(|s| s.api_id == api_id && s.stage == stage)
    else {
        return Err(not_found_exception("Invalid stage identifier specified"));
    };
    let (field, method) = match (patch.op.as_str(), rest.split_last()) {
        ("remove", _) => {
            s.throttle.remove(&format!("/{}", rest.join("/")));
            return Ok(());
        }
        (_, Some((field, method))) if method.len() >= 2 => (*field, method),
        _ => return Err(patch.unsupported()),
    };
    let key = format!("/{}", method.join("/"));
    let mut current = s.throttle.get(&key).cloned();
    patch_throttle(&mut current, field, patch)?;
    if let Some(t) = current {
        s.throttle.insert(key, t);
    }
    Ok(())
}

impl UpdateUsagePlan for ApiGatewayService {
    async fn update_usage_plan(
        &self,
        ctx: &RequestContext,
        input: UpdateUsagePlanRequest,
    ) -> Result<UsagePlan, ServiceError> {
        let id = input.usage_plan_id.unwrap_or_default();
        authorize(ctx, "PATCH", &format!("/usageplans/{id}"))?;
        let ops = patches(input.patch_operations)?;
        for patch in ops
            .iter()
            .filter(|p| p.op == "add" && p.path == "/apiStages")
        {
            let (api, stage) = api_stage_of(patch.value()?)?;
            self.check_api_stage(ctx, &api, &stage).await?;
        }
        let row = Self::plan_row(ctx, &id);
        let plan = self
            .mutate_child(&self.plans, &row, plan_not_found, |plan| {
                for patch in &ops {
                    patch_plan(plan, patch)?;
                }
                if let Some(q) = &plan.quota {
                    check_quota(q)?;
                }
                Ok(())
            })
            .await?;
        Ok(plan_out(&plan))
    }
}

impl DeleteUsagePlan for ApiGatewayService {
    async fn delete_usage_plan(
        &self,
        ctx: &RequestContext,
        input: DeleteUsagePlanRequest,
    ) -> Result<(), ServiceError> {
        let id = input.usage_plan_id.unwrap_or_default();
        authorize(ctx, "DELETE", &format!("/usageplans/{id}"))?;
        let plan = self.load_plan(ctx, &id).await?;
        let delete = self
            .plans
            .delete(&Self::plan_row(ctx, &id), Expect::Version(plan.version));
        self.commit(vec![delete], plan_not_found).await?;
        self.refresh_edge().await;
        Ok(())
    }
}
