//! UpdateUsage: `replace /remaining` sets how many requests an API key has left in the current
//! quota period of a usage plan (a temporary extension, or a cut). The change is kept as a
//! grant on today's usage row, which GetUsage counts, and handed to the edge's quota counter.

use crate::edge::usage_math::{period_start, usage_row};
use crate::generated::errors::bad_request_exception;
use crate::generated::{ServiceError, UpdateUsage, UpdateUsageRequest, Usage};
use crate::ops::usage::plan_key_not_found;
use crate::patch::patches;
use crate::plans::UsageRecord;
use crate::service::{ApiGatewayService, authorize, internal};
use rampart_core::RequestContext;
use rampart_store::{Expect, StoreError};
use std::collections::BTreeMap;

impl UpdateUsage for ApiGatewayService {
    async fn update_usage(
        &self,
        ctx: &RequestContext,
        input: UpdateUsageRequest,
    ) -> Result<Usage, ServiceError> {
        let plan_id = input.usage_plan_id.unwrap_or_default();
        let key_id = input.key_id.unwrap_or_default();
        authorize(
            ctx,
            "PATCH",
            &format!("/usageplans/{plan_id}/keys/{key_id}/usage"),
        )?;
        let mut target = None;
        for p in patches(input.patch_operations)? {
            match (p.op.as_str(), p.path.as_str()) {
                ("replace", "/remaining") => target = Some(remaining_value(p.value()?)?),
                _ => return Err(p.unsupported()),
            }
        }
        let target = target.ok_or_else(|| {
            bad_request_exception(
                "Invalid patch operation specified: replace /remaining is required",
            )
        })?;
        let plan = self.load_plan(ctx, &plan_id).await?.value;
        if !plan.keys.contains(&key_id) {
            return Err(plan_key_not_found());
        }
        let Some(quota) = plan.quota.clone() else {
            return Err(bad_request_exception(format!(
                "Usage plan {plan_id} has no quota to update"
            )));
        };
        // What this node's edge counted so far, stored before the remaining is worked out.
        self.metering.flush().await;
        let today = self.clock.now().date();
        let before = self.key_usage(ctx, &plan, &key_id, today, today).await?;
        let remaining = before.first().and_then(|d| d.get(1)).copied().unwrap_or(0);
        let delta = target - remaining;
        let owner = format!("{}/{}", ctx.account().as_str(), ctx.region.as_str());
        self.add_grant(&usage_row(&owner, &plan_id, &key_id, today), delta)
            .await?;
        self.metering
            .grant(&plan_id, &key_id, period_start(&quota, today), delta);
        let after = self.key_usage(ctx, &plan, &key_id, today, today).await?;
        Ok(Usage {
            usage_plan_id: Some(plan_id),
            start_date: Some(today.to_string()),
            end_date: Some(today.to_string()),
            position: None,
            items: Some(BTreeMap::from([(key_id, after)])),
        })
    }
}

/// A remaining count: a whole number from 0.
fn remaining_value(text: &str) -> Result<i64, ServiceError> {
    text.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
        bad_request_exception(format!(
            "Invalid remaining quota specified: {text}. It must be a whole number from 0."
        ))
    })
}

impl ApiGatewayService {
    /// Adds `delta` to the grant of usage row `row` under compare-and-swap.
    async fn add_grant(&self, row: &str, delta: i64) -> Result<(), ServiceError> {
        for _ in 0..8 {
            let found = self.usage.get(row).await.map_err(internal)?;
            let (mut record, expect) = match found {
                Some(v) => (v.value, Expect::Version(v.version)),
                None => (UsageRecord::default(), Expect::Absent),
            };
            record.granted += delta;
            let put = self.usage.put(row, &record, expect).map_err(internal)?;
            match self.store.transact(vec![put]).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_conflict() => continue,
                Err(e) => return Err(internal(e)),
            }
        }
        Err(internal(StoreError::Backend(
            "usage writes kept conflicting".into(),
        )))
    }
}
