//! The edge's view of API keys and usage plans: keys by the fingerprint of their value, and
//! for each deployed API stage the plans that cover it, rebuilt with the rest of the
//! [`Snapshot`](crate::edge::Snapshot).

use crate::edge::snapshot::scan_all;
use crate::plans::{ApiKeyRecord, KEYS, PLANS, QuotaRecord, ThrottleRecord, UsagePlanRecord};
use rampart_store::{Store, StoreError, Table};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One API key as the edge checks it.
#[derive(Debug, Clone)]
pub struct KeyView {
    pub id: String,
    /// `<account>/<region>` of the key.
    pub owner: String,
    pub enabled: bool,
}

/// One usage plan on one API stage.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub id: String,
    /// `<account>/<region>` of the plan.
    pub owner: String,
    pub throttle: Option<ThrottleRecord>,
    pub quota: Option<QuotaRecord>,
    /// Per-method throttles of this stage, by `/<path>/<METHOD>`.
    pub method_throttle: BTreeMap<String, ThrottleRecord>,
    pub keys: HashSet<String>,
}

/// Keys and plans for the edge.
#[derive(Debug, Clone, Default)]
pub struct KeyIndex {
    /// Keys by the hex fingerprint of their value.
    pub by_fingerprint: HashMap<String, KeyView>,
    /// Plans by `<api id>/<stage>`.
    pub by_stage: HashMap<String, Vec<PlanView>>,
}

impl KeyIndex {
    /// The plan of `stage` of `api` holding key `key`, if any.
    pub fn plan_for(&self, api: &str, stage: &str, key: &KeyView) -> Option<&PlanView> {
        let plans = self.by_stage.get(&format!("{api}/{stage}"))?;
        plans
            .iter()
            .find(|p| p.owner == key.owner && p.keys.contains(&key.id))
    }
}

/// `<account>/<region>` of a row key `<account>/<region>/<id>`.
fn owner_of(row: &str) -> String {
    let mut parts = row.splitn(3, '/');
    let account = parts.next().unwrap_or_default();
    let region = parts.next().unwrap_or_default();
    format!("{account}/{region}")
}

/// Reads every key and plan of `store`.
pub async fn load(store: &Store) -> Result<KeyIndex, StoreError> {
    let keys: Table<ApiKeyRecord> = Table::new(store.clone(), KEYS);
    let plans: Table<UsagePlanRecord> = Table::new(store.clone(), PLANS);
    let mut index = KeyIndex::default();
    for (row, key) in scan_all(&keys).await? {
        let view = KeyView {
            id: key.value.id.clone(),
            owner: owner_of(&row),
            enabled: key.value.enabled,
        };
        index.by_fingerprint.insert(key.value.fingerprint, view);
    }
    for (row, plan) in scan_all(&plans).await? {
        let plan = plan.value;
        for stage in &plan.api_stages {
            let view = PlanView {
                id: plan.id.clone(),
                owner: owner_of(&row),
                throttle: plan.throttle.clone(),
                quota: plan.quota.clone(),
                method_throttle: stage.throttle.clone(),
                keys: plan.keys.iter().cloned().collect(),
            };
            let at = format!("{}/{}", stage.api_id, stage.stage);
            index.by_stage.entry(at).or_default().push(view);
        }
    }
    Ok(index)
}
