//! AWS managed policies (`arn:aws:iam::aws:policy/...`) that Rampart knows: their documents,
//! as AWS publishes them in the AWS Managed Policy Reference (default version, formatted as
//! published there), for attaching and for authorization. They are read-only: attachable,
//! listed by ListPolicies (Scope `AWS`), readable by GetPolicy/GetPolicyVersion. Only the
//! default version of each is known.

/// An AWS managed policy.
#[derive(Debug, Clone, Copy)]
pub struct AwsManagedPolicy {
    /// Name, e.g. `AdministratorAccess`.
    pub name: &'static str,
    /// Path, e.g. `/` or `/job-function/`.
    pub path: &'static str,
    /// Unique id (`ANPA...`), as AWS shows it.
    pub policy_id: &'static str,
    /// Current (default) version id, e.g. `v1`.
    pub version_id: &'static str,
    /// The document of that version.
    pub document: &'static str,
    /// Description.
    pub description: &'static str,
    /// CreateDate (epoch milliseconds; minute precision where AWS publishes only minutes).
    pub created_ms: i64,
    /// UpdateDate: when the default version was published (epoch milliseconds).
    pub updated_ms: i64,
}

/// Every AWS managed policy Rampart knows, by name.
pub const POLICIES: &[AwsManagedPolicy] = &[
    AwsManagedPolicy {
        name: "AWSKeyManagementServicePowerUser",
        path: "/",
        policy_id: "ANPAJNPP7PPPPMJRV2SA4",
        version_id: "v2",
        document: KMS_POWER_USER,
        description: "Provides access to AWS Key Management Service (KMS).",
        created_ms: 1_423_248_040_000, // 2015-02-06T18:40:40Z
        updated_ms: 1_488_848_100_000, // 2017-03-07T00:55Z
    },
    AwsManagedPolicy {
        name: "AdministratorAccess",
        path: "/",
        policy_id: "ANPAIWMBCKSKIEE64ZLYK",
        version_id: "v1",
        document: ADMINISTRATOR_ACCESS,
        description: "Provides full access to AWS services and resources.",
        created_ms: 1_423_247_986_000, // 2015-02-06T18:39:46Z
        updated_ms: 1_423_247_986_000,
    },
    AwsManagedPolicy {
        name: "IAMFullAccess",
        path: "/",
        policy_id: "ANPAI7XKCFMBPM3QQRRVQ",
        version_id: "v2",
        document: IAM_FULL_ACCESS,
        description: "Provides full access to IAM via the AWS Management Console.",
        created_ms: 1_423_248_000_000, // 2015-02-06T18:40Z
        updated_ms: 1_561_146_000_000, // 2019-06-21T19:40Z
    },
    AwsManagedPolicy {
        name: "IAMReadOnlyAccess",
        path: "/",
        policy_id: "ANPAJKSO7NDY4T57MWDSQ",
        version_id: "v4",
        document: IAM_READ_ONLY_ACCESS,
        description: "Provides read only access to IAM via the AWS Management Console.",
        created_ms: 1_423_248_039_000, // 2015-02-06T18:40:39Z
        updated_ms: 1_516_907_487_000, // 2018-01-25T19:11:27Z
    },
    AwsManagedPolicy {
        name: "PowerUserAccess",
        path: "/",
        policy_id: "ANPAJYRXTHIB4FOVS3ZXS",
        version_id: "v12",
        document: POWER_USER_ACCESS,
        description: "Provides full access to AWS services and resources, but does not allow \
                      management of Users and groups.",
        created_ms: 1_423_247_987_000, // 2015-02-06T18:39:47Z
        updated_ms: 1_770_919_140_000, // 2026-02-12T17:59Z
    },
];

const ADMINISTRATOR_ACCESS: &str = r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : "*",
      "Resource" : "*"
    }
  ]
}"#;

const POWER_USER_ACCESS: &str = r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "NotAction" : [
        "iam:*",
        "organizations:*",
        "account:*"
      ],
      "Resource" : "*"
    },
    {
      "Effect" : "Allow",
      "Action" : [
        "account:GetAccountInformation",
        "account:GetGovCloudAccountInformation",
        "account:GetPrimaryEmail",
        "account:ListRegions",
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeEffectivePolicy",
        "organizations:DescribeOrganization"
      ],
      "Resource" : "*"
    }
  ]
}"#;

const IAM_FULL_ACCESS: &str = r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "iam:*",
        "organizations:DescribeAccount",
        "organizations:DescribeOrganization",
        "organizations:DescribeOrganizationalUnit",
        "organizations:DescribePolicy",
        "organizations:ListChildren",
        "organizations:ListParents",
        "organizations:ListPoliciesForTarget",
        "organizations:ListRoots",
        "organizations:ListPolicies",
        "organizations:ListTargetsForPolicy"
      ],
      "Resource" : "*"
    }
  ]
}"#;

const IAM_READ_ONLY_ACCESS: &str = r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "iam:GenerateCredentialReport",
        "iam:GenerateServiceLastAccessedDetails",
        "iam:Get*",
        "iam:List*",
        "iam:SimulateCustomPolicy",
        "iam:SimulatePrincipalPolicy"
      ],
      "Resource" : "*"
    }
  ]
}"#;

const KMS_POWER_USER: &str = r#"{
  "Version" : "2012-10-17",
  "Statement" : [
    {
      "Effect" : "Allow",
      "Action" : [
        "kms:CreateAlias",
        "kms:CreateKey",
        "kms:DeleteAlias",
        "kms:Describe*",
        "kms:GenerateRandom",
        "kms:Get*",
        "kms:List*",
        "kms:TagResource",
        "kms:UntagResource",
        "iam:ListGroups",
        "iam:ListRoles",
        "iam:ListUsers"
      ],
      "Resource" : "*"
    }
  ]
}"#;

impl AwsManagedPolicy {
    /// `arn:aws:iam::aws:policy<path><name>`.
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

/// The AWS managed policy with ARN `arn`, if Rampart knows it.
pub fn find(arn: &str) -> Option<&'static AwsManagedPolicy> {
    let rest = arn.strip_prefix("arn:aws:iam::aws:policy")?;
    POLICIES
        .iter()
        .find(|p| rest.strip_prefix(p.path) == Some(p.name))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_core::rampart_policy::{Policy, PolicyKind};

    #[test]
    fn every_document_parses_and_is_found_by_arn() {
        for policy in POLICIES {
            Policy::parse(policy.document, PolicyKind::Identity).unwrap();
            Policy::parse(policy.document, PolicyKind::PermissionsBoundary).unwrap();
            let value: serde_json::Value = serde_json::from_str(policy.document).unwrap();
            assert_eq!(value["Version"], "2012-10-17");
            assert_eq!(find(&policy.arn()).unwrap().policy_id, policy.policy_id);
            assert_eq!(policy.policy_id.len(), 21);
            assert!(policy.updated_ms >= policy.created_ms);
        }
        let names: Vec<&str> = POLICIES.iter().map(|p| p.name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "kept in ListPolicies order");
        assert!(find("arn:aws:iam::aws:policy/NoSuchPolicy").is_none());
        assert!(find("arn:aws:iam::aws:policy/job-function/AdministratorAccess").is_none());
    }
}
