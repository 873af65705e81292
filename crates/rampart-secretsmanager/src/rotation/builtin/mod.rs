//! Rampart's built-in rotators, standing in for AWS's rotation templates (the
//! SecretsManagerRDS…Rotation… Lambda functions): none yet.

use super::RotationFunction;
use std::sync::Arc;

/// The built-in rotator for the rotation function named `function_name` (the last part of a
/// RotationLambdaARN), when that name is one of AWS's rotation template names.
pub fn builtin(function_name: &str) -> Option<Arc<dyn RotationFunction>> {
    let _ = function_name;
    None
}
