//! GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy: the condition keys the
//! policies read — every key of every Condition block, and the policy variables (`${...}`)
//! of Resource and NotResource — each once (keys compare case-insensitively; the first
//! spelling is kept), by document and statement (within a Condition, in key order). The
//! documents are validated as identity policies first (InvalidInput with the parser's
//! reason).

use super::common::required;
use super::simulate::input_sources;
use crate::IamService;
use crate::generated::shapes::*;
use crate::generated::{GetContextKeysForCustomPolicy, GetContextKeysForPrincipalPolicy};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use serde_json::Value;

impl GetContextKeysForCustomPolicy for IamService {
    async fn get_context_keys_for_custom_policy(
        &self,
        ctx: &RequestContext,
        input: GetContextKeysForCustomPolicyRequest,
    ) -> Result<GetContextKeysForPolicyResponse, ServiceError> {
        self.authorize(ctx, "iam:GetContextKeysForCustomPolicy", "*")?;
        let given = required(input.policy_input_list, "policyInputList")?;
        input_sources(&given)?;
        Ok(GetContextKeysForPolicyResponse {
            context_key_names: Some(context_keys(given.iter().map(String::as_str))),
        })
    }
}

impl GetContextKeysForPrincipalPolicy for IamService {
    async fn get_context_keys_for_principal_policy(
        &self,
        ctx: &RequestContext,
        input: GetContextKeysForPrincipalPolicyRequest,
    ) -> Result<GetContextKeysForPolicyResponse, ServiceError> {
        let arn = required(input.policy_source_arn, "policySourceArn")?;
        let action = "iam:GetContextKeysForPrincipalPolicy";
        let (sources, _, _) = self.principal_sources(ctx, action, &arn, &[]).await?;
        let extra = input.policy_input_list.unwrap_or_default();
        input_sources(&extra)?;
        let documents = sources.iter().map(|s| s.document.as_str());
        let all = documents.chain(extra.iter().map(String::as_str));
        Ok(GetContextKeysForPolicyResponse {
            context_key_names: Some(context_keys(all)),
        })
    }
}

/// The keys `documents` read, each once, by document and statement.
fn context_keys<'a>(documents: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for doc in documents {
        let Ok(value) = serde_json::from_str::<Value>(doc) else {
            continue;
        };
        let statements = match value.get("Statement") {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(one @ Value::Object(_)) => vec![one],
            _ => Vec::new(),
        };
        for statement in statements {
            for key in statement_keys(statement) {
                if !out.iter().any(|k| k.eq_ignore_ascii_case(&key)) {
                    out.push(key);
                }
            }
        }
    }
    out
}

/// The variables of a statement's resources, then its condition keys.
fn statement_keys(statement: &Value) -> Vec<String> {
    let mut keys = Vec::new();
    for element in ["Resource", "NotResource"] {
        let resources = match statement.get(element) {
            Some(Value::String(one)) => vec![one.as_str()],
            Some(Value::Array(many)) => many.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        for resource in resources {
            keys.extend(variables(resource));
        }
    }
    if let Some(Value::Object(operators)) = statement.get("Condition") {
        for block in operators.values() {
            if let Value::Object(entries) = block {
                keys.extend(entries.keys().cloned());
            }
        }
    }
    keys
}

/// The keys of the `${key}` variables in `text` (not `${*}`, `${?}` or `${$}`).
fn variables(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else { break };
        let inner = &after[..end];
        let key = inner.split(',').next().unwrap_or_default().trim();
        if !key.is_empty() && !matches!(key, "*" | "?" | "$") {
            out.push(key.to_owned());
        }
        rest = &after[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_come_from_conditions_and_variables_once() {
        let doc = r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}/*",
             "Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},
                          "StringEquals":{"s3:prefix":"x","AWS:SourceIP":"y"}}},
            {"Effect":"Deny","Action":"*","Resource":"${*}",
             "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;
        assert_eq!(
            context_keys([doc].into_iter()),
            [
                "aws:username",
                "aws:SourceIp",
                "s3:prefix",
                "aws:MultiFactorAuthPresent"
            ]
        );
    }
}
