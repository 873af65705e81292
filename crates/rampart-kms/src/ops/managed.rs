//! AWS-managed keys: the key behind `alias/aws/<service>` (KeyManager `AWS`), created on first
//! use by another Rampart service, with AWS's description, key policy (usable only through that
//! service, by the owning account) and automatic yearly rotation. Users cannot change them: the
//! management operations answer AccessDeniedException, as AWS's key policy makes them do.
//!
//! AWS-owned keys, the third kind, are Rampart's internal HKDF domain keys
//! (`rampart_crypto::root::Domain`, e.g. the one wrapping access-key secrets): they are not KMS
//! keys at all, so they are never listed, described or usable through the KMS API.

use super::CAS_ATTEMPTS;
use crate::KmsService;
use crate::domain::{
    AliasRecord, KeyRecord, KmsError, PolicyRecord, RotationConfig, Scope, TagSet, new_key_id,
};
use crate::store::{alias_row, key_row};
use rampart_store::{Expect, StoreError};

/// Days between automatic rotations of an AWS-managed key.
const MANAGED_ROTATION_DAYS: u32 = 365;
const MILLIS_PER_DAY: i64 = 86_400_000;

/// How AWS names one integrated service in its managed key's description and policy.
struct ServiceInfo {
    /// The `kms:ViaService` host prefix (`ec2` for EBS).
    via: String,
    /// The service's name in the policy statement's Sid.
    name: String,
    /// What the key protects, in "Default key that protects my <...> when no other key is defined".
    protects: String,
    /// Whether the policy lets the service create grants.
    grants: bool,
}

impl KmsService {
    /// The AWS-managed key of `service` (e.g. `secretsmanager`, `ssm`) in `account`/`region`,
    /// created with its `alias/aws/<service>` alias on first use. Concurrent first uses (also
    /// across nodes sharing a database) create exactly one key: the alias row is written only
    /// if absent, in the same transaction as the key, and the loser reads the winner's key.
    pub async fn aws_managed_key(
        &self,
        account: &str,
        region: &str,
        service: &str,
    ) -> Result<KeyRecord, KmsError> {
        check_names(account, region, service)?;
        let scope = Scope::new(account, region);
        let alias = format!("alias/aws/{service}");
        for _ in 0..CAS_ATTEMPTS {
            if let Some(existing) = self.tables.aliases.get(&alias_row(&scope, &alias)).await? {
                let key_id = existing.value.target_key_id;
                return Ok(self.tables.require_key(&scope, &key_id).await?.value);
            }
            if let Some(created) = self.create_managed_key(&scope, &alias, service).await? {
                tracing::info!(key_arn = %created.arn(), %alias, "created AWS managed key");
                return Ok(created);
            }
        }
        Err(KmsError::Internal(format!(
            "{alias} creation kept conflicting"
        )))
    }

    /// Writes a new AWS-managed key with its alias; None when another creator won the race.
    async fn create_managed_key(
        &self,
        scope: &Scope,
        alias: &str,
        service: &str,
    ) -> Result<Option<KeyRecord>, KmsError> {
        let info = service_info(service);
        let now = self.now_ms();
        let description = format!(
            "Default key that protects my {} when no other key is defined",
            info.protects
        );
        let mut record = KeyRecord::new_symmetric(scope, new_key_id(), description, now);
        record.key_manager = "AWS".into();
        record.rotation = RotationConfig {
            enabled: true,
            period_days: Some(MANAGED_ROTATION_DAYS),
            next_rotation_ms: Some(
                now.saturating_add(i64::from(MANAGED_ROTATION_DAYS) * MILLIS_PER_DAY),
            ),
            on_demand_started_ms: None,
        };
        let row = key_row(scope, &record.key_id);
        let alias_record = AliasRecord {
            schema: 1,
            alias_name: alias.to_owned(),
            target_key_id: record.key_id.clone(),
            created_ms: now,
            updated_ms: now,
        };
        let policy = PolicyRecord::new(managed_key_policy(scope, &info));
        let mut writes = vec![
            self.tables.keys.put(&row, &record, Expect::Absent)?,
            self.tables.policies.put(&row, &policy, Expect::Absent)?,
            self.tables.tags.put(&row, &TagSet::new(), Expect::Absent)?,
            self.tables.index_write(&record)?,
            self.vault
                .new_backing_key_write(&self.tables, &record, now)
                .await?,
        ];
        writes.extend(self.tables.aliases.put(
            &alias_row(scope, alias),
            &alias_record,
            Expect::Absent,
            None,
        )?);
        writes.extend(super::rotation::rotation_schedule_write(
            &self.tables,
            &record,
        )?);
        let outcome = self.tables.store.transact(writes).await;
        self.vault.invalidate_alias(scope, alias);
        match outcome {
            Ok(()) => Ok(Some(record)),
            Err(StoreError::Conflict { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}

/// Account (12 digits), Region and service name (lowercase letters, digits, `-`) must be sane:
/// they become row keys, an alias name and policy text.
fn check_names(account: &str, region: &str, service: &str) -> Result<(), KmsError> {
    let service_ok = !service.is_empty()
        && service.len() <= 64
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    let region_ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if rampart_core::AccountId::parse(account).is_err() || !service_ok || !region_ok {
        return Err(KmsError::Validation(format!(
            "Invalid AWS managed key request: account {account:?}, Region {region:?}, service \
             {service:?}"
        )));
    }
    Ok(())
}

/// AWS's wording for the services whose managed keys are well known; a generic one otherwise.
fn service_info(service: &str) -> ServiceInfo {
    let known: Option<(&str, &str, &str, bool)> = match service {
        "s3" => Some(("s3", "S3", "S3 objects", false)),
        "ebs" => Some(("ec2", "EBS", "EBS volumes", true)),
        "secretsmanager" => Some((
            "secretsmanager",
            "AWS Secrets Manager",
            "Secrets Manager data",
            true,
        )),
        "ssm" => Some(("ssm", "AWS Systems Manager", "SSM parameters", true)),
        "rds" => Some(("rds", "Amazon RDS", "RDS database volumes", true)),
        "lambda" => Some(("lambda", "AWS Lambda", "Lambda functions", true)),
        "dynamodb" => Some(("dynamodb", "Amazon DynamoDB", "DynamoDB data", true)),
        "elasticfilesystem" => Some(("elasticfilesystem", "EFS", "EFS filesystems", true)),
        "backup" => Some(("backup", "AWS Backup", "Backup data", true)),
        "acm" => Some(("acm", "ACM", "ACM private keys", true)),
        _ => None,
    };
    match known {
        Some((via, name, protects, grants)) => ServiceInfo {
            via: via.into(),
            name: name.into(),
            protects: protects.into(),
            grants,
        },
        None => ServiceInfo {
            via: service.into(),
            name: service.into(),
            protects: format!("{service} data"),
            grants: true,
        },
    }
}

/// The key policy AWS gives a managed key: cryptographic use by any principal of the account,
/// only through the service (`kms:ViaService`, `kms:CallerAccount`), and read-only access to the
/// key's metadata for the account. Formatted as AWS returns policies.
fn managed_key_policy(scope: &Scope, info: &ServiceInfo) -> String {
    let account = &scope.account;
    let partition = scope.partition();
    let domain = if partition == "aws-cn" {
        "amazonaws.com.cn"
    } else {
        "amazonaws.com"
    };
    let grant = if info.grants {
        "\"kms:CreateGrant\", "
    } else {
        ""
    };
    format!(
        "{{\n  \"Version\" : \"2012-10-17\",\n  \"Id\" : \"auto-{id}-2\",\n  \"Statement\" : [ {{\n    \
         \"Sid\" : \"Allow access through {name} for all principals in the account that are \
         authorized to use {name}\",\n    \"Effect\" : \"Allow\",\n    \"Principal\" : {{\n      \
         \"AWS\" : \"*\"\n    }},\n    \"Action\" : [ \"kms:Encrypt\", \"kms:Decrypt\", \
         \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", {grant}\"kms:DescribeKey\" ],\n    \
         \"Resource\" : \"*\",\n    \"Condition\" : {{\n      \"StringEquals\" : {{\n        \
         \"kms:CallerAccount\" : \"{account}\",\n        \"kms:ViaService\" : \
         \"{via}.{region}.{domain}\"\n      }}\n    }}\n  }}, {{\n    \"Sid\" : \"Allow direct \
         access to key metadata to the account\",\n    \"Effect\" : \"Allow\",\n    \
         \"Principal\" : {{\n      \"AWS\" : \"arn:{partition}:iam::{account}:root\"\n    }},\n    \
         \"Action\" : [ \"kms:Describe*\", \"kms:Get*\", \"kms:List*\", \"kms:RevokeGrant\" ],\n    \
         \"Resource\" : \"*\"\n  }} ]\n}}",
        id = info.via,
        name = info.name,
        via = info.via,
        region = scope.region,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_limits_use_to_the_service_and_account() {
        let scope = Scope::new("111122223333", "eu-west-1");
        let doc = managed_key_policy(&scope, &service_info("secretsmanager"));
        let v: serde_json::Value = serde_json::from_str(&doc).unwrap_or_default();
        let use_stmt = &v["Statement"][0];
        assert_eq!(use_stmt["Principal"]["AWS"], "*");
        let cond = &use_stmt["Condition"]["StringEquals"];
        assert_eq!(
            cond["kms:ViaService"],
            "secretsmanager.eu-west-1.amazonaws.com"
        );
        assert_eq!(cond["kms:CallerAccount"], "111122223333");
        assert_eq!(
            v["Statement"][1]["Principal"]["AWS"],
            "arn:aws:iam::111122223333:root"
        );
        assert_eq!(v["Statement"][1]["Action"][0], "kms:Describe*");
        assert_eq!(v["Id"], "auto-secretsmanager-2");
    }

    #[test]
    fn names_are_checked() {
        assert!(check_names("111122223333", "us-east-1", "ssm").is_ok());
        assert!(check_names("1111", "us-east-1", "ssm").is_err());
        assert!(check_names("111122223333", "us-east-1", "S3/../x").is_err());
        assert!(check_names("111122223333", "", "ssm").is_err());
        assert_eq!(service_info("ebs").via, "ec2");
        assert_eq!(service_info("custom").protects, "custom data");
    }
}
