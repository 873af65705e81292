//! EventBridge's tables: buses, rules (with their targets and tags) and the per-bus rule-set
//! version routing caches check. Rows of one account and Region share the prefix
//! `<account>/<region>/`; a rule's row is `<account>/<region>/<bus>|<rule>` (`|` appears in
//! neither name), so a prefix scan lists one bus's rules in name order.

use crate::generated::errors::internal_exception;
use crate::generated::{DeadLetterConfig, ServiceError, Tag, Target};
use rampart_store::{Expect, Store, StoreError, Table, Versioned, Write};
use serde::{Deserialize, Serialize};

/// Custom buses (the default bus has a row only once it has a policy or tags).
pub const BUSES: &str = "events_buses";
/// Rules, each with its targets.
pub const RULES: &str = "events_rules";
/// One empty row per rule in state ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, keyed like
/// the rule (`management_gate`).
pub const ALL_MANAGEMENT_RULES: &str = "events_all_management_rules";
/// One row per bus rewritten on every rule change: its version tells routing caches to reload.
pub const RULE_SETS: &str = "events_rule_sets";

/// The name of the bus every account has in every Region.
pub const DEFAULT_BUS: &str = "default";

/// A storage failure as the InternalException the caller sees.
pub fn store_err(e: StoreError) -> ServiceError {
    internal_exception(format!("store: {e}"))
}

/// A bus as stored.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct BusRecord {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub kms_key_identifier: Option<String>,
    #[serde(default)]
    pub dead_letter_config: Option<DeadLetterConfig>,
    /// The resource policy (JSON text) PutPermission builds.
    #[serde(default)]
    pub policy: Option<String>,
    pub created_ms: i64,
    pub modified_ms: i64,
    #[serde(default)]
    pub tags: Vec<Tag>,
}

/// A rule as stored, with its targets (at most five).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RuleRecord {
    pub name: String,
    pub bus: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub event_pattern: Option<String>,
    #[serde(default)]
    pub schedule_expression: Option<String>,
    /// `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`.
    pub state: String,
    #[serde(default)]
    pub role_arn: Option<String>,
    #[serde(default)]
    pub managed_by: Option<String>,
    /// The account that created the rule.
    pub created_by: String,
    #[serde(default)]
    pub targets: Vec<Target>,
    #[serde(default)]
    pub tags: Vec<Tag>,
    /// Bumped whenever the schedule changes or the rule is re-enabled: a pending firing of
    /// an older generation is dropped.
    #[serde(default)]
    pub schedule_gen: u64,
}

impl RuleRecord {
    /// Whether the rule matches events (any enabled state).
    pub fn enabled(&self) -> bool {
        self.state != "DISABLED"
    }

    /// Whether the rule also receives read-only management calls.
    pub fn takes_all_management_events(&self) -> bool {
        self.state == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
    }
}

/// One bus of one account in one Region.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BusRef {
    pub account: String,
    pub region: String,
    pub name: String,
}

impl BusRef {
    /// The bus's ARN.
    pub fn arn(&self) -> String {
        format!(
            "arn:aws:events:{}:{}:event-bus/{}",
            self.region, self.account, self.name
        )
    }

    /// The bus's row key (also its rule-set row key).
    pub fn row(&self) -> String {
        format!("{}/{}/{}", self.account, self.region, self.name)
    }

    /// The prefix of its rules' rows.
    pub fn rules_prefix(&self) -> String {
        format!("{}|", self.row())
    }

    /// The row key of its rule `rule`.
    pub fn rule_row(&self, rule: &str) -> String {
        format!("{}|{rule}", self.row())
    }

    /// The ARN of its rule `rule` (`rule/<name>` on the default bus, `rule/<bus>/<name>` else).
    pub fn rule_arn(&self, rule: &str) -> String {
        let path = if self.name == DEFAULT_BUS {
            rule.to_owned()
        } else {
            format!("{}/{rule}", self.name)
        };
        format!(
            "arn:aws:events:{}:{}:rule/{path}",
            self.region, self.account
        )
    }

    /// The bus an `EventBusName` (name or ARN, defaulting to `default`) names for a caller
    /// of `account` in `region`.
    pub fn resolve(account: &str, region: &str, name_or_arn: Option<&str>) -> BusRef {
        let text = name_or_arn.unwrap_or(DEFAULT_BUS);
        if let Some(parsed) = parse_bus_arn(text) {
            return parsed;
        }
        BusRef {
            account: account.to_owned(),
            region: region.to_owned(),
            name: text.to_owned(),
        }
    }
}

/// An `arn:aws:events:<region>:<account>:event-bus/<name>` as a [`BusRef`].
pub fn parse_bus_arn(arn: &str) -> Option<BusRef> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_), Some("events")) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let region = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?.strip_prefix("event-bus/")?;
    Some(BusRef {
        account: account.to_owned(),
        region: region.to_owned(),
        name: name.to_owned(),
    })
}

/// The EventBridge tables.
#[derive(Clone)]
pub struct Tables {
    pub store: Store,
    pub buses: Table<BusRecord>,
    pub rules: Table<RuleRecord>,
    pub rule_sets: Table<u64>,
    /// The index of rules that take read-only management events.
    pub all_management: Table<bool>,
}

impl Tables {
    /// The tables over `store`.
    pub fn new(store: Store) -> Tables {
        Tables {
            buses: Table::new(store.clone(), BUSES),
            rules: Table::new(store.clone(), RULES),
            rule_sets: Table::new(store.clone(), RULE_SETS),
            all_management: Table::new(store.clone(), ALL_MANAGEMENT_RULES),
            store,
        }
    }

    /// The bus row, if the bus has one.
    pub async fn bus(&self, bus: &BusRef) -> Result<Option<Versioned<BusRecord>>, ServiceError> {
        self.buses.get(&bus.row()).await.map_err(store_err)
    }

    /// Whether the bus exists (the default bus always does).
    pub async fn bus_exists(&self, bus: &BusRef) -> Result<bool, ServiceError> {
        Ok(bus.name == DEFAULT_BUS || self.bus(bus).await?.is_some())
    }

    /// The rule, if it exists.
    pub async fn rule(
        &self,
        bus: &BusRef,
        rule: &str,
    ) -> Result<Option<Versioned<RuleRecord>>, ServiceError> {
        self.rules.get(&bus.rule_row(rule)).await.map_err(store_err)
    }

    /// The write that tells routing caches the bus's rules changed.
    pub fn touch_rule_set(&self, bus: &BusRef) -> Result<Write, ServiceError> {
        self.rule_sets
            .put(&bus.row(), &0, Expect::Any)
            .map_err(store_err)
    }

    /// The current version of the bus's rule set (0 before any rule change).
    pub async fn rule_set_version(&self, bus: &BusRef) -> Result<u64, ServiceError> {
        let record = self
            .store
            .get(RULE_SETS, &bus.row())
            .await
            .map_err(store_err)?;
        Ok(record.map_or(0, |r| r.version))
    }
}

/// A failed commit: a compare-and-swap conflict (another change won the race) as
/// ConcurrentModificationException, anything else as InternalException.
pub fn commit_err(e: StoreError) -> ServiceError {
    if e.is_conflict() {
        crate::generated::errors::concurrent_modification_exception(
            "Another change to the resource is in progress; retry.",
        )
    } else {
        store_err(e)
    }
}

/// Whether an error is a lost compare-and-swap race worth retrying.
pub fn is_conflict(e: &ServiceError) -> bool {
    e.code == "ConcurrentModificationException"
}

impl Tables {
    /// Commits `writes` in one transaction.
    pub async fn commit(&self, writes: Vec<Write>) -> Result<(), ServiceError> {
        self.store.transact(writes).await.map_err(commit_err)
    }
}
