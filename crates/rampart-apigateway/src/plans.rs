//! What API keys and usage plans keep: one row per API key (its value sealed under the
//! API Gateway domain key, with a keyed fingerprint the edge recognises it by), one row per
//! usage plan (its API stages, throttle, quota and key ids), and one row of counted requests
//! per plan, key and UTC day.

use crate::record::Map;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// API key rows, keyed `<account>/<region>/<key id>`.
pub const KEYS: &str = "apigateway_apikeys";
/// Usage plan rows, keyed `<account>/<region>/<plan id>`.
pub const PLANS: &str = "apigateway_usageplans";
/// Usage rows, keyed `<account>/<region>/<plan id>/<key id>/<yyyy-mm-dd>`.
pub const USAGE: &str = "apigateway_usage";

/// The label of the keyed fingerprint of key values.
pub const FINGERPRINT_LABEL: &[u8] = b"apigateway/api-key-value";

/// One API key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub customer_id: Option<String>,
    pub enabled: bool,
    pub created_ms: i64,
    pub updated_ms: i64,
    #[serde(default)]
    pub stage_keys: Vec<String>,
    #[serde(default)]
    pub tags: Map,
    /// The value, AES-256-GCM under the domain key bound to the row key (base64).
    pub sealed_value: String,
    /// HMAC of the value under the domain key (hex): how the edge finds the key.
    pub fingerprint: String,
}

/// Throttle limits (either may be absent, as given).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ThrottleRecord {
    pub burst_limit: Option<i32>,
    pub rate_limit: Option<f64>,
}

/// A quota: `limit` requests per `period` (DAY, WEEK, MONTH) starting `offset` days in.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuotaRecord {
    pub limit: i32,
    pub offset: i32,
    pub period: String,
}

/// A stage a plan applies to, with per-method throttles by `/<path>/<METHOD>`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiStageRecord {
    pub api_id: String,
    pub stage: String,
    #[serde(default)]
    pub throttle: BTreeMap<String, ThrottleRecord>,
}

/// One usage plan.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UsagePlanRecord {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    #[serde(default)]
    pub api_stages: Vec<ApiStageRecord>,
    pub throttle: Option<ThrottleRecord>,
    pub quota: Option<QuotaRecord>,
    #[serde(default)]
    pub tags: Map,
    /// The ids of the plan's API keys.
    #[serde(default)]
    pub keys: Vec<String>,
}

/// Requests counted for one plan, key and day, and quota UpdateUsage changed that day.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Default)]
pub struct UsageRecord {
    pub used: i64,
    /// Quota granted back (or, negative, taken) by UpdateUsage on this day.
    #[serde(default)]
    pub granted: i64,
}
