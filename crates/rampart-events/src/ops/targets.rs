//! Targets: PutTargets, RemoveTargets, ListTargetsByRule. A rule keeps at most five targets,
//! stored in its row; every change rewrites the bus's rule set (routing caches reload).

use super::rules::{check_forced, refuse_managed, rule_ref};
use crate::EventsService;
use crate::access::validation;
use crate::generated::errors::limit_exceeded_exception;
use crate::generated::*;
use crate::store::is_conflict;
use crate::transform::check_target;
use rampart_core::RequestContext;
use rampart_store::{Versioned, retry_conflicts};

/// AWS's limit of targets per rule.
pub const MAX_TARGETS: usize = 5;

/// Checks one target as AWS does before storing it: an ARN of an AWS service, and input
/// settings that are consistent.
fn check(target: &Target) -> Result<(), ServiceError> {
    let id = target.id.as_deref().unwrap_or_default();
    let arn = target.arn.as_deref().unwrap_or_default();
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    if parts.len() < 6 || parts[0] != "arn" || parts[2].is_empty() {
        return Err(validation(format!(
            "Parameter {arn} is not valid. Reason: Provided Arn is not in correct format."
        )));
    }
    check_target(target).map_err(|reason| validation(format!("Target {id}: {reason}")))
}

impl EventsService {
    async fn put_targets_once(
        &self,
        bus: &crate::store::BusRef,
        rule: &str,
        targets: &[Target],
    ) -> Result<(), ServiceError> {
        let Versioned { mut value, version } = self.load_rule(bus, rule).await?;
        refuse_managed(&value)?;
        for target in targets {
            let id = target.id.clone();
            match value.targets.iter_mut().find(|t| t.id == id) {
                Some(existing) => *existing = target.clone(),
                None => value.targets.push(target.clone()),
            }
        }
        if value.targets.len() > MAX_TARGETS {
            return Err(limit_exceeded_exception(
                "The requested resource exceeds the maximum number allowed.",
            ));
        }
        self.save_rule(bus, &value, Some(version), false).await
    }
}

impl PutTargets for EventsService {
    async fn put_targets(
        &self,
        ctx: &RequestContext,
        input: PutTargetsRequest,
    ) -> Result<PutTargetsResponse, ServiceError> {
        let rule = input.rule.unwrap_or_default();
        let bus = rule_ref(ctx, "PutTargets", input.event_bus_name.as_deref(), &rule)?;
        let targets = input.targets.unwrap_or_default();
        for target in &targets {
            check(target)?;
        }
        retry_conflicts(is_conflict, || self.put_targets_once(&bus, &rule, &targets)).await?;
        Ok(PutTargetsResponse {
            failed_entries: Some(Vec::new()),
            failed_entry_count: Some(0),
        })
    }
}

impl RemoveTargets for EventsService {
    async fn remove_targets(
        &self,
        ctx: &RequestContext,
        input: RemoveTargetsRequest,
    ) -> Result<RemoveTargetsResponse, ServiceError> {
        let rule = input.rule.unwrap_or_default();
        let bus = rule_ref(ctx, "RemoveTargets", input.event_bus_name.as_deref(), &rule)?;
        let ids = input.ids.unwrap_or_default();
        let force = input.force.unwrap_or(false);
        retry_conflicts(is_conflict, || async {
            let Versioned { mut value, version } = self.load_rule(&bus, &rule).await?;
            check_forced(&value, force)?;
            let before = value.targets.len();
            value
                .targets
                .retain(|t| !ids.iter().any(|id| t.id.as_deref() == Some(id)));
            if value.targets.len() == before {
                return Ok(());
            }
            self.save_rule(&bus, &value, Some(version), false).await
        })
        .await?;
        // AWS answers success for ids the rule does not have.
        Ok(RemoveTargetsResponse {
            failed_entries: Some(Vec::new()),
            failed_entry_count: Some(0),
        })
    }
}

impl ListTargetsByRule for EventsService {
    async fn list_targets_by_rule(
        &self,
        ctx: &RequestContext,
        input: ListTargetsByRuleRequest,
    ) -> Result<ListTargetsByRuleResponse, ServiceError> {
        let rule = input.rule.unwrap_or_default();
        let bus = rule_ref(
            ctx,
            "ListTargetsByRule",
            input.event_bus_name.as_deref(),
            &rule,
        )?;
        let targets = self.load_rule(&bus, &rule).await?.value.targets;
        let limit = input
            .limit
            .map_or(100, |l| usize::try_from(l).unwrap_or(100));
        let start = match input.next_token {
            Some(token) => token
                .parse::<usize>()
                .map_err(|_| validation("The NextToken is not valid."))?,
            None => 0,
        };
        let page: Vec<Target> = targets.iter().skip(start).take(limit).cloned().collect();
        let end = start + page.len();
        Ok(ListTargetsByRuleResponse {
            targets: Some(page),
            next_token: (end < targets.len()).then(|| end.to_string()),
        })
    }
}
