//! What a secret's record keeps about rotation: the configuration RotateSecret set, the next
//! rotation window, and the rotation in progress (which step runs next), so that a restart
//! resumes a rotation at the step after the last one that completed.

use super::Step;
use serde::{Deserialize, Serialize};

/// A secret's rotation: configuration, schedule and progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RotationState {
    /// Whether automatic rotation is on (RotateSecret turns it on, CancelRotateSecret off).
    #[serde(default)]
    pub enabled: bool,
    /// The rotation function's ARN as RotateSecret received it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rules: Option<Rules>,
    /// When the last rotation succeeded (epoch milliseconds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_rotated_ms: Option<i64>,
    /// The next scheduled rotation window, while rotation is on and rules are set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<Window>,
    /// The rotation running now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<Progress>,
}

impl RotationState {
    /// Whether rotation was never configured (nothing to store).
    pub fn is_off(&self) -> bool {
        *self == RotationState::default()
    }
}

/// RotationRules as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rules {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatically_after_days: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_expression: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
}

/// A rotation window: the scheduled rotation runs at `start_ms`; NextRotationDate is the
/// window's last second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
}

/// A rotation in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// The new version's id (`ClientRequestToken` of every step).
    pub token: String,
    /// The token identifying this rotation (`RotationToken` of every step).
    pub rotation_token: String,
    /// The step that runs next.
    pub next_step: Step,
    /// Failed attempts so far.
    #[serde(default)]
    pub attempts: u32,
    /// RotateImmediately=false: only testSecret runs, to check the configuration.
    #[serde(default)]
    pub test_only: bool,
    /// When the rotation started.
    pub started_ms: i64,
}

impl Progress {
    /// The step after `next_step`, `None` after the last (testSecret alone for a test).
    pub fn step_after(&self) -> Option<Step> {
        if self.test_only {
            return None;
        }
        let at = Step::ALL.iter().position(|s| *s == self.next_step)?;
        Step::ALL.get(at + 1).copied()
    }
}
