//! Rotation functions: what runs the four steps of AWS's rotation protocol (createSecret,
//! setSecret, testSecret, finishSecret) for a secret. A function is either one of Rampart's
//! built-in rotators, chosen when the RotationLambdaARN names one of AWS's rotation templates
//! ([`builtin`]), or an HTTP endpoint registered for the function's name.
//!
//! A step acts on the secret through Secrets Manager itself ([`StepContext`]), as a rotation
//! Lambda calls the Secrets Manager API with its execution role.

pub mod builtin;
pub(crate) mod events;
pub mod functions;
mod http;
pub(crate) mod progress;
pub(crate) mod runner;
pub(crate) mod schedule;
pub(crate) mod state;
mod test_version;
pub(crate) mod view;

use crate::SecretsManagerService;
use rampart_core::RequestContext;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::pin::Pin;

/// One step of a rotation, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Step {
    #[serde(rename = "createSecret")]
    CreateSecret,
    #[serde(rename = "setSecret")]
    SetSecret,
    #[serde(rename = "testSecret")]
    TestSecret,
    #[serde(rename = "finishSecret")]
    FinishSecret,
}

impl Step {
    /// The four steps in the order a rotation runs them.
    pub const ALL: [Step; 4] = [
        Step::CreateSecret,
        Step::SetSecret,
        Step::TestSecret,
        Step::FinishSecret,
    ];

    /// The step's name in the event (`createSecret`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Step::CreateSecret => "createSecret",
            Step::SetSecret => "setSecret",
            Step::TestSecret => "testSecret",
            Step::FinishSecret => "finishSecret",
        }
    }
}

/// The event a rotation function gets for one step: the JSON a rotation Lambda receives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct StepEvent {
    pub step: Step,
    /// The secret's ARN.
    pub secret_id: String,
    /// The id of the version the rotation creates (labelled AWSPENDING until finishSecret).
    pub client_request_token: String,
    /// A token identifying this rotation.
    pub rotation_token: String,
}

/// What a step may call: Secrets Manager (`service`) as the rotation's principal (`ctx`: the
/// secret's account, in the secret's Region), the way a Lambda calls GetSecretValue,
/// PutSecretValue, DescribeSecret, GetRandomPassword and UpdateSecretVersionStage through the
/// generated operation traits.
#[derive(Clone, Copy)]
pub struct StepContext<'a> {
    pub service: &'a SecretsManagerService,
    pub ctx: &'a RequestContext,
}

/// Why a step failed, as recorded with the RotationFailed event. It never holds a secret
/// value (a password, a connection string with one): only what went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepFailure(pub String);

impl std::fmt::Display for StepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The future one step runs as.
pub type StepFuture<'a> = Pin<Box<dyn Future<Output = Result<(), StepFailure>> + Send + 'a>>;

/// A rotation function: runs one step of a rotation and answers whether it succeeded.
pub trait RotationFunction: Send + Sync {
    /// Runs `event.step` for `event.secret_id`, calling Secrets Manager through `on`.
    fn run_step<'a>(&'a self, event: &'a StepEvent, on: StepContext<'a>) -> StepFuture<'a>;
}
