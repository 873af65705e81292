//! Rules: PutRule, DescribeRule, ListRules, EnableRule, DisableRule, DeleteRule,
//! ListRuleNamesByTarget. Every change rewrites the bus's rule-set row (routing caches reload)
//! and, for a scheduled rule, plans its next firing in the same transaction.

use super::buses::caller_bus;
use crate::EventsService;
use crate::access::{authorize, bus_not_found, rule_not_found, validation};
use crate::generated::errors::{
    invalid_event_pattern_exception, limit_exceeded_exception, managed_rule_exception,
};
use crate::generated::*;
use crate::pattern::Pattern;
use crate::schedule::Schedule;
use crate::scheduler::plan;
use crate::store::{BusRef, DEFAULT_BUS, RuleRecord, is_conflict, store_err};
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, retry_conflicts};

/// AWS's default quota of rules per bus.
const MAX_RULES: usize = 300;

/// The state's wire name.
fn state_name(state: Option<&RuleState>) -> String {
    match state {
        Some(RuleState::Disabled) => "DISABLED",
        Some(RuleState::EnabledWithAllCloudtrailManagementEvents) => {
            "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
        }
        _ => "ENABLED",
    }
    .to_owned()
}

fn rule_state(name: &str) -> RuleState {
    match name {
        "DISABLED" => RuleState::Disabled,
        "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS" => {
            RuleState::EnabledWithAllCloudtrailManagementEvents
        }
        _ => RuleState::Enabled,
    }
}

/// ManagedRuleException for a change to a rule an AWS service manages. AWS: "You cannot modify
/// these managed rules by using DisableRule, EnableRule, PutTargets, PutRule, TagResource, or
/// UntagResource." (the exception's documentation; the message text is Rampart's).
pub(crate) fn refuse_managed(rule: &RuleRecord) -> Result<(), ServiceError> {
    match &rule.managed_by {
        Some(by) => Err(managed_rule_exception(format!(
            "Rule {} is managed by {by} and cannot be modified.",
            rule.name
        ))),
        None => Ok(()),
    }
}

/// DeleteRule and RemoveTargets on a managed rule. Without Force AWS answers "<rule> is a
/// managed rule. Set 'force' parameter to true to override."; an archive's rule stays while its
/// archive exists even with Force (AWS refuses it too; DeleteArchive removes it).
pub(crate) fn check_forced(rule: &RuleRecord, force: bool) -> Result<(), ServiceError> {
    if rule.managed_by.is_none() {
        return Ok(());
    }
    if !force {
        return Err(managed_rule_exception(format!(
            "{} is a managed rule. Set 'force' parameter to true to override.",
            rule.name
        )));
    }
    if crate::archive::rule::is_archive_rule(rule) {
        let archive = rule.name.trim_start_matches("Events-Archive-");
        return Err(managed_rule_exception(format!(
            "Rule {} is managed by archive {archive}; delete the archive to remove it.",
            rule.name
        )));
    }
    Ok(())
}

/// The rule `name` on the bus `bus_name` resolves to, authorized for `operation`.
pub(crate) fn rule_ref(
    ctx: &RequestContext,
    operation: &str,
    bus_name: Option<&str>,
    name: &str,
) -> Result<BusRef, ServiceError> {
    let bus = caller_bus(ctx, bus_name);
    let arn = bus.rule_arn(name);
    authorize(ctx, operation, &arn, &bus.account, None)?;
    ctx.note_resource(arn, "AWS::Events::Rule");
    Ok(bus)
}

/// Checks what PutRule was given: a pattern and/or a schedule, schedules on `default` only.
fn check_rule_input(bus: &BusRef, input: &PutRuleRequest) -> Result<(), ServiceError> {
    if input.event_pattern.is_none() && input.schedule_expression.is_none() {
        return Err(validation(
            "Parameter(s) EventPattern or ScheduleExpression must be specified.",
        ));
    }
    if let Some(pattern) = &input.event_pattern {
        Pattern::parse(pattern).map_err(|e| invalid_event_pattern_exception(e.to_string()))?;
    }
    if let Some(schedule) = &input.schedule_expression {
        Schedule::parse(schedule)?;
        if bus.name != DEFAULT_BUS {
            return Err(validation(
                "ScheduleExpression is supported only on the default event bus.",
            ));
        }
    }
    Ok(())
}

impl EventsService {
    /// The rule, or ResourceNotFoundException.
    pub(crate) async fn load_rule(
        &self,
        bus: &BusRef,
        name: &str,
    ) -> Result<Versioned<RuleRecord>, ServiceError> {
        self.tables
            .rule(bus, name)
            .await?
            .ok_or_else(|| rule_not_found(name, &bus.name))
    }

    /// Writes `rule` (expected at `version`, or absent), touches the bus's rule set and, when
    /// `reschedule`, plans its next firing from now.
    pub(crate) async fn save_rule(
        &self,
        bus: &BusRef,
        rule: &RuleRecord,
        version: Option<u64>,
        reschedule: bool,
    ) -> Result<(), ServiceError> {
        self.save_rule_with(bus, rule, version, reschedule, Vec::new())
            .await
    }

    /// [`Self::save_rule`] with `extra` writes in the same transaction.
    async fn save_rule_with(
        &self,
        bus: &BusRef,
        rule: &RuleRecord,
        version: Option<u64>,
        reschedule: bool,
        mut writes: Vec<rampart_store::Write>,
    ) -> Result<(), ServiceError> {
        let expect = version.map_or(Expect::Absent, Expect::Version);
        let row = bus.rule_row(&rule.name);
        writes.extend([
            self.tables
                .rules
                .put(&row, rule, expect)
                .map_err(store_err)?,
            self.tables.touch_rule_set(bus)?,
            self.tables.all_management_write(&row, Some(rule))?,
        ]);
        if reschedule && rule.enabled() {
            let now = self.now_ms();
            writes.extend(plan(bus, rule, now, now));
        }
        self.tables.commit(writes).await?;
        self.note_rule_stored(rule);
        Ok(())
    }

    /// The write that makes a new rule's commit conflict with a racing DeleteEventBus (a
    /// rewrite of the custom bus's row); NotFound for a bus that does not exist.
    pub(crate) async fn bus_guard(
        &self,
        bus: &BusRef,
    ) -> Result<Vec<rampart_store::Write>, ServiceError> {
        match self.tables.bus(bus).await? {
            Some(row) => {
                let key = bus.row();
                let put = self
                    .tables
                    .buses
                    .put(&key, &row.value, Expect::Version(row.version));
                Ok(vec![put.map_err(store_err)?])
            }
            None if bus.name == DEFAULT_BUS => Ok(Vec::new()),
            None => Err(bus_not_found(&bus.name)),
        }
    }

    /// LimitExceededException when the bus already has AWS's quota of rules.
    async fn check_rule_quota(&self, bus: &BusRef) -> Result<(), ServiceError> {
        let keys = self
            .tables
            .store
            .scan_keys(crate::store::RULES, &bus.rules_prefix(), None, MAX_RULES)
            .await
            .map_err(store_err)?;
        if keys.len() >= MAX_RULES {
            return Err(limit_exceeded_exception(
                "The requested resource exceeds the maximum number allowed.",
            ));
        }
        Ok(())
    }

    async fn put_rule_once(
        &self,
        ctx: &RequestContext,
        bus: &BusRef,
        input: &PutRuleRequest,
    ) -> Result<(), ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        let guard = self.bus_guard(bus).await?;
        let existing = self.tables.rule(bus, &name).await?;
        match &existing {
            Some(rule) => refuse_managed(&rule.value)?,
            None => self.check_rule_quota(bus).await?,
        }
        let (rule, reschedule) = updated_rule(ctx, bus, input, existing.as_ref().map(|r| &r.value));
        let (version, guard) = match &existing {
            Some(r) => (Some(r.version), Vec::new()),
            None => (None, guard),
        };
        self.save_rule_with(bus, &rule, version, reschedule, guard)
            .await
    }
}

/// The rule PutRule makes of `old` (or a new one) and whether its schedule must be planned
/// again. An update replaces everything but the targets and tags.
fn updated_rule(
    ctx: &RequestContext,
    bus: &BusRef,
    input: &PutRuleRequest,
    old: Option<&RuleRecord>,
) -> (RuleRecord, bool) {
    let mut rule = old.cloned().unwrap_or_else(|| RuleRecord {
        name: input.name.clone().unwrap_or_default(),
        bus: bus.name.clone(),
        created_by: ctx.account().as_str().to_owned(),
        tags: input.tags.clone().unwrap_or_default(),
        ..RuleRecord::default()
    });
    rule.description = input.description.clone();
    rule.event_pattern = input.event_pattern.clone();
    rule.schedule_expression = input.schedule_expression.clone();
    rule.role_arn = input.role_arn.clone();
    rule.state = state_name(input.state.as_ref());
    let reschedule = old.is_none_or(|o| {
        o.schedule_expression != rule.schedule_expression || o.enabled() != rule.enabled()
    });
    if reschedule {
        rule.schedule_gen += 1;
    }
    (rule, reschedule)
}

impl PutRule for EventsService {
    async fn put_rule(
        &self,
        ctx: &RequestContext,
        input: PutRuleRequest,
    ) -> Result<PutRuleResponse, ServiceError> {
        let name = input.name.clone().unwrap_or_default();
        let bus = rule_ref(ctx, "PutRule", input.event_bus_name.as_deref(), &name)?;
        check_rule_input(&bus, &input)?;
        crate::ops::tags::check_tags(input.tags.as_deref().unwrap_or_default())?;
        retry_conflicts(is_conflict, || self.put_rule_once(ctx, &bus, &input)).await?;
        Ok(PutRuleResponse {
            rule_arn: Some(bus.rule_arn(&name)),
        })
    }
}

fn described(bus: &BusRef, rule: RuleRecord) -> DescribeRuleResponse {
    DescribeRuleResponse {
        arn: Some(bus.rule_arn(&rule.name)),
        created_by: Some(rule.created_by),
        description: rule.description,
        event_bus_name: Some(bus.name.clone()),
        event_pattern: rule.event_pattern,
        managed_by: rule.managed_by,
        name: Some(rule.name),
        role_arn: rule.role_arn,
        schedule_expression: rule.schedule_expression,
        state: Some(rule_state(&rule.state)),
    }
}

fn listed(bus: &BusRef, rule: RuleRecord) -> Rule {
    let d = described(bus, rule);
    Rule {
        arn: d.arn,
        description: d.description,
        event_bus_name: d.event_bus_name,
        event_pattern: d.event_pattern,
        managed_by: d.managed_by,
        name: d.name,
        role_arn: d.role_arn,
        schedule_expression: d.schedule_expression,
        state: d.state,
    }
}

impl DescribeRule for EventsService {
    async fn describe_rule(
        &self,
        ctx: &RequestContext,
        input: DescribeRuleRequest,
    ) -> Result<DescribeRuleResponse, ServiceError> {
        let name = input.name.unwrap_or_default();
        let bus = rule_ref(ctx, "DescribeRule", input.event_bus_name.as_deref(), &name)?;
        let rule = self.load_rule(&bus, &name).await?;
        Ok(described(&bus, rule.value))
    }
}

impl ListRules for EventsService {
    async fn list_rules(
        &self,
        ctx: &RequestContext,
        input: ListRulesRequest,
    ) -> Result<ListRulesResponse, ServiceError> {
        let bus = caller_bus(ctx, input.event_bus_name.as_deref());
        authorize(ctx, "ListRules", &bus.arn(), &bus.account, None)?;
        if !self.tables.bus_exists(&bus).await? {
            return Err(bus_not_found(&bus.name));
        }
        let limit = input
            .limit
            .map_or(100, |l| usize::try_from(l).unwrap_or(100));
        let prefix = format!(
            "{}{}",
            bus.rules_prefix(),
            input.name_prefix.unwrap_or_default()
        );
        let after = input.next_token.map(|t| bus.rule_row(&t));
        let mut rows = self
            .tables
            .rules
            .scan(&prefix, after.as_deref(), limit + 1)
            .await
            .map_err(store_err)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_token = more
            .then(|| rows.last().map(|(_, r)| r.value.name.clone()))
            .flatten();
        Ok(ListRulesResponse {
            rules: Some(
                rows.into_iter()
                    .map(|(_, r)| listed(&bus, r.value))
                    .collect(),
            ),
            next_token,
        })
    }
}

impl EventsService {
    /// Sets a rule's state (EnableRule / DisableRule).
    async fn set_state(
        &self,
        ctx: &RequestContext,
        operation: &str,
        bus_name: Option<&str>,
        name: &str,
        enable: bool,
    ) -> Result<(), ServiceError> {
        let bus = rule_ref(ctx, operation, bus_name, name)?;
        retry_conflicts(is_conflict, || async {
            let Versioned { mut value, version } = self.load_rule(&bus, name).await?;
            refuse_managed(&value)?;
            if value.enabled() == enable {
                return Ok(());
            }
            value.state = if enable { "ENABLED" } else { "DISABLED" }.to_owned();
            value.schedule_gen += 1;
            self.save_rule(&bus, &value, Some(version), enable).await
        })
        .await
    }
}

impl EnableRule for EventsService {
    async fn enable_rule(
        &self,
        ctx: &RequestContext,
        input: EnableRuleRequest,
    ) -> Result<(), ServiceError> {
        let name = input.name.unwrap_or_default();
        self.set_state(
            ctx,
            "EnableRule",
            input.event_bus_name.as_deref(),
            &name,
            true,
        )
        .await
    }
}

impl DisableRule for EventsService {
    async fn disable_rule(
        &self,
        ctx: &RequestContext,
        input: DisableRuleRequest,
    ) -> Result<(), ServiceError> {
        let name = input.name.unwrap_or_default();
        self.set_state(
            ctx,
            "DisableRule",
            input.event_bus_name.as_deref(),
            &name,
            false,
        )
        .await
    }
}

impl DeleteRule for EventsService {
    async fn delete_rule(
        &self,
        ctx: &RequestContext,
        input: DeleteRuleRequest,
    ) -> Result<(), ServiceError> {
        let name = input.name.unwrap_or_default();
        let bus = rule_ref(ctx, "DeleteRule", input.event_bus_name.as_deref(), &name)?;
        let force = input.force.unwrap_or(false);
        retry_conflicts(is_conflict, || async {
            // AWS answers success for a rule that does not exist.
            let Some(rule) = self.tables.rule(&bus, &name).await? else {
                return Ok(());
            };
            check_forced(&rule.value, force)?;
            if !rule.value.targets.is_empty() && !force {
                return Err(validation("Rule can't be deleted since it has targets."));
            }
            let writes = vec![
                self.tables
                    .rules
                    .delete(&bus.rule_row(&name), Expect::Version(rule.version)),
                self.tables.touch_rule_set(&bus)?,
                self.tables
                    .all_management_write(&bus.rule_row(&name), None)?,
            ];
            self.tables.commit(writes).await
        })
        .await
    }
}

impl ListRuleNamesByTarget for EventsService {
    async fn list_rule_names_by_target(
        &self,
        ctx: &RequestContext,
        input: ListRuleNamesByTargetRequest,
    ) -> Result<ListRuleNamesByTargetResponse, ServiceError> {
        let bus = caller_bus(ctx, input.event_bus_name.as_deref());
        authorize(ctx, "ListRuleNamesByTarget", &bus.arn(), &bus.account, None)?;
        if !self.tables.bus_exists(&bus).await? {
            return Err(bus_not_found(&bus.name));
        }
        let target = input.target_arn.unwrap_or_default();
        let set = self.all_rules(&bus).await?;
        let after = input.next_token.unwrap_or_default();
        let limit = input
            .limit
            .map_or(100, |l| usize::try_from(l).unwrap_or(100));
        let mut names = set
            .into_iter()
            .filter(|r| r.targets.iter().any(|t| t.arn.as_deref() == Some(&target)))
            .map(|r| r.name)
            .filter(|n| after.is_empty() || *n > after);
        let page: Vec<String> = names.by_ref().take(limit).collect();
        let next_token = names.next().and(page.last().cloned());
        Ok(ListRuleNamesByTargetResponse {
            rule_names: Some(page),
            next_token,
        })
    }
}

impl EventsService {
    /// Every rule of `bus`, in name order.
    pub(crate) async fn all_rules(&self, bus: &BusRef) -> Result<Vec<RuleRecord>, ServiceError> {
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page = self
                .tables
                .rules
                .scan(&bus.rules_prefix(), after.as_deref(), 500)
                .await
                .map_err(store_err)?;
            let Some((last, _)) = page.last() else { break };
            after = Some(last.clone());
            out.extend(page.into_iter().map(|(_, r)| r.value));
        }
        Ok(out)
    }
}
