//! PutLoggingConfiguration, GetLoggingConfiguration, DeleteLoggingConfiguration and
//! ListLoggingConfigurations: one configuration per web ACL, sent to one destination whose
//! name starts with `aws-waf-logs-` (a Firehose delivery stream, a CloudWatch Logs log
//! group or an S3 bucket); redacted fields limited to what AWS redacts (single header, URI
//! path, query string, method); logging filters with well-formed conditions.

use crate::Wafv2Service;
use crate::arn::{Kind, Location, Scope};
use crate::check::one_of;
use crate::errors::{internal, invalid_parameter, nonexistent};
use crate::ops::json::{limit_of, list, object, text};
use crate::ops::json_op;
use crate::record::{Logging, logging_row, scope_prefix};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::Expect;
use serde_json::{Map, Value, json};

/// The prefix AWS requires of a logging destination's name.
const PREFIX: &str = "aws-waf-logs-";

/// True when `arn` is a logging destination AWS accepts in `region` of `account`.
pub fn valid_destination(arn: &str, region: &str, account: &str) -> bool {
    if let Some(bucket) = arn.strip_prefix("arn:aws:s3:::") {
        return bucket.starts_with(PREFIX) && !bucket.contains('/');
    }
    let firehose = format!("arn:aws:firehose:{region}:{account}:deliverystream/{PREFIX}");
    let logs = format!("arn:aws:logs:{region}:{account}:log-group:{PREFIX}");
    arn.len() > firehose.len() && arn.starts_with(&firehose)
        || arn.len() > logs.len() && arn.starts_with(&logs)
}

/// Checks a `LoggingConfiguration` of the caller.
fn check_config(ctx: &RequestContext, config: &Map<String, Value>) -> Result<(), ServiceError> {
    check_destinations(ctx, list(config, "LogDestinationConfigs"))?;
    for field in list(config, "RedactedFields") {
        let (kind, _) = one_of(field, "FIELD_TO_MATCH")?;
        if !matches!(kind, "SingleHeader" | "UriPath" | "QueryString" | "Method") {
            let reason = "You can't redact this field.";
            return Err(invalid_parameter("FIELD_TO_MATCH", kind, reason));
        }
    }
    match object(config, "LoggingFilter") {
        Some(filter) => check_filter(filter),
        None => Ok(()),
    }
}

/// One destination, of the caller's account and Region, named `aws-waf-logs-*`.
fn check_destinations(ctx: &RequestContext, destinations: &[Value]) -> Result<(), ServiceError> {
    if destinations.len() != 1 {
        let reason = "You can associate only one log destination with a web ACL.";
        return Err(invalid_parameter(
            "LOG_DESTINATION",
            "LogDestinationConfigs",
            reason,
        ));
    }
    let (region, account) = (ctx.region.as_str(), ctx.account().as_str());
    for arn in destinations.iter().map(|d| d.as_str().unwrap_or("")) {
        if !valid_destination(arn, region, account) {
            let reason = "The ARN isn't a valid log destination.";
            return Err(invalid_parameter("LOG_DESTINATION", arn, reason));
        }
    }
    Ok(())
}

/// Each filter has conditions, each with exactly one of ActionCondition and
/// LabelNameCondition.
fn check_filter(filter: &Map<String, Value>) -> Result<(), ServiceError> {
    for f in list(filter, "Filters") {
        let conditions = f.get("Conditions").and_then(Value::as_array);
        let conditions = conditions.map_or(&[][..], Vec::as_slice);
        if conditions.is_empty() {
            let reason = "A filter needs at least one condition.";
            return Err(invalid_parameter("FILTER_CONDITION", "Conditions", reason));
        }
        for c in conditions {
            one_of(c, "FILTER_CONDITION")?;
        }
    }
    Ok(())
}

impl Wafv2Service {
    /// The web ACL `arn` of the caller and the row of its logging configuration.
    async fn logging_of(
        &self,
        ctx: &RequestContext,
        arn: &str,
    ) -> Result<(Scope, String), ServiceError> {
        let acl = self
            .find_arn(ctx, arn, Some(Kind::WebAcl), "RESOURCE_ARN")
            .await?;
        let row = logging_row(
            ctx.account().as_str(),
            ctx.region.as_str(),
            acl.value.scope,
            arn,
        );
        Ok((acl.value.scope, row))
    }
}

json_op!(
    PutLoggingConfiguration,
    put_logging_configuration,
    PutLoggingConfigurationRequest,
    PutLoggingConfigurationResponse,
    |s, ctx, m| async {
        let mut config = object(&m, "LoggingConfiguration")
            .cloned()
            .unwrap_or_default();
        check_config(ctx, &config)?;
        let (scope, row) = s.logging_of(ctx, text(&config, "ResourceArn")).await?;
        config.insert("ManagedByFirewallManager".into(), json!(false));
        let record = Logging {
            scope,
            config: config.clone(),
        };
        let put = s
            .tables
            .logging
            .put(&row, &record, Expect::Any)
            .map_err(internal)?;
        s.store.transact(vec![put]).await.map_err(internal)?;
        s.changed();
        Ok(json!({"LoggingConfiguration": config}))
    }
);

json_op!(
    GetLoggingConfiguration,
    get_logging_configuration,
    GetLoggingConfigurationRequest,
    GetLoggingConfigurationResponse,
    |s, ctx, m| async {
        let arn = text(&m, "ResourceArn");
        Location::of_caller(ctx, arn, Some(Kind::WebAcl), "RESOURCE_ARN")?;
        let (_, row) = s.logging_of(ctx, arn).await?;
        let found = s
            .tables
            .logging
            .get(&row)
            .await
            .map_err(internal)?
            .ok_or_else(nonexistent)?;
        Ok(json!({"LoggingConfiguration": found.value.config}))
    }
);

json_op!(
    DeleteLoggingConfiguration,
    delete_logging_configuration,
    DeleteLoggingConfigurationRequest,
    DeleteLoggingConfigurationResponse,
    |s, ctx, m| async {
        let (_, row) = s.logging_of(ctx, text(&m, "ResourceArn")).await?;
        let found = s
            .tables
            .logging
            .get(&row)
            .await
            .map_err(internal)?
            .ok_or_else(nonexistent)?;
        let delete = s
            .tables
            .logging
            .delete(&row, Expect::Version(found.version));
        s.store.transact(vec![delete]).await.map_err(internal)?;
        s.changed();
        Ok(json!({}))
    }
);

json_op!(
    ListLoggingConfigurations,
    list_logging_configurations,
    ListLoggingConfigurationsRequest,
    ListLoggingConfigurationsResponse,
    |s, ctx, m| async {
        let scope = Scope::for_request(ctx, text(&m, "Scope"))?;
        let prefix = scope_prefix(ctx.account().as_str(), ctx.region.as_str(), scope);
        let after = m
            .get("NextMarker")
            .and_then(Value::as_str)
            .map(|marker| format!("{prefix}{marker}"));
        let limit = limit_of(&m);
        let mut rows = s
            .tables
            .logging
            .scan(&prefix, after.as_deref(), limit + 1)
            .await
            .map_err(internal)?;
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next = rows.last().map(|(key, _)| key[prefix.len()..].to_owned());
        let configs: Vec<Value> = rows
            .into_iter()
            .map(|(_, r)| Value::Object(r.value.config))
            .collect();
        let mut out = json!({"LoggingConfigurations": configs});
        if let (true, Some(next), Some(o)) = (more, next, out.as_object_mut()) {
            o.insert("NextMarker".into(), json!(next));
        }
        Ok(out)
    }
);

#[cfg(test)]
mod tests {
    use super::valid_destination;

    #[test]
    fn destinations() {
        let (r, a) = ("us-east-1", "123456789012");
        assert!(valid_destination(
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-x",
            r,
            a
        ));
        assert!(valid_destination(
            "arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-x",
            r,
            a
        ));
        assert!(valid_destination("arn:aws:s3:::aws-waf-logs-bucket", r, a));
        assert!(!valid_destination("arn:aws:s3:::my-bucket", r, a));
        assert!(!valid_destination(
            "arn:aws:firehose:us-west-2:123456789012:deliverystream/aws-waf-logs-x",
            r,
            a
        ));
        assert!(!valid_destination(
            "arn:aws:firehose:us-east-1:123456789012:deliverystream/aws-waf-logs-",
            r,
            a
        ));
    }
}
