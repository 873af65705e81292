//! Scheduled rules fire: each enabled scheduled rule has one pending item in
//! [`SCHEDULE_QUEUE`], visible at its next firing. The cluster job claims due items, puts the
//! "Scheduled Event" on the default bus (routed like any event) and enqueues the next firing,
//! all in one transaction; an item whose rule is gone, disabled or rescheduled (another
//! generation) is dropped.

use crate::EventsService;
use crate::generated::ServiceError;
use crate::route::{delivery, enqueue};
use crate::schedule::Schedule;
use crate::store::{BusRef, RuleRecord, commit_err};
use rampart_core::{Job, JobContext, JobFuture, JobOutcome, JobScope};
use rampart_jobs::{DueQueue, drain_due};
use rampart_store::Write;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// The queue of pending firings.
pub const SCHEDULE_QUEUE: &str = "events_schedule";

const QUEUE: DueQueue = DueQueue::named(SCHEDULE_QUEUE);

/// One pending firing of one rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Firing {
    pub account: String,
    pub region: String,
    pub rule: String,
    /// The rule's `schedule_gen` when this firing was planned.
    pub generation: u64,
    /// When it fires (epoch ms); a rate schedule counts its periods from `anchor_ms`.
    pub due_ms: i64,
    pub anchor_ms: i64,
}

/// The enqueue of the firing of `rule` after `after_ms`, if its schedule fires again.
pub fn plan(bus: &BusRef, rule: &RuleRecord, anchor_ms: i64, after_ms: i64) -> Option<Write> {
    let schedule = Schedule::parse(rule.schedule_expression.as_deref()?).ok()?;
    let due_ms = schedule.next_after(anchor_ms, after_ms)?;
    let firing = Firing {
        account: bus.account.clone(),
        region: bus.region.clone(),
        rule: rule.name.clone(),
        generation: rule.schedule_gen,
        due_ms,
        anchor_ms,
    };
    Some(Write::Enqueue {
        queue: SCHEDULE_QUEUE,
        payload: serde_json::to_vec(&firing).ok()?,
        visible_at_ms: due_ms,
        dedup_key: Some(format!(
            "{}#{}#{due_ms}",
            bus.rule_row(&rule.name),
            rule.schedule_gen
        )),
    })
}

/// The "Scheduled Event" of `rule_arn` at `due_ms`.
pub fn scheduled_event(bus: &BusRef, rule_arn: &str, due_ms: i64) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": bus.account,
        "time": crate::ops::put_events::event_time(due_ms),
        "region": bus.region,
        "resources": [rule_arn],
        "detail": {},
    })
}

impl EventsService {
    /// Handles one due firing; `Ok(false)` when it was stale.
    async fn fire(&self, firing: Firing) -> Result<bool, ServiceError> {
        let bus = BusRef::resolve(&firing.account, &firing.region, None);
        let Some(rule) = self.tables.rule(&bus, &firing.rule).await? else {
            return Ok(false);
        };
        let rule = rule.value;
        if rule.schedule_gen != firing.generation || !rule.enabled() {
            return Ok(false);
        }
        let arn = bus.rule_arn(&rule.name);
        let event = scheduled_event(&bus, &arn, firing.due_ms);
        // Only the firing rule's targets receive its event (it is not put on the bus).
        let mut writes: Vec<Write> = rule
            .targets
            .iter()
            .map(|t| enqueue(&delivery(&bus, &arn, t, &event)))
            .collect();
        writes.extend(plan(&bus, &rule, firing.anchor_ms, firing.due_ms));
        self.store.transact(writes).await.map_err(commit_err)?;
        Ok(true)
    }

    /// Fires every scheduled rule due at `ctx.now_ms`.
    pub async fn fire_due_schedules(&self, ctx: &JobContext) -> Result<usize, String> {
        drain_due(&self.store, &QUEUE, ctx, |payload| async move {
            match serde_json::from_slice::<Firing>(&payload) {
                Ok(firing) => self.fire(firing).await,
                Err(_) => Ok(false),
            }
        })
        .await
    }
}

/// The cluster job firing scheduled rules.
pub struct ScheduleJob(pub Arc<EventsService>);

impl Job for ScheduleJob {
    fn name(&self) -> &'static str {
        "events.schedule"
    }

    fn period(&self) -> Duration {
        Duration::from_secs(5)
    }

    fn scope(&self) -> JobScope {
        JobScope::Cluster
    }

    fn run(&self, ctx: JobContext) -> JobFuture<'_> {
        Box::pin(async move { self.0.fire_due_schedules(&ctx).await.map(JobOutcome::done) })
    }
}
