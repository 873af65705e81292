//! A usage plan's keys (CreateUsagePlanKey, GetUsagePlanKey, GetUsagePlanKeys,
//! DeleteUsagePlanKey: API keys only, a key in at most one plan per API stage) and GetUsage:
//! per key and day from `startDate` to `endDate`, `[used, remaining]`, remaining being the
//! quota left in the period holding that day (the counts the edge wrote, see `edge/usage.rs`).

use crate::edge::usage_math::{period_start, usage_row};
use crate::generated::errors::{bad_request_exception, conflict_exception, not_found_exception};
use crate::generated::{
    CreateUsagePlanKey, CreateUsagePlanKeyRequest, DeleteUsagePlanKey, DeleteUsagePlanKeyRequest,
    GetUsage, GetUsagePlanKey, GetUsagePlanKeyRequest, GetUsagePlanKeys, GetUsagePlanKeysRequest,
    GetUsageRequest, ServiceError, Usage, UsagePlanKey, UsagePlanKeys,
};
use crate::ops::apikeys::{key_not_found, key_row};
use crate::ops::apis::page_limit;
use crate::ops::usageplans::plan_not_found;
use crate::plans::{ApiKeyRecord, UsagePlanRecord};
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use std::collections::BTreeMap;
use time::Date;

/// NotFoundException for a key the plan does not hold.
pub(crate) fn plan_key_not_found() -> ServiceError {
    not_found_exception("Invalid Usage Plan Key identifier specified")
}

impl ApiGatewayService {
    /// A plan key's wire form (its value included, as API Gateway answers).
    fn plan_key_out(&self, ctx: &RequestContext, key: &ApiKeyRecord) -> UsagePlanKey {
        let row = key_row(ctx, &key.id);
        UsagePlanKey {
            id: Some(key.id.clone()),
            type_: Some("API_KEY".into()),
            value: self.metering.open_value(&key.sealed_value, &row),
            name: key.name.clone(),
        }
    }

    /// Refuses adding `key` to `plan` when another plan holding it covers one of its stages.
    pub(crate) async fn check_stage_overlap(
        &self,
        ctx: &RequestContext,
        plan: &UsagePlanRecord,
        key: &str,
    ) -> Result<(), ServiceError> {
        for other in self.all_plans(ctx).await? {
            let shares = other.id != plan.id
                && other.keys.iter().any(|k| k == key)
                && other.api_stages.iter().any(|s| {
                    plan.api_stages
                        .iter()
                        .any(|p| p.api_id == s.api_id && p.stage == s.stage)
                });
            if shares {
                return Err(conflict_exception(format!(
                    "Usage Plan {} cannot be added because API Key {key} cannot reference multiple Usage Plans with the same API Stage: {}:{}",
                    plan.id, other.api_stages[0].api_id, other.api_stages[0].stage
                )));
            }
        }
        Ok(())
    }
}

impl CreateUsagePlanKey for ApiGatewayService {
    async fn create_usage_plan_key(
        &self,
        ctx: &RequestContext,
        input: CreateUsagePlanKeyRequest,
    ) -> Result<UsagePlanKey, ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        let key_id = input.key_id.unwrap_or_default();
        authorize(ctx, "POST", &format!("/usageplans/{plan_id}/keys"))?;
        if input.key_type.as_deref() != Some("API_KEY") {
            return Err(bad_request_exception("Invalid key type specified"));
        }
        let plan = self.load_plan(ctx, &plan_id).await?.value;
        let key = self.load_key(ctx, &key_id).await?.value;
        if plan.keys.contains(&key_id) {
            return Err(conflict_exception("Usage Plan Key already exists"));
        }
        self.check_stage_overlap(ctx, &plan, &key_id).await?;
        let row = Self::plan_row(ctx, &plan_id);
        self.mutate_child(&self.plans, &row, plan_not_found, |p| {
            if p.keys.contains(&key_id) {
                return Err(conflict_exception("Usage Plan Key already exists"));
            }
            p.keys.push(key_id.clone());
            Ok(())
        })
        .await?;
        Ok(self.plan_key_out(ctx, &key))
    }
}

impl GetUsagePlanKey for ApiGatewayService {
    async fn get_usage_plan_key(
        &self,
        ctx: &RequestContext,
        input: GetUsagePlanKeyRequest,
    ) -> Result<UsagePlanKey, ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        let key_id = input.key_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/usageplans/{plan_id}/keys/{key_id}"))?;
        let plan = self.load_plan(ctx, &plan_id).await?.value;
        if !plan.keys.contains(&key_id) {
            return Err(plan_key_not_found());
        }
        let key = self.load_key(ctx, &key_id).await?.value;
        Ok(self.plan_key_out(ctx, &key))
    }
}

impl GetUsagePlanKeys for ApiGatewayService {
    async fn get_usage_plan_keys(
        &self,
        ctx: &RequestContext,
        input: GetUsagePlanKeysRequest,
    ) -> Result<UsagePlanKeys, ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/usageplans/{plan_id}/keys"))?;
        let limit = page_limit(input.limit)?;
        let plan = self.load_plan(ctx, &plan_id).await?.value;
        let mut keys: Vec<ApiKeyRecord> = self.all_keys(ctx).await?;
        keys.retain(|k| {
            let name_ok = input
                .name_query
                .as_deref()
                .is_none_or(|q| k.name.as_deref().is_some_and(|n| n.starts_with(q)));
            let after_ok = input.position.as_deref().is_none_or(|p| k.id.as_str() > p);
            plan.keys.contains(&k.id) && name_ok && after_ok
        });
        let more = keys.len() > limit;
        keys.truncate(limit);
        let position = more.then(|| keys.last().map(|k| k.id.clone())).flatten();
        Ok(UsagePlanKeys {
            items: Some(keys.iter().map(|k| self.plan_key_out(ctx, k)).collect()),
            position,
        })
    }
}

impl DeleteUsagePlanKey for ApiGatewayService {
    async fn delete_usage_plan_key(
        &self,
        ctx: &RequestContext,
        input: DeleteUsagePlanKeyRequest,
    ) -> Result<(), ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        let key_id = input.key_id.unwrap_or_default();
        authorize(
            ctx,
            "DELETE",
            &format!("/usageplans/{plan_id}/keys/{key_id}"),
        )?;
        let row = Self::plan_row(ctx, &plan_id);
        self.mutate_child(&self.plans, &row, plan_not_found, |p| {
            if !p.keys.contains(&key_id) {
                return Err(plan_key_not_found());
            }
            p.keys.retain(|k| k != &key_id);
            Ok(())
        })
        .await?;
        Ok(())
    }
}

/// A `yyyy-MM-dd` date, or BadRequestException.
fn parse_day(text: &str) -> Result<Date, ServiceError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(text, format)
        .map_err(|_| bad_request_exception(format!("Invalid date format: {text}")))
}

impl GetUsage for ApiGatewayService {
    async fn get_usage(
        &self,
        ctx: &RequestContext,
        input: GetUsageRequest,
    ) -> Result<Usage, ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        authorize(ctx, "GET", &format!("/usageplans/{plan_id}/usage"))?;
        let start_text = input.start_date.unwrap_or_default();
        let end_text = input.end_date.unwrap_or_default();
        let (start, end) = (parse_day(&start_text)?, parse_day(&end_text)?);
        if end < start {
            return Err(bad_request_exception(
                "The start date must be before the end date",
            ));
        }
        if (end - start).whole_days() > 90 {
            return Err(bad_request_exception(
                "The usage data can only be retrieved for up to 90 days",
            ));
        }
        let plan = self.load_plan(ctx, &plan_id).await?.value;
        let keys: Vec<&String> = match &input.key_id {
            Some(k) if plan.keys.contains(k) => vec![k],
            Some(_) => return Err(key_not_found()),
            None => plan.keys.iter().collect(),
        };
        let mut items = BTreeMap::new();
        for key in keys {
            items.insert(
                key.clone(),
                self.key_usage(ctx, &plan, key, start, end).await?,
            );
        }
        Ok(Usage {
            usage_plan_id: Some(plan_id),
            start_date: Some(start_text),
            end_date: Some(end_text),
            position: None,
            items: Some(items),
        })
    }
}

impl ApiGatewayService {
    /// `[used, remaining]` of `key` on `plan` for each day from `start` to `end`.
    pub(crate) async fn key_usage(
        &self,
        ctx: &RequestContext,
        plan: &UsagePlanRecord,
        key: &str,
        start: Date,
        end: Date,
    ) -> Result<Vec<Vec<i64>>, ServiceError> {
        let owner = format!("{}/{}", ctx.account().as_str(), ctx.region.as_str());
        let first = plan
            .quota
            .as_ref()
            .map_or(start, |q| period_start(q, start));
        let mut days = Vec::new();
        let mut day = first;
        while day <= end {
            days.push(day);
            day = day.next_day().unwrap_or(end);
            if days.len() > 200 {
                break;
            }
        }
        let rows: Vec<String> = days
            .iter()
            .map(|d| usage_row(&owner, &plan.id, key, *d))
            .collect();
        let found = self.usage.get_many(&rows).await.map_err(internal)?;
        let used: Vec<i64> = found
            .iter()
            .map(|r| r.as_ref().map_or(0, |v| v.value.used))
            .collect();
        let granted: Vec<i64> = found
            .iter()
            .map(|r| r.as_ref().map_or(0, |v| v.value.granted))
            .collect();
        let mut out = Vec::new();
        for (i, day) in days.iter().enumerate().filter(|(_, d)| **d >= start) {
            let remaining = plan.quota.as_ref().map_or(0, |q| {
                let from = period_start(q, *day);
                let spent: i64 = days[..=i]
                    .iter()
                    .zip(used.iter().zip(&granted))
                    .filter(|(d, _)| **d >= from)
                    .map(|(_, (u, g))| *u - *g)
                    .sum();
                (i64::from(q.limit) - spent).max(0)
            });
            out.push(vec![used[i], remaining]);
        }
        Ok(out)
    }
}
