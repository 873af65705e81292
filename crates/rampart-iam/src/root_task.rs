//! The AWS managed root-task policies (`arn:aws:iam::aws:policy/root-task/<name>`) that scope
//! the privileged root sessions STS AssumeRoot opens on a member account, with their
//! documents as the IAM User Guide publishes them ("AWS managed policies for IAM"). They are
//! not attachable to IAM entities: only an AssumeRoot session carries one, as an
//! identity-based policy of the root user whose `Deny` statements leave it the task's
//! actions alone.

/// The path of the root-task policies.
const PREFIX: &str = "arn:aws:iam::aws:policy/root-task/";

/// The root-task policies, by name.
pub const POLICIES: &[(&str, &str)] = &[
    (
        "IAMAuditRootUserCredentials",
        IAM_AUDIT_ROOT_USER_CREDENTIALS,
    ),
    ("IAMCreateRootUserPassword", IAM_CREATE_ROOT_USER_PASSWORD),
    (
        "IAMDeleteRootUserCredentials",
        IAM_DELETE_ROOT_USER_CREDENTIALS,
    ),
    ("S3UnlockBucketPolicy", S3_UNLOCK_BUCKET_POLICY),
    ("SQSUnlockQueuePolicy", SQS_UNLOCK_QUEUE_POLICY),
];

/// The document of the root-task policy `arn`, if it names one.
pub fn find(arn: &str) -> Option<&'static str> {
    let name = arn.strip_prefix(PREFIX)?;
    POLICIES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, doc)| *doc)
}

const IAM_AUDIT_ROOT_USER_CREDENTIALS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "NotAction": [
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetAccountSummary",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "Effect": "Deny",
      "Resource": "*"
    },
    {
      "Sid": "DenyAuditingCredentialsOnNonRootUserResource",
      "Action": [
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "Effect": "Deny",
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}"#;

const IAM_CREATE_ROOT_USER_PASSWORD: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "NotAction": ["iam:CreateLoginProfile", "iam:GetLoginProfile"],
      "Effect": "Deny",
      "Resource": "*"
    },
    {
      "Sid": "DenyCreatingPasswordOnNonRootUserResource",
      "Action": ["iam:CreateLoginProfile", "iam:GetLoginProfile"],
      "Effect": "Deny",
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}"#;

const IAM_DELETE_ROOT_USER_CREDENTIALS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "Effect": "Deny",
      "NotAction": [
        "iam:DeleteAccessKey",
        "iam:DeleteSigningCertificate",
        "iam:DeleteLoginProfile",
        "iam:DeactivateMFADevice",
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "Resource": "*"
    },
    {
      "Sid": "DenyDeletingRootUserCredentialsOnNonRootUserResource",
      "Effect": "Deny",
      "Action": [
        "iam:DeleteAccessKey",
        "iam:DeleteSigningCertificate",
        "iam:DeleteLoginProfile",
        "iam:DeactivateMFADevice",
        "iam:ListAccessKeys",
        "iam:ListSigningCertificates",
        "iam:GetLoginProfile",
        "iam:ListMFADevices",
        "iam:GetUser",
        "iam:GetAccessKeyLastUsed"
      ],
      "NotResource": "arn:aws:iam::*:root"
    }
  ]
}"#;

const S3_UNLOCK_BUCKET_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "NotAction": [
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:ListAllMyBuckets"
      ],
      "Effect": "Deny",
      "Resource": "*"
    },
    {
      "Sid": "DenyManagingBucketPolicyForNonRootCallers",
      "Action": [
        "s3:DeleteBucketPolicy",
        "s3:PutBucketPolicy",
        "s3:GetBucketPolicy",
        "s3:ListAllMyBuckets"
      ],
      "Effect": "Deny",
      "Resource": "*",
      "Condition": {
        "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}
      }
    }
  ]
}"#;

const SQS_UNLOCK_QUEUE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOtherActionsOnAnyResource",
      "NotAction": [
        "sqs:SetQueueAttributes",
        "sqs:GetQueueAttributes",
        "sqs:ListQueues",
        "sqs:GetQueueUrl"
      ],
      "Resource": "*",
      "Effect": "Deny"
    },
    {
      "Sid": "DenyGettingQueueAttributesOnNonOwnQueue",
      "Action": ["sqs:GetQueueAttributes"],
      "Resource": "arn:aws:sqs:*:*:*",
      "Effect": "Deny",
      "Condition": {
        "StringNotEqualsIfExists": {"aws:ResourceAccount": ["${aws:PrincipalAccount}"]}
      }
    },
    {
      "Sid": "DenyActionsForNonRootUser",
      "Action": [
        "sqs:SetQueueAttributes",
        "sqs:GetQueueAttributes",
        "sqs:ListQueues",
        "sqs:GetQueueUrl"
      ],
      "Resource": "*",
      "Effect": "Deny",
      "Condition": {
        "StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}
      }
    }
  ]
}"#;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use rampart_core::rampart_policy::{Policy, PolicyKind};

    #[test]
    fn every_task_policy_parses_and_is_found_by_arn() {
        for (name, doc) in POLICIES {
            Policy::parse(doc, PolicyKind::Identity).unwrap();
            assert_eq!(find(&format!("{PREFIX}{name}")), Some(*doc));
        }
        assert_eq!(
            find("arn:aws:iam::aws:policy/root-task/AdministratorAccess"),
            None
        );
        assert_eq!(
            find("arn:aws:iam::aws:policy/IAMAuditRootUserCredentials"),
            None
        );
    }
}
