//! Service-linked roles: the AWS services whose service-linked role Rampart can create (the
//! role name AWS gives it, the AWS managed policy AWS attaches, whether the service takes a
//! `CustomSuffix`), as the services' IAM documentation names them; the trust policy of such a
//! role; and the deletion tasks DeleteServiceLinkedRole records (table
//! `iam_slr_deletion_tasks`, row `<account>/<deletion task id>`).
//!
//! A role is service-linked when its path begins with `/aws-service-role/`: CreateRole refuses
//! that prefix, as IAM does, so only CreateServiceLinkedRole makes such roles. The AWS managed
//! policies named here are attached by ARN as AWS attaches them; their documents are not in
//! Rampart's catalog (`aws_managed`), so they grant nothing inside Rampart (the roles are
//! assumable only by their service, which Rampart does not run).

use serde::{Deserialize, Serialize};

/// The path prefix of every service-linked role.
pub const PATH_PREFIX: &str = "/aws-service-role/";

/// Deletion tasks. Row: `<account>/<deletion task id>`.
pub const DELETION_TASKS: &str = "iam_slr_deletion_tasks";

/// The service-linked role of one AWS service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkedService {
    /// The service principal, e.g. `autoscaling.amazonaws.com`.
    pub principal: &'static str,
    /// The role name without suffix, e.g. `AWSServiceRoleForAutoScaling`.
    pub role_name: &'static str,
    /// The AWS managed policy (under `/aws-service-role/`) AWS attaches to the role.
    pub policy: &'static str,
    /// Whether the service accepts a `CustomSuffix` (joined to the name with `_`).
    pub suffix: bool,
}

const fn linked(
    principal: &'static str,
    role_name: &'static str,
    policy: &'static str,
    suffix: bool,
) -> LinkedService {
    LinkedService {
        principal,
        role_name,
        policy,
        suffix,
    }
}

/// The services Rampart knows, by principal.
pub const SERVICES: &[LinkedService] = &[
    linked(
        "access-analyzer.amazonaws.com",
        "AWSServiceRoleForAccessAnalyzer",
        "AccessAnalyzerServiceRolePolicy",
        false,
    ),
    linked(
        "acm.amazonaws.com",
        "AWSServiceRoleForCertificateManager",
        "CertificateManagerServiceRolePolicy",
        false,
    ),
    linked(
        "autoscaling.amazonaws.com",
        "AWSServiceRoleForAutoScaling",
        "AutoScalingServiceRolePolicy",
        true,
    ),
    linked(
        "batch.amazonaws.com",
        "AWSServiceRoleForBatch",
        "BatchServiceRolePolicy",
        false,
    ),
    linked(
        "cloudtrail.amazonaws.com",
        "AWSServiceRoleForCloudTrail",
        "CloudTrailServiceRolePolicy",
        false,
    ),
    linked(
        "config.amazonaws.com",
        "AWSServiceRoleForConfig",
        "AWSConfigServiceRolePolicy",
        false,
    ),
    linked(
        "dynamodb.application-autoscaling.amazonaws.com",
        "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
        "AWSApplicationAutoscalingDynamoDBTablePolicy",
        false,
    ),
    linked(
        "ecs.amazonaws.com",
        "AWSServiceRoleForECS",
        "AmazonECSServiceRolePolicy",
        false,
    ),
    linked(
        "ecs.application-autoscaling.amazonaws.com",
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy",
        false,
    ),
    linked(
        "eks-fargate.amazonaws.com",
        "AWSServiceRoleForAmazonEKSForFargate",
        "AmazonEKSForFargateServiceRolePolicy",
        false,
    ),
    linked(
        "eks-nodegroup.amazonaws.com",
        "AWSServiceRoleForAmazonEKSNodegroup",
        "AWSServiceRoleForAmazonEKSNodegroup",
        false,
    ),
    linked(
        "eks.amazonaws.com",
        "AWSServiceRoleForAmazonEKS",
        "AmazonEKSServiceRolePolicy",
        false,
    ),
    linked(
        "elasticache.amazonaws.com",
        "AWSServiceRoleForElastiCache",
        "ElastiCacheServiceRolePolicy",
        false,
    ),
    linked(
        "elasticbeanstalk.amazonaws.com",
        "AWSServiceRoleForElasticBeanstalk",
        "AWSElasticBeanstalkServiceRolePolicy",
        false,
    ),
    linked(
        "elasticloadbalancing.amazonaws.com",
        "AWSServiceRoleForElasticLoadBalancing",
        "AWSElasticLoadBalancingServiceRolePolicy",
        false,
    ),
    linked(
        "elasticmapreduce.amazonaws.com",
        "AWSServiceRoleForEMRCleanup",
        "AmazonEMRCleanupPolicy",
        false,
    ),
    linked(
        "es.amazonaws.com",
        "AWSServiceRoleForAmazonElasticsearchService",
        "AmazonElasticsearchServiceRolePolicy",
        false,
    ),
    linked(
        "guardduty.amazonaws.com",
        "AWSServiceRoleForAmazonGuardDuty",
        "AmazonGuardDutyServiceRolePolicy",
        false,
    ),
    linked(
        "inspector2.amazonaws.com",
        "AWSServiceRoleForAmazonInspector2",
        "AmazonInspector2ServiceRolePolicy",
        false,
    ),
    linked(
        "kafka.amazonaws.com",
        "AWSServiceRoleForKafka",
        "KafkaServiceRolePolicy",
        false,
    ),
    linked(
        "lex.amazonaws.com",
        "AWSServiceRoleForLexBots",
        "AmazonLexBotPolicy",
        false,
    ),
    linked(
        "lexv2.amazonaws.com",
        "AWSServiceRoleForLexV2Bots",
        "AmazonLexV2BotPolicy",
        true,
    ),
    linked(
        "macie.amazonaws.com",
        "AWSServiceRoleForAmazonMacie",
        "AmazonMacieServiceRolePolicy",
        false,
    ),
    linked(
        "opensearchservice.amazonaws.com",
        "AWSServiceRoleForAmazonOpenSearchService",
        "AmazonOpenSearchServiceRolePolicy",
        false,
    ),
    linked(
        "organizations.amazonaws.com",
        "AWSServiceRoleForOrganizations",
        "AWSOrganizationsServiceTrustPolicy",
        false,
    ),
    linked(
        "rds.amazonaws.com",
        "AWSServiceRoleForRDS",
        "AmazonRDSServiceRolePolicy",
        false,
    ),
    linked(
        "replication.dynamodb.amazonaws.com",
        "AWSServiceRoleForDynamoDBReplication",
        "DynamoDBReplicationServiceRolePolicy",
        false,
    ),
    linked(
        "securityhub.amazonaws.com",
        "AWSServiceRoleForSecurityHub",
        "AWSSecurityHubServiceRolePolicy",
        false,
    ),
    linked(
        "spot.amazonaws.com",
        "AWSServiceRoleForEC2Spot",
        "AWSEC2SpotServiceRolePolicy",
        false,
    ),
    linked(
        "spotfleet.amazonaws.com",
        "AWSServiceRoleForEC2SpotFleet",
        "AWSEC2SpotFleetServiceRolePolicy",
        false,
    ),
    linked(
        "ssm.amazonaws.com",
        "AWSServiceRoleForAmazonSSM",
        "AmazonSSMServiceRolePolicy",
        false,
    ),
    linked(
        "sso.amazonaws.com",
        "AWSServiceRoleForSSO",
        "AWSSSOServiceRolePolicy",
        false,
    ),
    linked(
        "support.amazonaws.com",
        "AWSServiceRoleForSupport",
        "AWSSupportServiceRolePolicy",
        false,
    ),
    linked(
        "transitgateway.amazonaws.com",
        "AWSServiceRoleForVPCTransitGateway",
        "AWSVPCTransitGatewayServiceRolePolicy",
        false,
    ),
    linked(
        "trustedadvisor.amazonaws.com",
        "AWSServiceRoleForTrustedAdvisor",
        "AWSTrustedAdvisorServiceRolePolicy",
        false,
    ),
];

/// The known service with principal `principal` (principals are case-sensitive).
pub fn find(principal: &str) -> Option<&'static LinkedService> {
    SERVICES.iter().find(|s| s.principal == principal)
}

impl LinkedService {
    /// The role's name: the service's name, `_<suffix>` appended when one is given.
    pub fn name_with(&self, suffix: Option<&str>) -> String {
        match suffix {
            Some(s) => format!("{}_{s}", self.role_name),
            None => self.role_name.to_owned(),
        }
    }

    /// The role's path, `/aws-service-role/<principal>/`.
    pub fn path(&self) -> String {
        format!("{PATH_PREFIX}{}/", self.principal)
    }

    /// The ARN of the AWS managed policy attached to the role.
    pub fn policy_arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{PATH_PREFIX}{}", self.policy)
    }

    /// The role's trust policy: the service principal may call `sts:AssumeRole`.
    pub fn trust_policy(&self) -> String {
        serde_json::json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Principal": {"Service": [self.principal]},
                "Action": ["sts:AssumeRole"]
            }]
        })
        .to_string()
    }
}

/// Whether a role at `path` is service-linked.
pub fn is_service_linked(path: &str) -> bool {
    path.starts_with(PATH_PREFIX)
}

/// The deletion task DeleteServiceLinkedRole started. Rampart runs no service that could
/// still use the role, so the role is deleted in the same commit and the task has succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeletionTaskRecord {
    pub role_name: String,
    pub role_arn: String,
    pub created_ms: i64,
}

/// A deletion task id, `task/aws-service-role/<principal>/<role name>/<uuid>`, as AWS's.
pub fn deletion_task_id(principal: &str, role_name: &str) -> String {
    let b = rampart_crypto::random::bytes(16);
    let hex = hex::encode(b);
    format!(
        "task{PATH_PREFIX}{principal}/{role_name}/{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The role ARN a deletion task id names (`None` when the id is not one).
pub fn task_role_arn(account: &str, task_id: &str) -> Option<String> {
    let rest = task_id.strip_prefix("task")?.strip_prefix(PATH_PREFIX)?;
    let mut parts = rest.split('/');
    let (principal, role, uuid) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || [principal, role, uuid].iter().any(|p| p.is_empty()) {
        return None;
    }
    Some(format!(
        "arn:aws:iam::{account}:role{PATH_PREFIX}{principal}/{role}"
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn names_paths_and_policies_are_aws_forms() {
        let asg = find("autoscaling.amazonaws.com").unwrap();
        assert_eq!(asg.name_with(Some("x")), "AWSServiceRoleForAutoScaling_x");
        assert_eq!(asg.path(), "/aws-service-role/autoscaling.amazonaws.com/");
        assert_eq!(
            asg.policy_arn(),
            "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"
        );
        assert!(find("AutoScaling.amazonaws.com").is_none());
        let sorted = SERVICES.windows(2).all(|w| w[0].principal < w[1].principal);
        assert!(sorted);
    }

    #[test]
    fn deletion_task_ids_name_their_role() {
        let id = deletion_task_id("ecs.amazonaws.com", "AWSServiceRoleForECS");
        assert!(id.starts_with("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/"));
        assert_eq!(
            task_role_arn("111122223333", &id).unwrap(),
            "arn:aws:iam::111122223333:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
        );
        assert!(task_role_arn("1", "task/other").is_none());
        assert!(task_role_arn("1", "nonsense").is_none());
    }

    #[test]
    fn trust_policy_names_the_principal() {
        let doc = find("ecs.amazonaws.com").unwrap().trust_policy();
        let value: serde_json::Value = serde_json::from_str(&doc).unwrap();
        assert_eq!(
            value["Statement"][0]["Principal"]["Service"][0],
            "ecs.amazonaws.com"
        );
    }
}
