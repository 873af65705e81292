//! AssociateWebACL, DisassociateWebACL, GetWebACLForResource and ListResourcesForWebACL. A
//! resource (an API Gateway stage, Application Load Balancer, AppSync API, Cognito user
//! pool, App Runner service, Verified Access instance or Amplify app of the caller's Region)
//! is protected by at most one regional web ACL: associating it again moves it. Rampart does
//! not serve those resources yet, so a well-formed ARN is accepted as it is.

use crate::Wafv2Service;
use crate::arn::{Kind, Location, Scope};
use crate::errors::{internal, invalid_parameter};
use crate::ops::json::text;
use crate::ops::json_op;
use crate::record::{Association, Resource, association_row, location_row};
use crate::service::{CAS_ATTEMPTS, kept_conflicting};
use rampart_codec::ServiceError;
use rampart_core::RequestContext;
use rampart_store::{Expect, Versioned, Write};
use serde_json::{Value, json};

/// AWS's reason for an ARN it cannot use.
const BAD_ARN: &str = "The ARN isn't valid. A valid ARN begins with arn: and includes other information separated by colons or slashes.";

/// The `ResourceType` of a protectable resource ARN in `region`; `None` if it is none.
pub fn resource_type(arn: &str, region: &str) -> Option<&'static str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, partition, service, arn_region, account, path] = parts.as_slice() else {
        return None;
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if *partition != "aws" || *arn_region != region {
        return None;
    }
    let segments: Vec<&str> = path.split('/').collect();
    let filled = segments.iter().all(|s| !s.is_empty());
    match (*service, segments.as_slice()) {
        ("apigateway", ["", "restapis", _, "stages", _]) if account.is_empty() => segments[1..]
            .iter()
            .all(|s| !s.is_empty())
            .then_some("API_GATEWAY"),
        ("elasticloadbalancing", ["loadbalancer", "app", _, _]) => {
            ok(account_ok && filled, "APPLICATION_LOAD_BALANCER")
        }
        ("appsync", ["apis", _]) => ok(account_ok && filled, "APPSYNC"),
        ("cognito-idp", ["userpool", _]) => ok(account_ok && filled, "COGNITO_USER_POOL"),
        ("apprunner", ["service", _, _]) => ok(account_ok && filled, "APP_RUNNER_SERVICE"),
        ("ec2", ["verified-access-instance", _]) => {
            ok(account_ok && filled, "VERIFIED_ACCESS_INSTANCE")
        }
        ("amplify", ["apps", _]) => ok(account_ok && filled, "AMPLIFY"),
        _ => None,
    }
}

fn ok(valid: bool, kind: &'static str) -> Option<&'static str> {
    valid.then_some(kind)
}

/// The protectable resource `arn` of the caller's Region, or AWS's error.
fn protectable(ctx: &RequestContext, arn: &str) -> Result<&'static str, ServiceError> {
    resource_type(arn, ctx.region.as_str())
        .ok_or_else(|| invalid_parameter("RESOURCE_ARN", arn, BAD_ARN))
}

impl Wafv2Service {
    /// The association of `resource` in the caller's Region.
    async fn association(
        &self,
        ctx: &RequestContext,
        resource: &str,
    ) -> Result<Option<Versioned<Association>>, ServiceError> {
        let row = association_row(ctx.account().as_str(), ctx.region.as_str(), resource);
        self.tables.associations.get(&row).await.map_err(internal)
    }

    /// The write removing `resource` from the associations of the web ACL `acl_arn`.
    async fn detach(&self, acl_arn: &str, resource: &str) -> Result<Option<Write>, ServiceError> {
        let Some(loc) = Location::parse(acl_arn) else {
            return Ok(None);
        };
        let Some(found) = self.at(&loc).await? else {
            return Ok(None);
        };
        let mut record: Resource = found.value;
        record.associations.retain(|r| r != resource);
        let put =
            self.tables
                .web_acls
                .put(&location_row(&loc), &record, Expect::Version(found.version));
        Ok(Some(put.map_err(internal)?))
    }

    /// One attempt at associating `resource` with the web ACL `acl_arn`; `Ok(false)` on a
    /// conflict.
    async fn try_associate(
        &self,
        ctx: &RequestContext,
        acl_arn: &str,
        resource: &str,
    ) -> Result<bool, ServiceError> {
        let acl = self
            .find_arn(ctx, acl_arn, Some(Kind::WebAcl), "RESOURCE_ARN")
            .await?;
        if acl.value.scope != Scope::Regional {
            let reason = "A CloudFront web ACL is associated through the distribution.";
            return Err(invalid_parameter("RESOURCE_ARN", acl_arn, reason));
        }
        let row = association_row(ctx.account().as_str(), ctx.region.as_str(), resource);
        let mut writes = Vec::new();
        let previous = self.association(ctx, resource).await?;
        if let Some(previous) = &previous {
            if previous.value.web_acl_arn == acl.value.arn {
                return Ok(true);
            }
            writes.extend(self.detach(&previous.value.web_acl_arn, resource).await?);
        }
        let expect = previous.map_or(Expect::Absent, |p| Expect::Version(p.version));
        let link = Association {
            resource_arn: resource.to_owned(),
            web_acl_arn: acl.value.arn.clone(),
        };
        writes.push(
            self.tables
                .associations
                .put(&row, &link, expect)
                .map_err(internal)?,
        );
        let mut record = acl.value;
        record.associations.push(resource.to_owned());
        self.commit(&record, Expect::Version(acl.version), writes)
            .await
    }

    /// One attempt at removing the association of `resource`; `Ok(false)` on a conflict.
    async fn try_disassociate(
        &self,
        ctx: &RequestContext,
        resource: &str,
    ) -> Result<bool, ServiceError> {
        let Some(found) = self.association(ctx, resource).await? else {
            return Ok(true);
        };
        let row = association_row(ctx.account().as_str(), ctx.region.as_str(), resource);
        let mut writes = vec![
            self.tables
                .associations
                .delete(&row, Expect::Version(found.version)),
        ];
        writes.extend(self.detach(&found.value.web_acl_arn, resource).await?);
        match self.store.transact(writes).await {
            Ok(()) => {
                self.changed();
                Ok(true)
            }
            Err(e) if e.is_conflict() => Ok(false),
            Err(e) => Err(internal(e)),
        }
    }
}

json_op!(
    AssociateWebACL,
    associate_web_acl,
    AssociateWebACLRequest,
    AssociateWebACLResponse,
    |s, ctx, m| async {
        let resource = text(&m, "ResourceArn");
        protectable(ctx, resource)?;
        for _ in 0..CAS_ATTEMPTS {
            if s.try_associate(ctx, text(&m, "WebACLArn"), resource)
                .await?
            {
                return Ok(json!({}));
            }
        }
        Err(kept_conflicting())
    }
);

json_op!(
    DisassociateWebACL,
    disassociate_web_acl,
    DisassociateWebACLRequest,
    DisassociateWebACLResponse,
    |s, ctx, m| async {
        let resource = text(&m, "ResourceArn");
        protectable(ctx, resource)?;
        for _ in 0..CAS_ATTEMPTS {
            if s.try_disassociate(ctx, resource).await? {
                return Ok(json!({}));
            }
        }
        Err(kept_conflicting())
    }
);

json_op!(
    GetWebACLForResource,
    get_web_acl_for_resource,
    GetWebACLForResourceRequest,
    GetWebACLForResourceResponse,
    |s, ctx, m| async {
        let resource = text(&m, "ResourceArn");
        protectable(ctx, resource)?;
        let Some(link) = s.association(ctx, resource).await? else {
            return Ok(json!({}));
        };
        let acl = s
            .find_arn(
                ctx,
                &link.value.web_acl_arn,
                Some(Kind::WebAcl),
                "RESOURCE_ARN",
            )
            .await?;
        Ok(json!({"WebACL": Value::Object(acl.value.body)}))
    }
);

json_op!(
    ListResourcesForWebACL,
    list_resources_for_web_acl,
    ListResourcesForWebACLRequest,
    ListResourcesForWebACLResponse,
    |s, ctx, m| async {
        let acl = s
            .find_arn(
                ctx,
                text(&m, "WebACLArn"),
                Some(Kind::WebAcl),
                "RESOURCE_ARN",
            )
            .await?;
        let wanted = m
            .get("ResourceType")
            .and_then(Value::as_str)
            .unwrap_or("APPLICATION_LOAD_BALANCER");
        let region = ctx.region.as_str();
        let arns: Vec<&String> = acl
            .value
            .associations
            .iter()
            .filter(|a| resource_type(a, region) == Some(wanted))
            .collect();
        Ok(json!({"ResourceArns": arns}))
    }
);

#[cfg(test)]
mod tests {
    use super::resource_type;

    #[test]
    fn protectable_arns() {
        let r = "us-east-1";
        let cases = [
            (
                "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/prod",
                Some("API_GATEWAY"),
            ),
            (
                "arn:aws:apigateway:us-west-2::/restapis/a1b2c3/stages/prod",
                None,
            ),
            (
                "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/stages/",
                None,
            ),
            (
                "arn:aws:apigateway:us-east-1:123456789012:/restapis/a/stages/p",
                None,
            ),
            (
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/50dc6c495c0c9188",
                Some("APPLICATION_LOAD_BALANCER"),
            ),
            (
                "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/lb/50dc",
                None,
            ),
            (
                "arn:aws:appsync:us-east-1:123456789012:apis/abc",
                Some("APPSYNC"),
            ),
            (
                "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_abc",
                Some("COGNITO_USER_POOL"),
            ),
            (
                "arn:aws:apprunner:us-east-1:123456789012:service/web/8fe1",
                Some("APP_RUNNER_SERVICE"),
            ),
            (
                "arn:aws:ec2:us-east-1:123456789012:verified-access-instance/vai-1",
                Some("VERIFIED_ACCESS_INSTANCE"),
            ),
            (
                "arn:aws:amplify:us-east-1:123456789012:apps/d1",
                Some("AMPLIFY"),
            ),
            ("not-an-arn", None),
        ];
        for (arn, kind) in cases {
            assert_eq!(resource_type(arn, r), kind, "{arn}");
        }
    }
}
