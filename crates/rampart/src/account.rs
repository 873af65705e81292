//! `rampart account create`: an offline operator command (like `rampart usage`) that adds an
//! account to the store (its `iam_accounts` record) with a root access key, and prints that key
//! as an AWS credentials-file profile named after the account. It unseals the root key as
//! `serve` does at start (key file, or `RAMPART_PASSPHRASE`), and works while a server runs on
//! the same store: the new key is a new row, which the server reads on its first use.

use crate::cli::StoreArgs;
use clap::{Args, Subcommand};
use rampart_core::AccountId;
use rampart_crypto::root::{Domain, RootKey};
use rampart_crypto::seal::{self, SealMode};
use rampart_iam::Credentials;
use rampart_iam::records::AccountRecord;
use rampart_iam::tables::IamTables;
use rampart_store::{Expect, Store, StoreError};
use serde::Serialize;
use std::path::Path;
use zeroize::Zeroizing;

/// Tries at drawing a random account id that is not taken yet.
const RANDOM_ID_ATTEMPTS: usize = 16;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account and its root access key; prints an AWS credentials-file profile.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// The new account's id (12 digits); a random unused one when absent.
    #[arg(long)]
    pub account_id: Option<String>,
    /// Make the new account a member of the organization managed by this existing account
    /// (12 digits): its callers may then open root sessions of the new account (STS
    /// AssumeRoot).
    #[arg(long)]
    pub management_account: Option<String>,
    /// Print {"AccountId", "AccessKeyId", "SecretAccessKey"} as JSON instead.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub key_file: crate::cli::KeyFileArgs,
}

/// The created account and its root key.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Created {
    account_id: String,
    access_key_id: String,
    #[serde(serialize_with = "secret_text")]
    secret_access_key: Zeroizing<String>,
}

fn secret_text<S: serde::Serializer>(secret: &Zeroizing<String>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(secret.as_str())
}

/// Runs `rampart account ...`.
pub async fn run(command: AccountCommand) -> Result<(), String> {
    match command {
        AccountCommand::Create(args) => create(args).await,
    }
}

async fn create(args: CreateArgs) -> Result<(), String> {
    let requested = args
        .account_id
        .as_deref()
        .map(|id| {
            AccountId::parse(id).map_err(|_| format!("--account-id must be 12 digits, got {id:?}"))
        })
        .transpose()?;
    let manager = args
        .management_account
        .as_deref()
        .map(|id| {
            AccountId::parse(id)
                .map_err(|_| format!("--management-account must be 12 digits, got {id:?}"))
        })
        .transpose()?;
    let (store, root) = open_unsealed(&args.store, args.key_file).await?;
    let tables = IamTables::new(store);
    let credentials = Credentials::new(tables.clone(), root.domain_key(Domain::Credentials));
    let manager = match manager {
        Some(id) => Some(management_account(&tables, id).await?),
        None => None,
    };
    let new = NewAccount {
        tables: &tables,
        creds: &credentials,
        manager: manager.as_deref(),
    };
    let created = match requested {
        Some(account) => new.create(&account).await?,
        None => new.create_random().await?,
    };
    print!("{}", render(&created, args.json)?);
    Ok(())
}

/// The store of `store_args` and its root key, unsealed offline (key file or
/// `RAMPART_PASSPHRASE`), for operator commands that read or write secrets.
pub(crate) async fn open_unsealed(
    store_args: &StoreArgs,
    key_file: crate::cli::KeyFileArgs,
) -> Result<(Store, RootKey), String> {
    let file = crate::config::read_file_config(store_args.config.as_deref())?;
    let data_dir = crate::cli::store_dir(store_args, file.data_dir);
    let store = crate::cli::open_store(store_args).await?;
    let explicit = key_file.seal_key_file.or(file.seal_key_file);
    let keyfile = crate::config::keyfile_path(&data_dir, explicit.as_deref());
    let root = unseal_offline(&store, &keyfile).await?;
    Ok((store, root))
}

/// The root key, unsealed the way `serve` unseals it at start.
async fn unseal_offline(store: &Store, keyfile: &Path) -> Result<RootKey, String> {
    let sealed = crate::bootstrap::read_sealed_root(store)
        .await?
        .ok_or("this store is not initialised: start `rampart serve` on it once first")?;
    match sealed.mode {
        SealMode::KeyFile => seal::unseal_keyfile(&sealed, keyfile)
            .map_err(|e| format!("{}: {e}", keyfile.display())),
        SealMode::Passphrase => {
            let pass = std::env::var("RAMPART_PASSPHRASE").map_err(|_| {
                "this store is sealed with a passphrase: set RAMPART_PASSPHRASE".to_owned()
            })?;
            let pass = Zeroizing::new(pass);
            crate::bootstrap::off_the_workers(move || seal::unseal_passphrase(&sealed, &pass))
                .await?
                .map_err(|e| e.to_string())
        }
        SealMode::Shamir { .. } => Err(
            "this store is sealed with Shamir shares, which only a running server collects: \
             `rampart account create` cannot unseal it offline"
                .to_owned(),
        ),
    }
}

/// The id of `account` when it exists and is itself in no organization (a member account
/// cannot manage another).
async fn management_account(tables: &IamTables, account: AccountId) -> Result<String, String> {
    let found = tables.accounts.get(account.as_str()).await;
    match found.map_err(|e| e.to_string())? {
        None => Err(format!("management account {account} does not exist")),
        Some(row) if row.value.management_account.is_some() => Err(format!(
            "account {account} is a member of an organization and cannot manage one"
        )),
        Some(_) => Ok(account.to_string()),
    }
}

/// What a new account is created with.
struct NewAccount<'a> {
    tables: &'a IamTables,
    creds: &'a Credentials,
    /// The management account of its organization, if any.
    manager: Option<&'a str>,
}

impl NewAccount<'_> {
    async fn create_random(&self) -> Result<Created, String> {
        for _ in 0..RANDOM_ID_ATTEMPTS {
            let account = random_account_id()?;
            match self.create(&account).await {
                Err(AccountError::Exists(_)) => continue,
                other => return other.map_err(String::from),
            }
        }
        Err("could not find an unused account id".to_owned())
    }

    async fn create(&self, account: &AccountId) -> Result<Created, AccountError> {
        create_account(self.tables, self.creds, account, self.manager).await
    }
}

/// Why an account could not be created.
enum AccountError {
    Exists(String),
    Failed(String),
}

impl From<AccountError> for String {
    fn from(err: AccountError) -> String {
        match err {
            AccountError::Exists(account) => format!("account {account} already exists"),
            AccountError::Failed(message) => message,
        }
    }
}

/// Stores the account record and a root access key in one transaction; refuses an account
/// that already has a record.
async fn create_account(
    tables: &IamTables,
    creds: &Credentials,
    account: &AccountId,
    manager: Option<&str>,
) -> Result<Created, AccountError> {
    let failed = |e: StoreError| AccountError::Failed(e.to_string());
    let exists = || AccountError::Exists(account.to_string());
    if tables
        .accounts
        .get(account.as_str())
        .await
        .map_err(failed)?
        .is_some()
    {
        return Err(exists());
    }
    let now_ms = now_ms();
    let record = AccountRecord {
        account: account.to_string(),
        created_ms: now_ms,
        alias: None,
        management_account: manager.map(str::to_owned),
    };
    let write = tables
        .accounts
        .put(account.as_str(), &record, Expect::Absent)
        .map_err(failed)?;
    let key = creds
        .new_root_key(account, now_ms)
        .map_err(AccountError::Failed)?;
    match tables
        .commit(account.as_str(), vec![write, key.write])
        .await
    {
        Ok(()) => Ok(Created {
            account_id: account.to_string(),
            access_key_id: key.access_key_id,
            secret_access_key: key.secret,
        }),
        // Created concurrently (or an IAM write raced the generation bump): re-check.
        Err(StoreError::Conflict { .. }) => Err(exists()),
        Err(err) => Err(failed(err)),
    }
}

/// Records `account` in `iam_accounts` unless it is there already (the default account at
/// bootstrap; stores made before accounts were recorded get theirs on the next start).
pub async fn record_existing(tables: &IamTables, account: &AccountId) -> Result<(), String> {
    let found = tables.accounts.get(account.as_str()).await;
    if found.map_err(|e| e.to_string())?.is_some() {
        return Ok(());
    }
    let record = AccountRecord {
        account: account.to_string(),
        created_ms: now_ms(),
        alias: None,
        management_account: None,
    };
    let write = tables
        .accounts
        .put(account.as_str(), &record, Expect::Absent)
        .map_err(|e| e.to_string())?;
    match tables.commit(account.as_str(), vec![write]).await {
        Ok(()) | Err(StoreError::Conflict { .. }) => Ok(()),
        Err(err) => Err(err.to_string()),
    }
}

/// A uniformly drawn 12-digit id (the modulo bias of 2^64 mod 10^12 is negligible).
fn random_account_id() -> Result<AccountId, String> {
    let bytes: [u8; 8] = rampart_crypto::random::array();
    let n = u64::from_le_bytes(bytes) % 1_000_000_000_000;
    AccountId::parse(&format!("{n:012}")).map_err(|e| e.to_string())
}

fn now_ms() -> i64 {
    let nanos = time::OffsetDateTime::now_utc().unix_timestamp_nanos();
    i64::try_from(nanos / 1_000_000).unwrap_or(i64::MAX)
}

/// The profile to append to an AWS credentials file, or the JSON form.
fn render(created: &Created, json: bool) -> Result<String, String> {
    if json {
        let text = serde_json::to_string_pretty(created).map_err(|e| e.to_string())?;
        return Ok(format!("{text}\n"));
    }
    Ok(format!(
        "[{}]\naws_access_key_id = {}\naws_secret_access_key = {}\n",
        created.account_id,
        created.access_key_id,
        created.secret_access_key.as_str()
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_twelve_digits_and_vary() {
        let ids: std::collections::HashSet<String> = (0..32)
            .map(|_| random_account_id().unwrap().to_string())
            .collect();
        assert!(ids.len() > 30);
        assert!(ids.iter().all(|id| AccountId::parse(id).is_ok()));
    }

    #[test]
    fn profile_and_json_output() {
        let created = Created {
            account_id: "123456789012".into(),
            access_key_id: "AKIAEXAMPLE".into(),
            secret_access_key: Zeroizing::new("s3cr3t".into()),
        };
        assert_eq!(
            render(&created, false).unwrap(),
            "[123456789012]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = s3cr3t\n"
        );
        let json: serde_json::Value =
            serde_json::from_str(&render(&created, true).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"AccountId": "123456789012", "AccessKeyId": "AKIAEXAMPLE",
                               "SecretAccessKey": "s3cr3t"})
        );
    }

    #[tokio::test]
    async fn accounts_are_created_once_with_a_working_root_key() {
        let dir = tempfile_dir("create");
        let store = Store::open_sqlite(&dir.join("db")).await.unwrap();
        let root = RootKey::generate();
        let tables = IamTables::new(store);
        let creds = Credentials::new(tables.clone(), root.domain_key(Domain::Credentials));
        let account = AccountId::parse("210987654321").unwrap();
        let created = create_account(&tables, &creds, &account, None)
            .await
            .unwrap_or_else(|e| panic!("{}", String::from(e)));
        let found = creds.find(&created.access_key_id).await.unwrap().unwrap();
        assert_eq!(found.secret.as_str(), created.secret_access_key.as_str());
        assert_eq!(found.principal.arn, "arn:aws:iam::210987654321:root");
        let again = create_account(&tables, &creds, &account, None).await;
        assert!(matches!(again, Err(AccountError::Exists(_))));
        record_existing(&tables, &account).await.unwrap();
        let other = AccountId::parse("000000000000").unwrap();
        record_existing(&tables, &other).await.unwrap();
        record_existing(&tables, &other).await.unwrap();
        assert!(tables.accounts.get("000000000000").await.unwrap().is_some());
        let new = NewAccount {
            tables: &tables,
            creds: &creds,
            manager: Some(account.as_str()),
        };
        let random = new.create_random().await.unwrap();
        assert_ne!(random.account_id, account.as_str());
        let member = tables.accounts.get(&random.account_id).await.unwrap();
        let manager = member.unwrap().value.management_account;
        assert_eq!(manager.as_deref(), Some(account.as_str()));
        let member = AccountId::parse(&random.account_id).unwrap();
        let refused = management_account(&tables, member).await;
        assert!(
            refused
                .unwrap_err()
                .contains("is a member of an organization")
        );
        let missing = AccountId::parse("999999999999").unwrap();
        assert!(management_account(&tables, missing).await.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    fn tempfile_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "rampart-account-{name}-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }
}
